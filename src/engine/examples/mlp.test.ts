import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { StepRunner } from '../train-step';
import { mlpExample, mlpTarget } from './mlp';

describe('MLP example', () => {
  it('fits y = sin(2 x0) x1: MSE < 2e-3 after 300 AdamW steps (the mean predictor scores ~0.2)', async () => {
    const ex = mlpExample(0);
    const y = ex.data.y.data as Float32Array;
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const variance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length; // MSE of the best constant
    expect(y[5]).toBeCloseTo(mlpTarget((ex.data.x.data as Float32Array)[10], (ex.data.x.data as Float32Array)[11]), 6);
    const r = await StepRunner.create(ort, ex.steps, { backend: 'wasm', state: ex.state });
    const logs = await r.train(300, () => ex.data);
    await r.release();
    expect(logs[0].loss).toBeGreaterThan(variance * 0.9); // untrained: no better than a constant
    expect(logs.at(-1)!.loss).toBeLessThan(2e-3);
    expect(logs.at(-1)!.loss).toBeLessThan(variance / 50);
  });
});

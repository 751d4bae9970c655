import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { GraphSession, tensor } from '../session';
import { type ScheduleConfig, learningRate, learningRateGraph, lrLambda, warmupSteps } from './schedule';

describe('learning-rate schedules (HF get_scheduler formulas)', () => {
  const lin: ScheduleConfig = { type: 'linear', lr: 1, totalSteps: 100, warmupSteps: 10 };
  const cos: ScheduleConfig = { type: 'cosine', lr: 1, totalSteps: 100, warmupSteps: 10 };
  const cww: ScheduleConfig = { type: 'constant_with_warmup', lr: 1, totalSteps: 100, warmupSteps: 10 };

  it('warms up linearly from 0 and follows each decay at chosen steps', () => {
    // Warmup: step / max(1, warmup).
    for (const c of [lin, cos, cww]) {
      expect(lrLambda(c, 0)).toBe(0);
      expect(lrLambda(c, 5)).toBe(0.5);
      expect(lrLambda(c, 10)).toBe(1);
    }
    // linear: max(0, (total - step) / max(1, total - warmup)).
    expect(lrLambda(lin, 55)).toBe(0.5);
    expect(lrLambda(lin, 91)).toBeCloseTo(0.1, 12);
    expect(lrLambda(lin, 100)).toBe(0);
    expect(lrLambda(lin, 130)).toBe(0);
    // cosine: max(0, 0.5 (1 + cos(pi * cycles * 2 * progress))), progress = (step - w) / (total - w).
    expect(lrLambda(cos, 55)).toBeCloseTo(0.5, 12);
    expect(lrLambda(cos, 32.5)).toBeCloseTo(0.5 * (1 + Math.SQRT1_2), 12);
    expect(lrLambda(cos, 100)).toBeCloseTo(0, 12);
    expect(lrLambda({ ...cos, numCycles: 1 }, 55)).toBeCloseTo(0, 12);
    expect(lrLambda({ ...cos, numCycles: 1 }, 100)).toBeCloseTo(1, 12);
    expect(lrLambda(cww, 99)).toBe(1);
    // constant ignores warmup, as HF's get_constant_schedule does.
    expect(lrLambda({ type: 'constant', lr: 1, warmupSteps: 10 }, 0)).toBe(1);
    expect(learningRate({ ...lin, lr: 3e-4 }, 55)).toBeCloseTo(1.5e-4, 15);
  });

  it('takes warmup steps first, else ceil(total * ratio); a fraction below 1 is a ratio', () => {
    expect(warmupSteps({ type: 'linear', lr: 1, totalSteps: 95, warmupRatio: 0.1 })).toBe(10);
    expect(warmupSteps({ type: 'linear', lr: 1, totalSteps: 95, warmupSteps: 3, warmupRatio: 0.5 })).toBe(3);
    expect(warmupSteps({ type: 'linear', lr: 1, totalSteps: 95, warmupSteps: 0.05 })).toBe(5);
    expect(warmupSteps({ type: 'linear', lr: 1, totalSteps: 95 })).toBe(0);
    expect(lrLambda({ type: 'linear', lr: 1, totalSteps: 20, warmupRatio: 0.1 }, 1)).toBe(0.5);
    expect(() => lrLambda({ type: 'linear', lr: 1 }, 3)).toThrow(/totalSteps/);
  });

  it('computes the same values in the graph as the pure function over whole schedules', async () => {
    const configs: ScheduleConfig[] = [
      { type: 'constant', lr: 2e-3 },
      { ...cww, lr: 5e-4, totalSteps: 60, warmupSteps: 7 },
      { ...lin, lr: 3e-4, totalSteps: 60, warmupRatio: 0.1 },
      { ...lin, lr: 3e-4, totalSteps: 60, warmupSteps: 0 },
      { ...cos, lr: 1e-3, totalSteps: 60, warmupSteps: 5 },
      { ...cos, lr: 1e-3, totalSteps: 60, warmupSteps: 0, numCycles: 2 },
    ];
    const steps = [...Array(66).keys()]; // past the end too
    const g = new Graph('schedules');
    const step = g.input('step', 'float32', [steps.length]);
    configs.forEach((c, i) => g.output(`lr${i}`, learningRateGraph(c, step)));
    const s = await GraphSession.create(ort, g, { backend: 'wasm' });
    const out = await s.run({ step: tensor(ort, 'float32', Float32Array.from(steps), [steps.length]) });
    configs.forEach((c, i) => {
      const got = out[`lr${i}`].data as Float32Array;
      steps.forEach((k) => {
        const want = learningRate(c, k);
        expect(Math.abs((got.length === 1 ? got[0] : got[k]) - want)).toBeLessThanOrEqual(1e-6 * c.lr);
      });
    });
  });
});

import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import fixture from '../../tests/golden/engine/optim.json';
import { linear } from './nn';
import { mul, reduceMean, sub } from './ops';
import { type HostTensor, type OptimizerConfig, type TrainStepSpec, StepRunner, buildTrainStep, initialState, stateNames } from './train-step';

const tc = fixture.train;
const host = (data: number[] | Float32Array, dims: number[]): HostTensor => ({ dtype: 'float32', data: Float32Array.from(data), dims });

/** y = x W^T + b with MSE, the model of gen_optim.py's train case; batch size `n`. */
function linearSpec(n: number): TrainStepSpec {
  return {
    params: { w: { dtype: 'float32', shape: [2, 3] }, b: { dtype: 'float32', shape: [2] } },
    batch: { x: { dtype: 'float32', shape: [n, 3] }, y: { dtype: 'float32', shape: [n, 2] } },
    loss: ({ params, batch }) => {
      const err = sub(linear(batch.x, params.w, params.b), batch.y);
      const loss = reduceMean(mul(err, err));
      return { loss, metrics: { mse_x2: mul(loss, 2) } };
    },
  };
}

const optim: OptimizerConfig = {
  schedule: { type: 'linear', lr: tc.lr, totalSteps: tc.total_steps, warmupSteps: tc.warmup_steps },
  weightDecay: tc.weight_decay,
  noDecay: (n) => n === 'b',
  maxGradNorm: tc.max_grad_norm,
};
const params0 = { w: host(tc.init[0], [2, 3]), b: host(tc.init[1], [2]) };
const batchAt = (k: number) => ({ x: host(tc.batches[k].x, [8, 3]), y: host(tc.batches[k].y, [8, 2]) });

async function runner(spec: TrainStepSpec, o: OptimizerConfig) {
  const steps = buildTrainStep(spec, o);
  return StepRunner.create(ort, steps, { backend: 'wasm', state: initialState(steps, params0) });
}

function expectClose(got: ArrayLike<number>, want: number[], tol: number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
}

describe('buildTrainStep + StepRunner', () => {
  it('matches a PyTorch AdamW run with clipping, weight decay on W only and linear warmup', async () => {
    for (const lrFrom of ['schedule', 'input'] as const) {
      const r = await runner(linearSpec(8), { ...optim, lrFrom });
      const logs = await r.train(tc.steps.length, batchAt);
      for (const [k, want] of tc.steps.entries()) {
        expect(logs[k].step).toBe(k + 1);
        expect(logs[k].loss).toBeCloseTo(want.loss, 4);
        expect(logs[k].metrics.mse_x2).toBeCloseTo(2 * want.loss, 4);
        expect(logs[k].grad_norm).toBeCloseTo(want.grad_norm, 4);
        expect(logs[k].grad_norm).toBeGreaterThan(tc.max_grad_norm); // every step is clipped
        expect(logs[k].lr).toBeCloseTo(want.lr, 9);
      }
      const p = await r.exportParams();
      expectClose(p.w.data as Float32Array, tc.steps.at(-1)!.w, 2e-5);
      expectClose(p.b.data as Float32Array, tc.steps.at(-1)!.b, 2e-5);
      await r.release();
    }
  });

  it('clips: without clipping the run differs, with a threshold above the norm it is unchanged', async () => {
    const run = async (maxGradNorm: number) => {
      const r = await runner(linearSpec(8), { ...optim, maxGradNorm });
      const logs = await r.train(3, batchAt);
      return { w: (await r.exportParams()).w.data as Float32Array, norms: logs.map((l) => l.grad_norm) };
    };
    const [off, high, clipped] = [await run(0), await run(1e3), await run(tc.max_grad_norm)];
    expect(high.w).toEqual(off.w); // min(1, 1e3 / norm) = 1 exactly
    expect(high.norms).toEqual(off.norms);
    expectClose(off.norms.slice(0, 1), [tc.steps[0].grad_norm], 1e-5); // grad_norm is the pre-clip norm
    expect(Math.max(...[...clipped.w].map((x, i) => Math.abs(x - off.w[i])))).toBeGreaterThan(1e-3);
  });

  it('accumulating 4 micro-batches equals one step on the concatenated batch', async () => {
    const micro = [0, 1, 2, 3].map(batchAt);
    const cat = (key: 'x' | 'y', cols: number) => host(micro.flatMap((b) => [...(b[key].data as Float32Array)]), [32, cols]);
    const big = { x: cat('x', 3), y: cat('y', 2) };
    const o = { ...optim, schedule: { type: 'constant' as const, lr: 0.05 } };
    const fused = await runner(linearSpec(32), o);
    const acc = await runner(linearSpec(8), { ...o, gradientAccumulationSteps: 4 });
    expect(acc.steps.kind).toBe('accumulate');
    for (let k = 0; k < 3; k++) {
      const a = await fused.trainStep([big]);
      const b = await acc.trainStep(micro);
      expect(b.loss).toBeCloseTo(a.loss, 5); // mean of equal-size micro losses = loss on the whole
      expect(b.grad_norm).toBeCloseTo(a.grad_norm, 5);
      expect(b.step).toBe(k + 1);
    }
    const [pa, pb] = [await fused.exportParams(), await acc.exportParams()];
    expectClose(pb.w.data as Float32Array, [...(pa.w.data as Float32Array)], 1e-5);
    expectClose(pb.b.data as Float32Array, [...(pa.b.data as Float32Array)], 1e-5);
    // The apply graph zeroes the accumulators for the next step.
    expect([...(await acc.read(stateNames.acc('w')))].every((x) => x === 0)).toBe(true);
    await expect(acc.trainStep(micro.slice(0, 3))).rejects.toThrow(/4 micro-batches/);
  });

  it('feeds frozen inputs every step and never updates them', async () => {
    const spec: TrainStepSpec = {
      params: { b: { dtype: 'float32', shape: [2] } },
      frozen: { w: { dtype: 'float32', shape: [2, 3] } },
      batch: linearSpec(8).batch,
      loss: ({ params, frozen, batch }) => {
        const err = sub(linear(batch.x, frozen.w, params.b), batch.y);
        return { loss: reduceMean(mul(err, err)) };
      },
    };
    const steps = buildTrainStep(spec, optim);
    expect(steps.paramNames).toEqual(['b']);
    const r = await StepRunner.create(ort, steps, { backend: 'wasm', state: initialState(steps, { b: params0.b }), frozen: { w: params0.w } });
    const logs = await r.train(3, batchAt);
    // Same first loss as the full model (same W, b at step 0), then only b moves.
    expect(logs[0].loss).toBeCloseTo(tc.steps[0].loss, 4);
    expect([...(await r.read(stateNames.param('b')))].some((x, i) => x !== params0.b.data[i])).toBe(true);
    await expect(r.read(stateNames.param('w'))).rejects.toThrow(/no state tensor/);
    await r.release();
  });

  it('names state inputs and .next outputs so that runWithState can carry them', () => {
    const s = buildTrainStep(linearSpec(8), { ...optim, gradientAccumulationSteps: 2 });
    if (s.kind !== 'accumulate') throw new Error('expected accumulation graphs');
    expect(s.micro.carry).toEqual({ 'grad_acc.w.next': 'grad_acc.w', 'grad_acc.b.next': 'grad_acc.b' });
    expect(s.apply.carry['params.w.next']).toBe('params.w');
    expect(s.apply.carry['adam_v.b.next']).toBe('adam_v.b');
    expect(s.apply.stateOutputs).toHaveLength(8);
    expect(s.apply.graph.outputs.map((o) => o.name)).toContain('grad_norm');
    expect(Object.keys(initialState(s, params0)).sort()).toEqual(
      ['adam_m.b', 'adam_m.w', 'adam_v.b', 'adam_v.w', 'grad_acc.b', 'grad_acc.w', 'params.b', 'params.w']);
    const bad = linearSpec(8);
    bad.batch = { ...bad.batch, step: { dtype: 'float32', shape: [] } };
    expect(() => buildTrainStep(bad, optim)).toThrow(/reserved/);
  });
});

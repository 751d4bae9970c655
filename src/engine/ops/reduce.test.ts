// Reduction and Softmax VJPs against finite differences; forward values against plain JS.
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { reduceLogSumExp, reduceMax, reduceMean, reduceProd, reduceSum, softmax } from './index';
import { checkGradients, runOnce, uniform } from '../testing';

const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed, lo, hi) });

/** Distinct values spaced >= 0.05 apart (no ties within a finite-difference step), shuffled. */
function distinct(n: number, seed: number): number[] {
  const r = uniform(n, seed);
  const order = [...r.keys()].sort((i, j) => r[i] - r[j]);
  const out = new Array<number>(n);
  order.forEach((i, rank) => { out[i] = -1 + rank * 0.05 + 0.01 * r[i]; });
  return out;
}

const cases: { axes?: number[]; keep: boolean }[] = [
  { axes: [1], keep: false }, { axes: [1], keep: true }, { axes: [0, 2], keep: false }, { axes: [-1], keep: true },
  { axes: undefined, keep: false }, { axes: [-3, -1], keep: true },
];

describe('ReduceSum / ReduceMean / ReduceMax / ReduceLogSumExp VJPs', () => {
  for (const { axes, keep } of cases) {
    const tag = `axes ${axes ? `[${axes}]` : 'all'}, keepdims ${keep}`;
    it(`ReduceSum: ${tag}`, async () => {
      await checkGradients(({ x }) => reduceSum(x, axes, keep), { x: rnd([2, 3, 4], 1) });
    });
    it(`ReduceMean: ${tag}`, async () => {
      await checkGradients(({ x }) => reduceMean(x, axes, keep), { x: rnd([2, 3, 4], 2) });
    });
    it(`ReduceMax: ${tag}`, async () => {
      await checkGradients(({ x }) => reduceMax(x, axes, keep), { x: { dims: [2, 3, 4], data: distinct(24, 3) } });
    });
    it(`ReduceLogSumExp: ${tag}`, async () => {
      await checkGradients(({ x }) => reduceLogSumExp(x, axes, keep), { x: rnd([2, 3, 4], 4, -3, 3) });
    });
  }

  it('ReduceMean: a symbolic dim on the reduced axis divides by the runtime count', async () => {
    for (const keep of [false, true]) {
      const r = await checkGradients(({ x }) => reduceMean(x, [0, 1], keep), { x: { ...rnd([3, 2, 2], 5), shape: ['B', 'T', 2] } });
      expect(r.outputs[0].dims).toEqual(keep ? [1, 1, 2] : [2]);
    }
  });

  it('ReduceSum: a symbolic reduced axis', async () => {
    await checkGradients(({ x }) => reduceSum(x, [1]), { x: { ...rnd([2, 5], 6), shape: [2, 'T'] } });
  });

  it('ReduceMax: tied maxima share the gradient equally', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    const { gradients } = await import('../autodiff');
    const [dx] = gradients(reduceSum(reduceMax(x, [1])), [x]);
    g.output('dx', dx);
    const out = await runOnce(g, { x: { dims: [2, 3], data: [1, 3, 3, 2, 2, 2] } });
    const third = Math.fround(1 / 3);
    expect(out.dx.data).toEqual([0, 0.5, 0.5, third, third, third]);
  });

  it('forward values: sum, mean, max, logsumexp and prod match plain JS', async () => {
    const data = uniform(6, 7, -2, 2).map(Math.fround);
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    g.output('s', reduceSum(x, [1]));
    g.output('m', reduceMean(x, [0]));
    g.output('mx', reduceMax(x, [1], true));
    g.output('l', reduceLogSumExp(x, [1]));
    g.output('p', reduceProd(x, [1]));
    g.output('id', reduceSum(x, []));
    const o = await runOnce(g, { x: { dims: [2, 3], data } });
    const row = (i: number) => data.slice(3 * i, 3 * i + 3);
    [0, 1].forEach((i) => {
      expect(o.s.data[i]).toBeCloseTo(row(i).reduce((a, b) => a + b), 5);
      expect(o.mx.data[i]).toBe(Math.max(...row(i)));
      expect(o.l.data[i]).toBeCloseTo(Math.log(row(i).reduce((a, b) => a + Math.exp(b), 0)), 5);
      expect(o.p.data[i]).toBeCloseTo(row(i).reduce((a, b) => a * b), 5);
    });
    [0, 1, 2].forEach((j) => expect(o.m.data[j]).toBeCloseTo((data[j] + data[j + 3]) / 2, 6));
    expect(o.mx.dims).toEqual([2, 1]);
    // Empty axes are a no-op (ONNX would otherwise reduce everything).
    expect(o.id.dims).toEqual([2, 3]);
  });
});

describe('Softmax VJP (dx = y (dy - sum(dy y)))', () => {
  for (const axis of [-1, 0, 1, 2]) {
    it(`Softmax: axis ${axis} of [2,3,4]`, async () => {
      const r = await checkGradients(({ x }) => softmax(x, axis), { x: rnd([2, 3, 4], 10 + axis, -2, 2) });
      if (axis === -1) {
        for (let i = 0; i < 6; i++) expect(r.outputs[0].data.slice(4 * i, 4 * i + 4).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
      }
    });
  }
});

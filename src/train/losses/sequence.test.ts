import { describe, expect, it } from 'vitest';
import { Graph, gradients, mul, reduceSum } from '../../engine';
import { dpoLoss } from './dpo';
import { nllFromStats, sequenceStats, stopGradient } from './sequence';
import { sortAscending } from './sort';
import { runGraph } from './testing';

describe('sequenceStats', () => {
  it('sums, counts and averages over the mask; NaN and -inf in padding never leak', async () => {
    const g = new Graph('stats');
    const x = g.input('x', 'float32', [2, 3]);
    const m = g.input('m', 'float32', [2, 3]);
    const s = sequenceStats(x, m, x);
    const loss = reduceSum(mul(s.sum, g.constant({ dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) })));
    for (const [k, v] of Object.entries({ sum: s.sum, count: s.count, mean: s.mean, logits: s.logitsSum! })) g.output(k, v);
    g.output('nll', nllFromStats(s));
    g.output('dx', gradients(loss, [x])[0]);
    const r = await runGraph(g, {
      x: { data: [-1, -2, NaN, -0.5, -Infinity, -Infinity], dims: [2, 3] },
      m: { data: [1, 1, 0, 1, 0, 0], dims: [2, 3] },
    });
    expect(r.sum).toEqual([-3, -0.5]);
    expect(r.count).toEqual([2, 1]);
    expect(r.mean).toEqual([-1.5, -0.5]);
    expect(r.logits).toEqual([-3, -0.5]);
    expect(r.nll[0]).toBeCloseTo(3.5 / 3, 6);
    expect(r.dx).toEqual([1, 1, 0, 2, 0, 0]); // d/dx of 1*sum_0 + 2*sum_1; zero at padding
  });

  it('an empty completion has mean 0, not NaN (count clamped at 1)', async () => {
    const g = new Graph('empty');
    const x = g.input('x', 'float32', [1, 2]);
    const m = g.input('m', 'float32', [1, 2]);
    g.output('mean', sequenceStats(x, m).mean);
    const r = await runGraph(g, { x: { data: [-1, -2], dims: [1, 2] }, m: { data: [0, 0], dims: [1, 2] } });
    expect(r.mean).toEqual([0]);
  });
});

describe('sortAscending', () => {
  for (const symbolic of [false, true]) {
    it(`sorts and routes gradients as torch.sort does${symbolic ? ' (symbolic batch)' : ''}`, async () => {
      const xs = [0.3, -2, 5, 0.3, -7, 1];
      const g = new Graph('sort');
      const x = g.input('x', 'float32', [symbolic ? 'batch' : xs.length]);
      const y = sortAscending(x);
      const w = g.constant({ dtype: 'float32', shape: [xs.length], data: Float32Array.from(xs.map((_, i) => i + 1)) });
      g.output('y', y);
      g.output('dx', gradients(reduceSum(mul(y, w)), [x])[0]); // dx_i = weight of the slot x_i lands in
      const r = await runGraph(g, { x: { data: xs, dims: [xs.length] } });
      expect(r.y).toEqual([...xs].sort((a, b) => a - b).map(Math.fround));
      // weights 1..6 by sorted slot; stable on the tie: the first 0.3 takes slot 3, the second slot 4
      expect(r.dx).toEqual([3, 2, 6, 4, 1, 5]);
    });
  }
});

describe('stopGradient and DPO options', () => {
  it('stopGradient passes values and blocks gradients', async () => {
    const g = new Graph('stop');
    const x = g.input('x', 'float32', [2]);
    const y = reduceSum(mul(stopGradient(x), x)); // d/dx = stop(x), not 2x
    g.output('dx', gradients(y, [x])[0]);
    const r = await runGraph(g, { x: { data: [3, -1], dims: [2] } });
    expect(r.dx).toEqual([3, -1]);
  });

  it('rejects inconsistent configurations', () => {
    const g = new Graph('cfg');
    const x = g.input('x', 'float32', [2, 3]);
    const m = g.input('m', 'float32', [2, 3]);
    const s = sequenceStats(x, m);
    expect(() => dpoLoss({ beta: 0.1, lossType: 'exo_pair' }, { chosen: s, rejected: s })).toThrow(/labelSmoothing/);
    expect(() => dpoLoss({ beta: 0.1, lossType: ['sigmoid', 'ipo'], lossWeights: [1] }, { chosen: s, rejected: s }))
      .toThrow(/lossWeights/);
    expect(() => dpoLoss({ beta: 0.1, lossType: [] }, { chosen: s, rejected: s })).toThrow(/at least one/);
  });
});

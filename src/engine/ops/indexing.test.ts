// Gather / GatherElements / Where VJPs against finite differences; forward values against JS.
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { gather, gatherElements, range, trilu, where } from './index';
import { checkGradients, runOnce, uniform } from '../testing';

const rnd = (dims: number[], seed: number) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed) });

describe('Gather VJP (scatter-add dy into zeros; repeated rows sum)', () => {
  for (const dtype of ['int64', 'int32'] as const) {
    it(`Gather: axis 0 embedding lookup with repeated ${dtype} indices`, async () => {
      const idx = { dims: [2, 3], data: [1, 3, 1, 0, 1, 3], dtype };
      const r = await checkGradients(({ e, i }) => gather(e, i, 0), { e: rnd([5, 4], 1), i: idx });
      expect(r.outputs[0].dims).toEqual([2, 3, 4]);
      // Row 2 and row 4 are never looked up: their gradient is exactly zero.
      expect(r.analytic.e.slice(8, 12)).toEqual([0, 0, 0, 0]);
      expect(r.analytic.e.slice(16, 20)).toEqual([0, 0, 0, 0]);
    });
  }
  it('Gather: axis 1 and axis -1 with a 2-D index, negative indices', async () => {
    await checkGradients(({ x, i }) => gather(x, i, 1), { x: rnd([2, 4, 3], 2), i: { dims: [2, 2], data: [3, 0, 3, -1], dtype: 'int64' } });
    await checkGradients(({ x, i }) => gather(x, i, -1), { x: rnd([2, 4, 3], 3), i: { dims: [4], data: [2, 2, 0, 1], dtype: 'int32' } });
  });
  it('Gather: scalar index drops the axis', async () => {
    const r = await checkGradients(({ x, i }) => gather(x, i, 1), { x: rnd([2, 3], 4), i: { dims: [], data: [2], dtype: 'int64' } });
    expect(r.outputs[0].dims).toEqual([2]);
  });
});

describe('GatherElements VJP (scatter-elements-add)', () => {
  it('GatherElements: axis -1 token picks with repeats, and axis 0', async () => {
    await checkGradients(({ x, i }) => gatherElements(x, i, -1), { x: rnd([2, 3, 5], 5), i: { dims: [2, 3, 2], data: [0, 0, 4, 1, 2, 2, 3, 3, 1, 0, 4, 4], dtype: 'int64' } });
    await checkGradients(({ x, i }) => gatherElements(x, i, 0), { x: rnd([3, 2], 6), i: { dims: [2, 2], data: [2, 0, 2, 2], dtype: 'int32' } });
  });
});

describe('Where VJP (dy to the chosen branch, zeros to the other)', () => {
  it('Where: broadcast condition [3], branches [2,3] and [2,1]', async () => {
    const r = await checkGradients(({ c, a, b }) => where(c, a, b), {
      c: { dims: [3], data: [1, 0, 1], dtype: 'bool' }, a: rnd([2, 3], 7), b: rnd([2, 1], 8),
    });
    expect([r.analytic.a[1], r.analytic.a[4]]).toEqual([0, 0]);
  });
});

describe('forward-only index ops', () => {
  it('Trilu and Range', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3, 3]);
    g.output('lo', trilu(x, false));
    g.output('up', trilu(x, true, 1));
    g.output('r', range(g, 4, 'int32'));
    const o = await runOnce(g, { x: { dims: [3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] } });
    expect(o.lo.data).toEqual([1, 0, 0, 4, 5, 0, 7, 8, 9]);
    expect(o.up.data).toEqual([0, 2, 3, 0, 0, 6, 0, 0, 0]);
    expect(o.r.data).toEqual([0, 1, 2, 3]);
  });
  it('Trilu VJP: the same triangle of dy', async () => {
    await checkGradients(({ x }) => [trilu(x, false), trilu(x, true, 1)], { x: rnd([3, 4], 9) });
  });
});

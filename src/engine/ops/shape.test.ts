// Shape and layout VJPs against finite differences; forward layouts against plain JS.
import { describe, expect, it } from 'vitest';
import { gradients } from '../autodiff';
import { Graph } from '../graph';
import {
  cast, concat, expand, expandAs, identity, mul, pad, reshape, slice, split, squeeze, transpose, unsqueeze,
} from './index';
import { checkGradients, runOnce, uniform } from '../testing';

const rnd = (dims: number[], seed: number) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed) });
const iota = (n: number) => [...Array(n).keys()];

describe('Reshape VJP (reshape dy back to the input shape)', () => {
  it('Reshape: fixed target, 0 copies a dim, -1 infers one', async () => {
    for (const target of [[6, 4], [0, -1], [-1, 2, 2], [2, 0, 2, 2]]) {
      const r = await checkGradients(({ x }) => reshape(x, target), { x: rnd([2, 3, 4], 1) });
      expect(r.outputs[0].data).toEqual(rnd([2, 3, 4], 1).data.map(Math.fround));
    }
  });
  it('Reshape: symbolic batch with 0 and -1 infers the static shape where it can', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 'T', 4]);
    expect(reshape(x, [0, 0, 2, 2]).shape).toEqual(['B', 'T', 2, 2]);
    expect(reshape(x, [0, -1]).shape).toEqual(['B', 'T*4']);
    expect(reshape(x, [0, 0, -1, 2]).shape).toEqual(['B', 'T', 2, 2]);
    const r = await checkGradients(({ x: v }) => reshape(v, [0, -1, 2]), { x: { ...rnd([3, 2, 4], 2), shape: ['B', 2, 4] } });
    expect(r.outputs[0].dims).toEqual([3, 4, 2]);
  });
});

describe('Transpose VJP (transpose dy by the inverse permutation)', () => {
  it('Transpose: 3-D permutations, default reverse, negative axes', async () => {
    for (const perm of [[1, 2, 0], [2, 0, 1], [0, 2, 1], undefined, [-1, 0, -2]]) {
      const r = await checkGradients(({ x }) => transpose(x, perm), { x: rnd([2, 3, 4], 3) });
      const p = (perm ?? [2, 1, 0]).map((a) => (a + 3) % 3);
      expect(r.outputs[0].dims).toEqual(p.map((a) => [2, 3, 4][a]));
    }
  });
  it('Transpose: forward layout', async () => {
    const g = new Graph();
    g.output('y', transpose(g.input('x', 'float32', [2, 3]), [1, 0]));
    const o = await runOnce(g, { x: { dims: [2, 3], data: iota(6) } });
    expect(o.y.data).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('Concat / Split VJPs', () => {
  it('Concat: gradient splits back along axis 0, 1 and -1', async () => {
    for (const axis of [0, 1, -1]) {
      const dims = (n: number) => [2, 3].map((d, i) => (i === (axis + 2) % 2 ? n : d));
      await checkGradients(({ a, b, c }) => concat([a, b, c], axis), { a: rnd(dims(1), 4), b: rnd(dims(2), 5), c: rnd(dims(3), 6) });
    }
  });
  it('Concat: a symbolic size on the concat axis', async () => {
    const r = await checkGradients(({ a, b }) => concat([a, b], 1), {
      a: { ...rnd([2, 3], 7), shape: [2, 'T'] }, b: rnd([2, 2], 8),
    });
    expect(r.outputs[0].dims).toEqual([2, 5]);
  });
  it('Split: gradient concatenates, with zeros for an unused output', async () => {
    const r = await checkGradients(({ x }) => {
      const [p, , q] = split(x, [1, 2, 2], 1);
      return [p, q];
    }, { x: rnd([2, 5], 9) });
    const gx = r.analytic.x;
    expect([gx[1], gx[2], gx[6], gx[7]]).toEqual([0, 0, 0, 0]);
  });
});

describe('Slice / Pad VJPs', () => {
  it('Slice: positive, negative and clamped bounds on several axes', async () => {
    const cases: [number[], number[], number[]][] = [
      [[1], [3], [1]], [[-3], [-1], [1]], [[0, 1], [100, Infinity], [0, 2]], [[-10], [2], [-1]], [[2], [1], [1]],
    ];
    for (const [s, e, ax] of cases) {
      await checkGradients(({ x }) => slice(x, s, e, ax), { x: rnd([3, 4, 3], 10) });
    }
  });
  it('Slice: forward values of x[:, -3:-1] and an empty slice', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 4]);
    g.output('y', slice(x, [-3], [-1], [1]));
    const e = g.output('e', slice(x, [3], [1], [1]));
    expect(e.shape).toEqual([2, 0]);
    const o = await runOnce(g, { x: { dims: [2, 4], data: iota(8) } });
    expect(o.y.data).toEqual([1, 2, 5, 6]);
    expect(o.e.dims).toEqual([2, 0]);
  });
  it('Slice: symbolic sequence axis, x[:, :-1], x[:, 1:], x[:, -2:], x[:, 1:3]', async () => {
    const r = await checkGradients(({ x }) => [
      slice(x, [0], [-1], [1]), slice(x, [1], [Infinity], [1]), slice(x, [-2], [Infinity], [1]), slice(x, [1], [3], [1]),
    ], { x: { ...rnd([2, 5], 11), shape: [2, 'T'] } });
    expect(r.outputs.map((o) => o.dims)).toEqual([[2, 4], [2, 4], [2, 2], [2, 2]]);
  });
  it('Pad: gradient is the interior slice of dy', async () => {
    const r = await checkGradients(({ x }) => pad(x, [1, 0, 2, 3]), { x: rnd([2, 3], 12) });
    expect(r.outputs[0].dims).toEqual([5, 6]);
    await checkGradients(({ x }) => pad(x, [0, 2, 0, 1]), { x: { ...rnd([3, 2], 13), shape: ['B', 2] } });
  });
});

describe('Unsqueeze / Squeeze / Expand VJPs', () => {
  it('Unsqueeze: axes 0, -1, and [1, 3]', async () => {
    for (const axes of [[0], [-1], [1, 3]]) await checkGradients(({ x }) => unsqueeze(x, axes), { x: rnd([2, 3], 14) });
  });
  it('Squeeze: axes 1, -1 and [0, 2]', async () => {
    await checkGradients(({ x }) => squeeze(x, [1]), { x: rnd([2, 1, 3], 15) });
    await checkGradients(({ x }) => squeeze(x, [-1]), { x: rnd([2, 3, 1], 16) });
    await checkGradients(({ x }) => squeeze(x, [0, 2]), { x: rnd([1, 3, 1], 17) });
  });
  it('Expand: the gradient sums the broadcast axes (added leading dims and size-1 dims)', async () => {
    await checkGradients(({ x }) => expand(x, [2, 3, 4]), { x: rnd([3, 1], 18) });
    await checkGradients(({ x }) => expand(x, [4, 3]), { x: rnd([3], 19) });
  });
  it('Expand: the output shape is the broadcast of input and target, as ONNX defines it', async () => {
    const r = await checkGradients(({ x }) => expand(x, [1, 4]), { x: rnd([3, 1], 20) });
    expect(r.outputs[0].dims).toEqual([3, 4]);
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    expect(expand(x, [3]).shape).toEqual([2, 3]);
    expect(expandAs(g.input('s', 'float32', [1]), g.input('l', 'float32', ['B', 2])).shape).toEqual(['B', 2]);
  });
});

describe('Cast / Identity VJPs', () => {
  it('Identity and float32 identity-cast pass dy through', async () => {
    await checkGradients(({ x }) => mul(identity(x), cast(x, 'float32')), { x: rnd([4], 21) });
  });
  it('Cast: an int input gets no gradient (an int-to-float cast cuts the graph)', async () => {
    const g = new Graph();
    const i = g.input('i', 'int64', [3]);
    const x = g.input('x', 'float32', [3]);
    const y = mul(cast(i, 'float32'), x);
    const [di, dx] = gradients(mul(y, 2), [i, x]);
    g.output('dx', dx);
    g.output('di', di);
    const o = await runOnce(g, { i: { dims: [3], data: [1, 2, 3], dtype: 'int64' }, x: { dims: [3], data: [5, 6, 7] } });
    expect(o.dx.data).toEqual([2, 4, 6]);
    expect(o.di.data).toEqual([0, 0, 0]);
  });
  it('Cast: float32 -> float16 -> float32 carries the gradient (cast back)', async () => {
    await checkGradients(({ x }) => cast(mul(cast(x, 'float16'), cast(x, 'float16')), 'float32'), { x: { dims: [3], data: [0.5, -1, 2] } }, { atol: 2e-2, rtol: 1e-2 });
  });
});

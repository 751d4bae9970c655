// The reverse pass: accumulation, unused inputs, missing rules, custom-gradient regions.
import { describe, expect, it } from 'vitest';
import { customGradient, gradients } from './autodiff';
import { Graph, type Value } from './graph';
import { add, conv1d, exp, matmul, mul, reduceProd, reduceSum, sin, sub, tanh, unsqueeze } from './ops';
import { checkGradients, runOnce, uniform } from './testing';

const rnd = (dims: number[], seed: number) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed) });

describe('gradients()', () => {
  it('accumulates a value used twice in one op: d(x*x) = 2x', async () => {
    const r = await checkGradients(({ x }) => mul(x, x), { x: rnd([5], 1) });
    const w = uniform(5, 1);
    r.analytic.x.forEach((g, i) => expect(g).toBeCloseTo(2 * Math.fround(rnd([5], 1).data[i]) * w[i], 5));
  });

  it('accumulates fan-out through several paths (value used by three consumers)', async () => {
    await checkGradients(({ x, w }) => {
      const h = tanh(matmul(x, w));
      return add(mul(h, sin(h)), sub(exp(h), reduceSum(h, [1], true)));
    }, { x: rnd([3, 4], 2), w: rnd([4, 3], 3) });
  });

  it('gives zeros (of the right shape) to an input that does not affect the loss', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [3]);
    const unused = g.input('u', 'float32', ['B', 2]);
    const [dx, du] = gradients(reduceSum(mul(x, 3)), [x, unused]);
    g.output('dx', dx);
    g.output('du', du);
    const o = await runOnce(g, { x: { dims: [3], data: [1, 2, 3] }, u: { dims: [4, 2], data: uniform(8, 4) } });
    expect(o.dx.data).toEqual([3, 3, 3]);
    expect(o.du.dims).toEqual([4, 2]);
    expect(o.du.data).toEqual(new Array(8).fill(0));
  });

  it('gradient of the loss with respect to itself is 1, and `seed` scales the result', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const y = mul(x, x);
    const [dy, dx] = gradients(y, [y, x], g.constant({ dtype: 'float32', shape: [2], data: new Float32Array([10, -1]) }));
    g.output('dy', dy);
    g.output('dx', dx);
    const o = await runOnce(g, { x: { dims: [2], data: [3, 4] } });
    expect(o.dy.data).toEqual([10, -1]);
    expect(o.dx.data).toEqual([60, -8]);
  });

  it('throws a clear error naming the op when a needed VJP is missing', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [1, 2, 5]);
    const w = g.input('w', 'float32', [3, 2, 3]);
    expect(() => gradients(reduceSum(conv1d(x, w, null)), [w])).toThrow(/no gradient rule for ONNX op Conv/);
    expect(() => gradients(reduceProd(x), [x])).toThrow(/ReduceProd/);
  });

  it('does not need a VJP for ops that no wrt value flows through', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [1, 2, 5]);
    const w = g.input('w', 'float32', [3, 2, 3]);
    const s = g.input('s', 'float32', [3]);
    const [ds] = gradients(reduceSum(mul(conv1d(x, w, null), unsqueeze(s, [0, 2]))), [s]);
    g.output('ds', ds);
    const o = await runOnce(g, { x: { dims: [1, 2, 5], data: new Array(10).fill(1) }, w: { dims: [3, 2, 3], data: new Array(18).fill(1) }, s: { dims: [3], data: [0, 0, 0] } });
    expect(o.ds.data).toEqual([18, 18, 18]); // 3 outputs of value 6 per channel
  });
});

describe('customGradient regions', () => {
  it('a two-output region is applied after every consumer of either output', async () => {
    // y1 is made, consumed, and only then y2 is made: the region's VJP must see y1's full dy.
    const build = ({ x }: Record<string, Value>) => {
      const y1 = mul(x, 2);
      const c1 = tanh(y1);
      const y2 = mul(x, 3);
      customGradient([x], [y1, y2], ([d1, d2]) => [add(mul(d1 ?? zero(x), 2), mul(d2 ?? zero(x), 3))]);
      return [c1, mul(y2, y1)];
    };
    await checkGradients(build, { x: rnd([4], 5) });
  });

  it('an interior value also used outside the region still gets its exact gradient', async () => {
    const build = ({ x }: Record<string, Value>) => {
      const inner = exp(x);
      const y = mul(inner, 2);
      customGradient([x], [y], ([dy]) => [mul(mul(dy!, exp(x)), 2)]);
      return [y, sin(inner)];
    };
    await checkGradients(build, { x: rnd([4], 6) });
  });
});

const zero = (x: Value) => x.graph.scalar(0);

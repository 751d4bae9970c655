// Elementwise VJPs against central finite differences on ORT (WASM), forward values against Math.
import { describe, expect, it } from 'vitest';
import {
  abs, add, cos, div, erf, exp, log, maximum, minimum, mul, neg, pow, reciprocal, relu, sigmoid, sin, sqrt, sub, tanh,
} from './index';
import { gradients } from '../autodiff';
import { Graph, type Value } from '../graph';
import { and, equal, greater, greaterOrEqual, less, lessOrEqual, not, or, reduceSum, sign } from './index';
import { awayFromZero, checkGradients, runOnce, uniform } from '../testing';

const f = (dims: number[], data: number[]) => ({ dims, data });
const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => f(dims, uniform(dims.reduce((a, b) => a * b, 1), seed, lo, hi));

type Bin = (a: Value, b: Value) => Value;
const binaries: [string, Bin][] = [['Add', add], ['Sub', sub], ['Mul', mul], ['Div', div]];
// Divisors are kept in [0.5, 1.5] so 1/b is well conditioned.
const bIn = (dims: number[], seed: number) => rnd(dims, seed, 0.5, 1.5);

describe('binary broadcasting VJPs reduce to each input shape', () => {
  for (const [name, op] of binaries) {
    it(`${name}: same shape`, async () => {
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 3], 1), b: bIn([2, 3], 2) });
    });
    it(`${name}: scalar operand on either side`, async () => {
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 3], 3), b: bIn([], 4) });
      await checkGradients(({ a, b }) => op(b, a), { a: bIn([2, 3], 5), b: rnd([], 6) });
    });
    it(`${name}: row [3] and column [2,1] against [2,3]`, async () => {
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 3], 7), b: bIn([3], 8) });
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 3], 9), b: bIn([2, 1], 10) });
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 1], 11), b: bIn([1, 3], 12) });
    });
    it(`${name}: leading dims [2,1,3] with [4,1]`, async () => {
      await checkGradients(({ a, b }) => op(a, b), { a: rnd([2, 1, 3], 13), b: bIn([4, 1], 14) });
    });
    it(`${name}: symbolic ['B',3] fed a batch of 4, with a row [3]`, async () => {
      await checkGradients(({ a, b }) => op(a, b), {
        a: { ...rnd([4, 3], 15), shape: ['B', 3] },
        b: bIn([3], 16),
      });
      await checkGradients(({ a, b }) => op(b, a), {
        a: { ...bIn([4, 3], 17), shape: ['B', 3] },
        b: { ...rnd([4, 1], 18), shape: ['B', 1] },
      });
    });
  }
  it('a plain number operand is lifted to a constant and gets no gradient', async () => {
    const a = uniform(5, 19);
    const r = await checkGradients(({ a: x }) => add(mul(sub(2, x), 3), div(1, add(x, 2))), { a: f([5], a) });
    r.outputs[0].data.forEach((y, i) => expect(y).toBeCloseTo((2 - a[i]) * 3 + 1 / (a[i] + 2), 5));
  });
});

describe('Pow VJP', () => {
  it('Pow: gradient to the base and to the exponent (positive base)', async () => {
    await checkGradients(({ a, b }) => pow(a, b), { a: rnd([2, 3], 20, 0.5, 2), b: rnd([2, 3], 21, -1.5, 2.5) });
  });
  it('Pow: broadcast exponent [3] and constant exponents', async () => {
    await checkGradients(({ a, b }) => pow(a, b), { a: rnd([2, 3], 22, 0.5, 2), b: rnd([3], 23, -1, 2) });
    // A constant integer exponent with a negative base: only the base's gradient exists.
    await checkGradients(({ a }) => add(pow(a, 3), pow(a, 2)), { a: f([6], awayFromZero(6, 24, 0.2)) });
  });
});

type Un = (x: Value) => Value;
const unaries: { name: string; op: Un; lo?: number; hi?: number; ref: (x: number) => number; kink?: boolean }[] = [
  { name: 'Neg', op: neg, ref: (x) => -x },
  { name: 'Exp', op: exp, lo: -2, hi: 2, ref: Math.exp },
  { name: 'Log', op: log, lo: 0.3, hi: 3, ref: Math.log },
  { name: 'Sqrt', op: sqrt, lo: 0.3, hi: 3, ref: Math.sqrt },
  { name: 'Tanh', op: tanh, lo: -2, hi: 2, ref: Math.tanh },
  { name: 'Erf', op: erf, lo: -2, hi: 2, ref: erfRef },
  { name: 'Sigmoid', op: sigmoid, lo: -4, hi: 4, ref: (x) => 1 / (1 + Math.exp(-x)) },
  { name: 'Relu', op: relu, ref: (x) => Math.max(x, 0), kink: true },
  { name: 'Abs', op: abs, ref: Math.abs, kink: true },
  { name: 'Sin', op: sin, lo: -3, hi: 3, ref: Math.sin },
  { name: 'Cos', op: cos, lo: -3, hi: 3, ref: Math.cos },
  { name: 'Reciprocal', op: reciprocal, lo: 0.5, hi: 2, ref: (x) => 1 / x },
];

describe('unary VJPs and forward values', () => {
  for (const u of unaries) {
    it(`${u.name}: VJP matches finite differences; forward matches Math`, async () => {
      const n = 12;
      // Kinked ops get inputs at least 0.1 (= 10 steps) away from 0 on both sides.
      const data = u.kink ? awayFromZero(n, 30) : uniform(n, 31, u.lo ?? -1, u.hi ?? 1);
      const r = await checkGradients(({ x }) => u.op(x), { x: f([3, 4], data) });
      r.outputs[0].data.forEach((y, i) => expect(y).toBeCloseTo(u.ref(Math.fround(data[i])), 5));
    });
  }
});

describe('Min/Max VJP', () => {
  it('Max and Min route the gradient to the larger/smaller operand, with broadcasting', async () => {
    // b is a shifted copy of a so no element pair is within 2 steps of a tie.
    const a = uniform(6, 40);
    const b = a.map((v, i) => v + (i % 2 ? 0.3 : -0.3));
    await checkGradients(({ a: x, b: y }) => [maximum(x, y), minimum(x, y)], { a: f([2, 3], a), b: f([2, 3], b) });
    await checkGradients(({ a: x, b: y }) => [maximum(x, y), minimum(x, y)], { a: f([2, 3], [-0.9, 0.6, -0.5, 0.8, -0.2, 0.7]), b: f([3], [0.1, 0.2, -0.3]) });
  });
});

describe('forward-only elementwise ops (all on ops with WebGPU kernels)', () => {
  it('sign, comparisons and logic: values; maximum/minimum ties give the gradient to the first operand', async () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [4]);
    const b = g.input('b', 'float32', [4]);
    g.output('sign', sign(a));
    const cmp = { eq: equal(a, b), lt: less(a, b), le: lessOrEqual(a, b), gt: greater(a, b), ge: greaterOrEqual(a, b) };
    for (const [k, v] of Object.entries(cmp)) g.output(k, v);
    g.output('and', and(cmp.le, cmp.ge));
    g.output('or', or(cmp.lt, cmp.gt));
    g.output('not', not(cmp.eq));
    const [da, db] = gradients(reduceSum(add(maximum(a, b), mul(minimum(a, b), 10))), [a, b]);
    g.output('da', da);
    g.output('db', db);
    const o = await runOnce(g, { a: { dims: [4], data: [-2, 0, 3, 1] }, b: { dims: [4], data: [1, 0, 3, -1] } });
    expect(o.sign.data).toEqual([-1, 0, 1, 1]);
    expect(o.eq.data).toEqual([0, 1, 1, 0]);
    expect(o.lt.data).toEqual([1, 0, 0, 0]);
    expect(o.le.data).toEqual([1, 1, 1, 0]);
    expect(o.gt.data).toEqual([0, 0, 0, 1]);
    expect(o.ge.data).toEqual([0, 1, 1, 1]);
    expect(o.and.data).toEqual([0, 1, 1, 0]);
    expect(o.or.data).toEqual([1, 0, 0, 1]);
    expect(o.not.data).toEqual([1, 0, 0, 1]);
    expect(o.da.data).toEqual([10, 11, 11, 1]); // ties (indices 1, 2): max and min both pick a
    expect(o.db.data).toEqual([1, 0, 0, 10]);
  });
});

/** erf by Abramowitz-Stegun 7.1.26 is too coarse; use the series / continued fraction via Math. */
function erfRef(x: number): number {
  // Series sum_{n} (-1)^n x^(2n+1) / (n! (2n+1)) * 2/sqrt(pi): converges fast for |x| <= 2.
  let term = x;
  let s = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    s += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * s;
}

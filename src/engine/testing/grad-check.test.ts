// The harness itself: it must pass right rules, reject wrong ones, and be accurate.
import { describe, expect, it } from 'vitest';
import { customGradient } from '../autodiff';
import { type Value } from '../graph';
import { exp, mul, sin, sub, tanh } from '../ops';
import { checkGradients, uniform } from './index';

/** tanh with a custom VJP scaled by `k` (k = 1 is the true rule). */
function scaledTanh(x: Value, k: number): Value {
  const y = tanh(x);
  customGradient([x], [y], ([dy]) => [mul(mul(dy!, sub(1, mul(y, y))), k)]);
  return y;
}

describe('checkGradients', () => {
  it('agrees with closed-form derivatives to 1e-4 (fourth-order stencil, float64 loss)', async () => {
    const x = uniform(8, 1, -1.5, 1.5);
    const r = await checkGradients(({ x: v }) => mul(sin(v), exp(v)), { x: { dims: [8], data: x } });
    const w = uniform(8, 1, -1, 1); // the harness's loss weights for output 0 (seed 1)
    r.numeric.x.forEach((n, i) => {
      const xi = Math.fround(x[i]);
      expect(Math.abs(n - w[i] * (Math.cos(xi) + Math.sin(xi)) * Math.exp(xi))).toBeLessThan(1e-4);
    });
    expect(r.worst).toBeLessThan(0.2);
  });

  it('passes the true custom VJP and rejects one off by a factor of 1.01', async () => {
    const x = { x: { dims: [6], data: uniform(6, 2) } };
    await checkGradients(({ x: v }) => scaledTanh(v, 1), x);
    await expect(checkGradients(({ x: v }) => scaledTanh(v, 1.01), x)).rejects.toThrow(/gradient check failed/);
  });

  it('rejects a VJP with the wrong sign on one input and names that input', async () => {
    const wrongMul = (a: Value, b: Value) => {
      const y = mul(a, b);
      customGradient([a, b], [y], ([dy]) => [mul(dy!, b), mul(mul(dy!, a), -1)]);
      return y;
    };
    await expect(checkGradients(({ a, b }) => wrongMul(a, b), {
      a: { dims: [4], data: uniform(4, 3) }, b: { dims: [4], data: uniform(4, 4) },
    })).rejects.toThrow(/\n {2}b\[\d\]/);
  });
});

import { describe, expect, it } from 'vitest';
import { Graph, gradients, log, sub, exp } from '../../engine';
import golden from '../../../tests/golden/losses/losses.json';
import { log1mexp } from './log1mexp';
import { runGraph } from './testing';

/** y = log1mexp(x) and dy/dx for a vector of points, on the WASM EP. */
async function evalLog1mexp(xs: number[]): Promise<{ y: number[]; dy: number[] }> {
  const g = new Graph('log1mexp');
  const x = g.input('x', 'float32', [xs.length]);
  const y = log1mexp(x);
  g.output('y', y);
  g.output('dy', gradients(y, [x])[0]);
  const r = await runGraph(g, { x: { data: xs, dims: [xs.length] } });
  return { y: r.y, dy: r.dy };
}

describe('log1mexp', () => {
  it('matches float64 log(1 - e^x) and its derivative across all three branches', async () => {
    const { x, y, dy } = golden.log1mexp;
    const r = await evalLog1mexp(x);
    x.forEach((_, i) => {
      // Relative accuracy everywhere, from -1e-9 (y = -20.7) to -80 (y = -1.8e-35).
      expect(Math.abs(r.y[i] - y[i]) / Math.abs(y[i]), `y at ${x[i]}`).toBeLessThan(1e-6);
      expect(Math.abs(r.dy[i] - dy[i]) / Math.abs(dy[i]), `dy at ${x[i]}`).toBeLessThan(2e-6);
    });
  });

  it('the naive log(1 - exp(x)) is what it replaces: it fails near 0', async () => {
    const g = new Graph('naive');
    const x = g.input('x', 'float32', [2]);
    g.output('y', log(sub(1, exp(x))));
    const r = await runGraph(g, { x: { data: [-1e-9, -1e-6], dims: [2] } });
    expect(r.y[0]).toBe(-Infinity);
    expect(Math.abs(r.y[1] - Math.log(-Math.expm1(Math.fround(-1e-6))))).toBeGreaterThan(1e-2);
  });

  it('its custom VJP agrees with central finite differences of the forward graph', async () => {
    const xs = [-1e-6, -1e-3, -0.2, -0.69, -0.7, -1.5, -2.3, -2.31, -4, -9, -30];
    // Step 1% of min(|x|, 1): f32 forward noise over 2h stays below 1e-4 relative and the
    // truncation error h^2 f'''/(6 f') below 1e-4.
    const step = xs.map((v) => 1e-2 * Math.min(Math.abs(v), 1));
    const plus = xs.map((v, i) => v + step[i]);
    const minus = xs.map((v, i) => v - step[i]);
    const [c, p, m] = await Promise.all([evalLog1mexp(xs), evalLog1mexp(plus), evalLog1mexp(minus)]);
    xs.forEach((v, i) => {
      const h = Math.fround(plus[i]) - Math.fround(minus[i]);
      const fd = (p.y[i] - m.y[i]) / h;
      // FD truncation error is O(rel^2) relative for these smooth functions of log|x| scale.
      expect(Math.abs(fd - c.dy[i]) / Math.abs(c.dy[i]), `at ${v}`).toBeLessThan(2e-3);
    });
  });

  it('is continuous at the branch points -ln 2 and -ln 10', async () => {
    const pts = [-Math.LN2, -Math.LN10];
    const xs = pts.flatMap((p) => [p * (1 - 1e-6), p * (1 + 1e-6)]);
    const r = await evalLog1mexp(xs);
    for (let k = 0; k < pts.length; k++) {
      const want = Math.log(-Math.expm1(pts[k]));
      expect(Math.abs(r.y[2 * k] - want) / Math.abs(want)).toBeLessThan(3e-6);
      expect(Math.abs(r.y[2 * k + 1] - want) / Math.abs(want)).toBeLessThan(3e-6);
    }
  });

  it('returns -inf at 0 with a finite-sign gradient, not NaN', async () => {
    const r = await evalLog1mexp([0]);
    expect(r.y[0]).toBe(-Infinity);
    expect(r.dy[0]).toBe(-Infinity);
  });
});

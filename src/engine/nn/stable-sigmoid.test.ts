import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { gradients } from '../autodiff';
import { logSigmoid, stableSigmoid } from './index';
import { runOnce } from '../testing';

const xs = [-80, -30, -15, -10, -1, 0, 0.5, 10, 15, 30, 80];
const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

// ONNX Sigmoid loses relative accuracy in its tails on ORT's CPU/WASM kernel; these must not.
describe('stableSigmoid and logSigmoid', () => {
  it('are relatively accurate in both tails, values and gradients', async () => {
    const g = new Graph('stable');
    const x = g.input('x', 'float32', [xs.length]);
    const s = stableSigmoid(x);
    const ls = logSigmoid(x);
    g.output('s', s);
    g.output('ls', ls);
    g.output('ds', gradients(s, [x])[0]);
    g.output('dls', gradients(ls, [x])[0]);
    const out = await runOnce(g, { x: { data: xs, dims: [xs.length] } });
    const r = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data]));
    xs.forEach((v, i) => {
      const want = sig(v);
      if (want > 1e-37) expect(rel(r.s[i], want), `s(${v})`).toBeLessThan(1e-6); // below: f32 denormals
      expect(rel(r.dls[i], sig(-v)), `d log s(${v})`).toBeLessThan(sig(-v) > 1e-37 ? 1e-6 : Infinity);
      const ds = sig(v) * sig(-v);
      if (ds > 1e-37) expect(rel(r.ds[i], ds), `s'(${v})`).toBeLessThan(2e-6);
      // log s(x) = -softplus(-x): absolute accuracy (relative where |log s| is not tiny)
      const lsWant = v < 0 ? v - Math.log1p(Math.exp(v)) : -Math.log1p(Math.exp(-v));
      expect(Math.abs(r.ls[i] - lsWant), `log s(${v})`).toBeLessThan(1e-6 * Math.max(1, Math.abs(lsWant)));
    });
  });
});

import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import fixture from '../../../tests/golden/engine/optim.json';
import { Graph } from '../graph';
import { GraphSession, type Tensor, tensor } from '../session';
import { adamwUpdate, biasCorrection } from './adamw';

type Case = typeof fixture.adamw_decay;
const f32 = (xs: number[]) => Float32Array.from(xs);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** An AdamW graph over parameters of the given shapes: p, g, m, v, lr, step -> p', m', v'. */
async function adamwSession(shapes: number[][], o: { beta1: number; beta2: number; eps: number; weightDecay: number }) {
  const g = new Graph('adamw');
  const io = (k: string) => shapes.map((s, i) => g.input(`${k}${i}`, 'float32', s));
  const [p, gr, m, v] = [io('p'), io('g'), io('m'), io('v')];
  const lr = g.input('lr', 'float32', []);
  const step = g.input('step', 'float32', []);
  const out = adamwUpdate(p, gr, m, v, { lr, step, ...o });
  shapes.forEach((_, i) => { g.output(`p${i}_out`, out.params[i]); g.output(`m${i}_out`, out.m[i]); g.output(`v${i}_out`, out.v[i]); });
  return GraphSession.create(ort, g, { backend: 'wasm' });
}

/** Run `case` through the graph, feeding each step's outputs back; returns per-step states. */
async function runCase(c: Case, weightDecay = c.weight_decay) {
  const s = await adamwSession(c.shapes, { beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay });
  const t = (xs: number[] | Float32Array, dims: number[]): Tensor => tensor(ort, 'float32', Float32Array.from(xs), dims);
  let p = c.init.map((x, i) => t(x, c.shapes[i]));
  let m = c.shapes.map((s) => t(new Float32Array(size(s)), s));
  let v = m;
  const states = [];
  for (const [k, st] of c.steps.entries()) {
    const feeds: Record<string, Tensor> = { lr: t([st.lr], []), step: t([k + 1], []) };
    c.shapes.forEach((sh, i) => { feeds[`p${i}`] = p[i]; feeds[`g${i}`] = t(st.grads[i], sh); feeds[`m${i}`] = m[i]; feeds[`v${i}`] = v[i]; });
    const out = await s.run(feeds);
    p = c.shapes.map((_, i) => out[`p${i}_out`]);
    m = c.shapes.map((_, i) => out[`m${i}_out`]);
    v = c.shapes.map((_, i) => out[`v${i}_out`]);
    states.push({ p: p.map((x) => x.data as Float32Array), m: m.map((x) => x.data as Float32Array), v: v.map((x) => x.data as Float32Array) });
  }
  return states;
}

function expectClose(got: Float32Array, want: number[], rtol: number, atol: number) {
  expect(got.length).toBe(want.length);
  got.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThanOrEqual(atol + rtol * Math.abs(want[i])));
}

/** AdamW in float64, written out from the PyTorch docs' algorithm. */
function adamwReference(p0: number[], grads: number[][], lrs: number[], o: { beta1: number; beta2: number; eps: number; wd: number }) {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] -= lrs[k] * o.wd * p[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      const mHat = m[i] / (1 - o.beta1 ** t);
      const vHat = v[i] / (1 - o.beta2 ** t);
      p[i] -= (lrs[k] * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  });
  return { p, m, v };
}

describe('adamwUpdate', () => {
  it('matches hand-computed AdamW over one and several steps, with and without weight decay', async () => {
    const p0 = [0.5, -1.5, 2, 1e-3];
    const grads = [[0.1, -0.2, 0.3, 0], [0.05, 0.4, -0.1, 1e-4], [-0.3, 0.1, 0.2, 2e-4]];
    const lrs = [0.1, 0.05, 0.2];
    for (const wd of [0, 0.3]) {
      const c = {
        beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: wd, shapes: [[4]], init: [p0],
        steps: grads.map((g, k) => ({ lr: lrs[k], grads: [g], params: [], m: [], v: [] })),
      } as unknown as Case;
      const got = await runCase(c);
      for (let n = 1; n <= grads.length; n++) {
        const ref = adamwReference(p0, grads.slice(0, n), lrs, { beta1: 0.9, beta2: 0.999, eps: 1e-8, wd });
        expectClose(got[n - 1].p[0], ref.p, 1e-6, 1e-7);
        expectClose(got[n - 1].m[0], ref.m, 1e-6, 1e-9);
        expectClose(got[n - 1].v[0], ref.v, 1e-6, 1e-12);
      }
    }
  });

  it('applies decoupled weight decay p -= lr wd p before the Adam step', async () => {
    const c = fixture.adamw_decay;
    const [withWd, without] = [await runCase(c), await runCase(c, 0)];
    // After one step the only difference is the decay term (m, v do not see it).
    const lr = c.steps[0].lr;
    withWd[0].p[0].forEach((x, i) => expect(x - without[0].p[0][i]).toBeCloseTo(-lr * c.weight_decay * c.init[0][i], 6));
    expect(withWd[0].m[0]).toEqual(without[0].m[0]);
  });

  for (const key of ['adamw_decay', 'adamw_no_decay'] as const) {
    it(`matches torch.optim.AdamW step by step (${key})`, async () => {
      const c = fixture[key];
      const got = await runCase(c);
      c.steps.forEach((st, k) => {
        st.params.forEach((want, i) => expectClose(got[k].p[i], want, 2e-6, 2e-7));
        st.m.forEach((want, i) => expectClose(got[k].m[i], want, 1e-5, 1e-9));
        st.v.forEach((want, i) => expectClose(got[k].v[i], want, 1e-5, 1e-12));
      });
    });
  }
});

describe('biasCorrection', () => {
  it('computes 1 - beta^t to float32 precision for small and large t', async () => {
    const ts = [1, 2, 3, 7, 10, 100, 1000, 12345, 1e6];
    const g = new Graph('bc');
    const t = g.input('t', 'float32', [ts.length]);
    g.output('b1', biasCorrection(0.9, t));
    g.output('b2', biasCorrection(0.999, t));
    const s = await GraphSession.create(ort, g, { backend: 'wasm' });
    const out = await s.run({ t: tensor(ort, 'float32', f32(ts), [ts.length]) });
    ts.forEach((x, i) => {
      for (const [name, beta] of [['b1', 0.9], ['b2', 0.999]] as const) {
        const want = 1 - beta ** x;
        expect(Math.abs((out[name].data as Float32Array)[i] - want) / want).toBeLessThan(1e-6);
      }
    });
  });
});

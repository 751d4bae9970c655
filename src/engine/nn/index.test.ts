// Composites: VJPs (through their primitives or custom rules) against finite differences,
// forward values against PyTorch goldens (tests/golden/engine/gen.py).
import { describe, expect, it } from 'vitest';
import golden from '../../../tests/golden/engine/composites.json';
import { gradients } from '../autodiff';
import { Graph, type Value } from '../graph';
import { add, reduceSum } from '../ops';
import {
  attention, causalMask, crossEntropy, gelu, geluTanh, layerNorm, linear, logSigmoid, logSoftmax, paddingMask, rmsNorm,
  silu, softplus, tokenLogProbs,
} from './index';
import { type HostTensor, checkGradients, runOnce, uniform } from '../testing';

const rnd = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed, lo, hi) });
const expectClose = (got: number[], want: number[], tol: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => { if (!(Math.abs(v - want[i]) <= tol)) expect.fail(`[${i}]: ${v} vs ${want[i]} (tol ${tol})`); });
};
const int64 = (t: { dims: number[]; data: number[] }): HostTensor => ({ ...t, dtype: 'int64' });

describe('activation composites', () => {
  it('GELU exact and tanh, SiLU: VJPs match finite differences', async () => {
    await checkGradients(({ x }) => [gelu(x), geluTanh(x), silu(x)], { x: rnd([3, 5], 1, -3, 3) });
  });
  it('GELU exact and tanh: forward matches torch within 1e-6', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', golden.gelu.x.dims);
    g.output('e', gelu(x));
    g.output('t', geluTanh(x));
    const o = await runOnce(g, { x: golden.gelu.x });
    expectClose(o.e.data, golden.gelu.y.data, 1e-6);
    expectClose(o.t.data, golden.gelu_tanh.y.data, 1e-6);
  });
});

describe('normalization composites', () => {
  it('LayerNorm: VJP for x, weight and bias', async () => {
    await checkGradients(({ x, w, b }) => layerNorm(x, w, b), { x: rnd([2, 3, 6], 2, -2, 2), w: rnd([6], 3), b: rnd([6], 4) });
  });
  it('RMSNorm: VJP for x and weight (symbolic batch)', async () => {
    await checkGradients(({ x, w }) => rmsNorm(x, w), { x: { ...rnd([2, 3, 6], 5, -2, 2), shape: ['B', 'T', 6] }, w: rnd([6], 6) });
  });
  it('LayerNorm and RMSNorm: forward matches torch within 1e-5', async () => {
    const g = new Graph();
    const ln = golden.layer_norm;
    const rn = golden.rms_norm;
    const x = g.input('x', 'float32', ln.x.dims);
    g.output('ln', layerNorm(x, g.input('w', 'float32', ln.w.dims), g.input('b', 'float32', ln.b.dims), ln.eps));
    const xr = g.input('xr', 'float32', rn.x.dims);
    g.output('rn', rmsNorm(xr, g.input('wr', 'float32', rn.w.dims), rn.eps));
    const o = await runOnce(g, { x: ln.x, w: ln.w, b: ln.b, xr: rn.x, wr: rn.w });
    expectClose(o.ln.data, ln.y.data, 1e-5);
    expectClose(o.rn.data, rn.y.data, 1e-5);
  });
  it('linear: y = x W^T + b VJP for all three', async () => {
    await checkGradients(({ x, w, b }) => linear(x, w, b), { x: rnd([2, 3, 4], 7), w: rnd([5, 4], 8), b: rnd([5], 9) });
  });
});

describe('log-softmax and log-sigmoid', () => {
  it('LogSoftmax (x - ReduceLogSumExp): VJP on the last axis and axis 1', async () => {
    await checkGradients(({ x }) => [logSoftmax(x, -1), logSoftmax(x, 1)], { x: rnd([2, 3, 4], 10, -3, 3) });
  });
  it('LogSoftmax: forward matches torch within 1e-5', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', golden.log_softmax.x.dims);
    g.output('a', logSoftmax(x, -1));
    g.output('b', logSoftmax(x, 1));
    const o = await runOnce(g, { x: golden.log_softmax.x });
    expectClose(o.a.data, golden.log_softmax.y_last.data, 1e-5);
    expectClose(o.b.data, golden.log_softmax.y_axis1.data, 1e-5);
  });
  it('logSigmoid (custom VJP dy sigmoid(-x)) and softplus: VJPs match finite differences, also near 0', async () => {
    await checkGradients(({ x }) => [logSigmoid(x), softplus(x)], { x: { dims: [9], data: [-6, -2, -0.5, -0.03, 0, 0.03, 0.5, 2, 6] } });
  });
  it('logSigmoid and softplus: forward matches torch, finite at |x| = 80, with exact gradients there', async () => {
    const ls = golden.logsigmoid;
    const g = new Graph();
    const x = g.input('x', 'float32', ls.x.dims);
    const y = logSigmoid(x);
    const sp = softplus(x);
    g.output('y', y);
    g.output('sp', sp);
    const [dy, dsp] = [gradients(reduceSum(y), [x])[0], gradients(reduceSum(sp), [x])[0]];
    g.output('dy', dy);
    g.output('dsp', dsp);
    const o = await runOnce(g, { x: ls.x });
    // Relative 1e-6 plus absolute 1e-6: -80 and 80 sit at very different magnitudes.
    o.y.data.forEach((v, i) => expect(Math.abs(v - ls.y.data[i])).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(ls.y.data[i])));
    o.sp.data.forEach((v, i) => expect(Math.abs(v - ls.softplus.data[i])).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(ls.softplus.data[i])));
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    ls.x.data.forEach((v, i) => {
      expect(Number.isFinite(o.dy.data[i]) && Number.isFinite(o.dsp.data[i])).toBe(true);
      expect(o.dy.data[i]).toBeCloseTo(sig(-v), 6); // d/dx log s(x) = s(-x)
      expect(o.dsp.data[i]).toBeCloseTo(sig(v), 6); // d/dx softplus(x) = s(x)
    });
    const at = (v: number) => ls.x.data.indexOf(v);
    expect(o.y.data[at(-80)]).toBe(-80);
    expect(o.dy.data[at(-80)]).toBe(1);
    expect(o.dy.data[at(80)]).toBeLessThan(1e-30);
  });
});

describe('attention with causal and padding masks', () => {
  const { q, k, v, attention_mask: am, y } = golden.attention;
  const T = q.dims[2];
  const build = ({ q: qv, k: kv, v: vv, m }: Record<string, Value>) =>
    attention(qv, kv, vv, add(causalMask(qv.graph, T), paddingMask(m)) /* [T,T] + [B,1,1,T] */);

  it('attention: VJP for q, k, v matches finite differences; masked keys get exactly zero gradient', async () => {
    const r = await checkGradients(build, { q, k, v, m: int64(am) });
    // Batch 1 pads key 3: rows k[1, h, 3, :] and v[1, h, 3, :] must receive nothing.
    const [, H, , D] = k.dims;
    for (let h = 0; h < H; h++) {
      const off = ((1 * H + h) * T + 3) * D;
      expect(r.analytic.k.slice(off, off + D)).toEqual(new Array(D).fill(0));
      expect(r.analytic.v.slice(off, off + D)).toEqual(new Array(D).fill(0));
    }
    // Key 3 of batch 0 is seen only by query 3 (causal): its gradient is not zero.
    expect(r.analytic.v.slice(3 * D, 4 * D).some((g) => g !== 0)).toBe(true);
  });

  it('attention: forward matches softmax(q k^T / sqrt d + masks) v from torch within 1e-5', async () => {
    const g = new Graph();
    const xs = { q: g.input('q', 'float32', q.dims), k: g.input('k', 'float32', k.dims), v: g.input('v', 'float32', v.dims), m: g.input('m', 'int64', am.dims) };
    g.output('y', build(xs));
    const o = await runOnce(g, { q, k, v, m: int64(am) });
    expectClose(o.y.data, y.data, 1e-5);
  });
});

describe('token log-probs and cross-entropy', () => {
  const ce = golden.cross_entropy;
  it('tokenLogProbs and masked crossEntropy: VJP on logits; masked positions get zero gradient', async () => {
    const r = await checkGradients(({ l, t, m }) => [tokenLogProbs(l, t), crossEntropy(l, t, m)], {
      l: ce.logits, t: int64(ce.targets), m: ce.mask,
    }, { wrt: ['l'] });
    expect(r.outputs[1].dims).toEqual([]);
    // The loss alone: positions with mask 0 get exactly zero gradient.
    const g = new Graph();
    const l = g.input('l', 'float32', ce.logits.dims);
    const [dl] = gradients(crossEntropy(l, g.input('t', 'int64', ce.targets.dims), g.input('m', 'float32', ce.mask.dims)), [l]);
    g.output('dl', dl);
    const o = await runOnce(g, { l: ce.logits, t: int64(ce.targets), m: ce.mask });
    const V = ce.logits.dims[2];
    ce.mask.data.forEach((m, p) => {
      const row = o.dl.data.slice(p * V, p * V + V);
      if (m === 0) expect(row).toEqual(new Array(V).fill(0));
      else expect(Math.abs(row.reduce((a, b) => a + b))).toBeLessThan(1e-6); // softmax - onehot sums to 0
    });
  });
  it('crossEntropy with an ignore mask and tokenLogProbs: forward matches torch within 1e-5', async () => {
    const g = new Graph();
    const l = g.input('l', 'float32', ce.logits.dims);
    const t = g.input('t', 'int32', ce.targets.dims);
    g.output('loss', crossEntropy(l, t, g.input('m', 'float32', ce.mask.dims)));
    g.output('all', crossEntropy(l, t));
    g.output('tlp', tokenLogProbs(l, t));
    const o = await runOnce(g, { l: ce.logits, t: { ...ce.targets, dtype: 'int32' }, m: ce.mask });
    expect(Math.abs(o.loss.data[0] - ce.loss)).toBeLessThan(1e-5);
    expect(Math.abs(o.all.data[0] - ce.loss_unmasked)).toBeLessThan(1e-5);
    expectClose(o.tlp.data, ce.token_log_probs.data, 1e-5);
  });
});

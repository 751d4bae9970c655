// Golden parity of src/train/losses with an independent float64 PyTorch re-implementation of TRL
// (gen.py): every loss type, every metric and the gradient w.r.t. the policy per-token log-probs,
// run as ONNX graphs on ONNX Runtime's WASM EP.
import { afterAll, describe, expect, it } from 'vitest';
import { type Dim, Graph, type Value, gradients } from '../../../src/engine';
import {
  DPO_LOSS_TYPES, type DpoConfig, type DpoLossType, type FDivergence, type SeqStats, adpoLoss, dpoLoss, orpoLoss, outputMetrics,
  sequenceStats, sftLoss,
} from '../../../src/train/losses';
import { type FloatFeed, runGraph } from '../../../src/train/losses/testing';
import goldenJson from './losses.json';

type Matrix = number[][];
interface Batch {
  chosen: Matrix; rejected: Matrix; ref_chosen: Matrix; ref_rejected: Matrix;
  chosen_mask: Matrix; rejected_mask: Matrix; chosen_logits: Matrix; rejected_logits: Matrix;
  chosen_nll_mask?: Matrix;
}
interface Expected {
  loss: number; metrics?: Record<string, number>; grad_chosen: Matrix; grad_rejected?: Matrix;
  bco_running?: { mean: number; count: number };
}
interface PyDpoConfig {
  beta: number; loss_type: DpoLossType[]; loss_weights?: number[]; label_smoothing?: number; discopop_tau?: number;
  f_divergence_type?: FDivergence; f_alpha_divergence_coef?: number; rpo_alpha?: number;
  reference_free?: boolean; bco_running?: { mean: number; count: number }; beta_as_input?: boolean;
}
interface Case<C> { name: string; batch: string; config: C; expected: Expected }
interface Golden {
  batches: Record<string, Batch>;
  dpo: Case<PyDpoConfig>[];
  adpo: Case<PyDpoConfig>[];
  orpo: Case<{ beta: number; nll_mask?: string }>[];
  sft: { name: string; batch: string; expected: Expected }[];
  log1mexp: { x: number[]; y: number[]; dy: number[] };
}
const golden = goldenJson as unknown as Golden;

// float32 graphs against float64 truth. Loss and metrics: 1e-5 relative, with an absolute floor
// of a few f32 ulps of the largest sequence log-prob involved (h = (pi+ - ref+) - (pi- - ref-) is
// a difference of sums up to ~250 in batch E). Gradients: 1e-5 of the largest entry of the same
// tensor (saturated pairs have entries 1e5 times smaller than the rest).
const RTOL = 1e-5;
const DIAG = process.env.LOSS_DIAG === '1';
const report: string[] = [];

const flat = (m: Matrix): number[] => m.flat();
const dims = (m: Matrix): number[] => [m.length, m[0].length];
const rowSums = (x: Matrix, mask: Matrix): number[] => x.map((r, i) => r.reduce((s, v, t) => s + (mask[i][t] > 0 ? v : 0), 0));

/** |got - want| <= RTOL |want| + atol elementwise; returns the largest relative error seen. */
function expectClose(label: string, got: number[], want: number[], atol: number): number {
  expect(got.length, `${label}: length`).toBe(want.length);
  let worst = 0;
  got.forEach((g, i) => {
    const err = Math.abs(g - want[i]);
    const bound = RTOL * Math.abs(want[i]) + atol;
    if (!(err <= bound)) throw new Error(`${label}[${i}]: got ${g}, want ${want[i]} (err ${err.toExponential(2)} > ${bound.toExponential(2)})`);
    worst = Math.max(worst, err / Math.max(Math.abs(want[i]), atol / RTOL));
  });
  return worst;
}

/** Inputs of one batch as graph inputs, static or with symbolic batch/time dims. */
function batchInputs(g: Graph, b: Batch, symbolic: boolean) {
  const shape: Dim[] = symbolic ? ['batch', 'time'] : dims(b.chosen);
  const rshape: Dim[] = symbolic ? ['batch', 'time'] : dims(b.rejected);
  const bdim: Dim = symbolic ? 'batch' : b.chosen.length;
  const v = {
    chosen: g.input('chosen', 'float32', shape),
    rejected: g.input('rejected', 'float32', rshape),
    chosenMask: g.input('chosen_mask', 'float32', shape),
    rejectedMask: g.input('rejected_mask', 'float32', rshape),
    chosenLogits: g.input('chosen_logits', 'float32', shape),
    rejectedLogits: g.input('rejected_logits', 'float32', rshape),
    refChosen: g.input('ref_chosen', 'float32', [bdim]),
    refRejected: g.input('ref_rejected', 'float32', [bdim]),
  };
  const feeds: Record<string, FloatFeed> = {
    chosen: { data: flat(b.chosen), dims: dims(b.chosen) },
    rejected: { data: flat(b.rejected), dims: dims(b.rejected) },
    chosen_mask: { data: flat(b.chosen_mask), dims: dims(b.chosen) },
    rejected_mask: { data: flat(b.rejected_mask), dims: dims(b.rejected) },
    chosen_logits: { data: flat(b.chosen_logits), dims: dims(b.chosen) },
    rejected_logits: { data: flat(b.rejected_logits), dims: dims(b.rejected) },
    // The reference as precomputed per-sequence constants (TRL's precompute_ref_log_probs).
    ref_chosen: { data: rowSums(b.ref_chosen, b.chosen_mask), dims: [b.chosen.length] },
    ref_rejected: { data: rowSums(b.ref_rejected, b.rejected_mask), dims: [b.rejected.length] },
  };
  return { v, feeds };
}

function toConfig(c: PyDpoConfig, beta: number | Value): DpoConfig {
  return {
    beta, lossType: c.loss_type, lossWeights: c.loss_weights, labelSmoothing: c.label_smoothing,
    discopopTau: c.discopop_tau, fDivergenceType: c.f_divergence_type, fAlphaDivergenceCoef: c.f_alpha_divergence_coef,
    rpoAlpha: c.rpo_alpha,
  };
}

/** Run a graph with loss, metrics and policy gradients as outputs; check all against `want`. */
async function check(
  g: Graph, loss: Value, metrics: Record<string, Value>, wrt: Value[], feeds: Record<string, FloatFeed>,
  want: Expected, scaleIn: number, extra: Record<string, Value> = {},
): Promise<Record<string, number>> {
  g.output('loss', loss);
  outputMetrics(g, metrics);
  const grads = gradients(loss, wrt);
  grads.forEach((d, i) => g.output(`grad_${i}`, d));
  for (const [k, v] of Object.entries(extra)) g.output(k, v);
  const out = await runGraph(g, feeds);
  const atol = 4e-7 * scaleIn;
  const worst: Record<string, number> = {};
  worst.loss = expectClose('loss', out.loss, [want.loss], atol * Math.max(1, Math.abs(want.loss)));
  const wantMetrics = want.metrics ?? {};
  expect(Object.keys(metrics).sort()).toEqual(Object.keys(wantMetrics).sort());
  worst.metrics = 0;
  for (const [k, w] of Object.entries(wantMetrics)) worst.metrics = Math.max(worst.metrics, expectClose(k, out[k], [w], atol));
  [want.grad_chosen, want.grad_rejected].slice(0, wrt.length).forEach((w, i) => {
    const mx = Math.max(...flat(w!).map(Math.abs));
    const got = out[`grad_${i}`];
    expectClose(`grad_${i}`, got, flat(w!), RTOL * mx + 1e-12);
    // Reported: error relative to the tensor's largest entry.
    worst[`grad_${i}`] = Math.max(...got.map((x, k) => Math.abs(x - flat(w!)[k]))) / Math.max(mx, 1e-30);
  });
  if (DIAG) report.push(`${g.name}: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  return worst;
}

const maxAbs = (b: Batch) => Math.max(
  ...[b.chosen, b.rejected, b.ref_chosen, b.ref_rejected].map((m, k) => {
    const mask = k % 2 === 0 ? b.chosen_mask : b.rejected_mask;
    return Math.max(...rowSums(m.map((r) => r.map(Math.abs)), mask));
  }),
);

describe('golden: DPO loss types and metrics vs float64 PyTorch (TRL formulas)', () => {
  it('covers every loss type on both batches', () => {
    for (const t of DPO_LOSS_TYPES) {
      for (const batch of ['A', 'E']) {
        expect(golden.dpo.some((c) => c.batch === batch && c.config.loss_type.includes(t)), `${t}/${batch}`).toBe(true);
      }
    }
  });

  const symbolicFor = (name: string) => /aot|mix|ipo\/E|beta_input/.test(name);
  for (const c of golden.dpo) {
    for (const symbolic of symbolicFor(c.name) ? [false, true] : [false]) {
      it(`${c.name}${symbolic ? ' (symbolic dims)' : ''}`, async () => {
        const b = golden.batches[c.batch];
        const g = new Graph(c.name);
        const { v, feeds } = batchInputs(g, b, symbolic);
        let beta: number | Value = c.config.beta;
        if (c.config.beta_as_input) {
          beta = g.input('beta', 'float32', []);
          feeds.beta = { data: [c.config.beta], dims: [] };
        }
        let bcoRunning: { mean: Value; count: Value } | undefined;
        if (c.config.bco_running) {
          bcoRunning = { mean: g.input('bco_mean', 'float32', []), count: g.input('bco_count', 'float32', []) };
          feeds.bco_mean = { data: [c.config.bco_running.mean], dims: [] };
          feeds.bco_count = { data: [c.config.bco_running.count], dims: [] };
        }
        const refFree = c.config.reference_free === true;
        const out = dpoLoss(toConfig(c.config, beta), {
          chosen: sequenceStats(v.chosen, v.chosenMask, v.chosenLogits),
          rejected: sequenceStats(v.rejected, v.rejectedMask, v.rejectedLogits),
          refChosen: refFree ? undefined : v.refChosen,
          refRejected: refFree ? undefined : v.refRejected,
          bcoRunning,
        });
        const extra: Record<string, Value> = {};
        if (out.bcoRunning) { extra.bco_mean_next = out.bcoRunning.mean; extra.bco_count_next = out.bcoRunning.count; }
        await check(g, out.loss, out.metrics, [v.chosen, v.rejected], feeds, c.expected, maxAbs(b), extra);
        if (c.expected.bco_running) {
          expect(Object.keys(extra)).toHaveLength(2);
        } else {
          expect(out.bcoRunning).toBeUndefined();
        }
      });
    }
  }

  it('BCO running mean state is updated as RunningMoments.update', async () => {
    for (const c of golden.dpo.filter((x) => x.config.bco_running)) {
      const b = golden.batches[c.batch];
      const g = new Graph(c.name);
      const { v, feeds } = batchInputs(g, b, false);
      const state = { mean: g.input('bco_mean', 'float32', []), count: g.input('bco_count', 'float32', []) };
      feeds.bco_mean = { data: [c.config.bco_running!.mean], dims: [] };
      feeds.bco_count = { data: [c.config.bco_running!.count], dims: [] };
      const out = dpoLoss(toConfig(c.config, c.config.beta), {
        chosen: sequenceStats(v.chosen, v.chosenMask), rejected: sequenceStats(v.rejected, v.rejectedMask),
        refChosen: v.refChosen, refRejected: v.refRejected, bcoRunning: state,
      });
      g.output('mean', out.bcoRunning!.mean);
      g.output('count', out.bcoRunning!.count);
      const r = await runGraph(g, feeds);
      expectClose('mean', r.mean, [c.expected.bco_running!.mean], 1e-6);
      expect(r.count[0]).toBe(c.expected.bco_running!.count);
    }
  });
});

describe('golden: ADPO (one response, two contexts)', () => {
  for (const c of golden.adpo) {
    it(c.name, async () => {
      const b = golden.batches[c.batch];
      const g = new Graph(c.name);
      const { v, feeds } = batchInputs(g, b, false);
      // Here the reference is reduced in the graph from per-token inputs (a no-adapter pass).
      const refC = g.input('ref_chosen_tokens', 'float32', dims(b.ref_chosen));
      const refR = g.input('ref_rejected_tokens', 'float32', dims(b.ref_rejected));
      feeds.ref_chosen_tokens = { data: flat(b.ref_chosen), dims: dims(b.ref_chosen) };
      feeds.ref_rejected_tokens = { data: flat(b.ref_rejected), dims: dims(b.ref_rejected) };
      const out = adpoLoss(toConfig(c.config, c.config.beta), {
        chosenContext: sequenceStats(v.chosen, v.chosenMask, v.chosenLogits),
        rejectedContext: sequenceStats(v.rejected, v.rejectedMask, v.rejectedLogits),
        refChosenContext: sequenceStats(refC, v.chosenMask).sum,
        refRejectedContext: sequenceStats(refR, v.rejectedMask).sum,
      });
      await check(g, out.loss, out.metrics, [v.chosen, v.rejected], feeds, c.expected, maxAbs(b));
    });
  }
});

describe('golden: ORPO', () => {
  for (const c of golden.orpo) {
    it(c.name, async () => {
      const b = golden.batches[c.batch];
      const g = new Graph(c.name);
      const { v, feeds } = batchInputs(g, b, false);
      const chosen: SeqStats = sequenceStats(v.chosen, v.chosenMask, v.chosenLogits);
      let nll: Value | undefined;
      if (c.config.nll_mask) {
        const m = g.input('nll_mask', 'float32', dims(b.chosen));
        feeds.nll_mask = { data: flat(b.chosen_nll_mask!), dims: dims(b.chosen) };
        nll = sftLoss(v.chosen, m);
      }
      const out = orpoLoss({ beta: c.config.beta }, {
        chosen, rejected: sequenceStats(v.rejected, v.rejectedMask, v.rejectedLogits), nll,
      });
      await check(g, out.loss, out.metrics, [v.chosen, v.rejected], feeds, c.expected, 1);
    });
  }
});

describe('golden: SFT', () => {
  for (const c of golden.sft) {
    it(c.name, async () => {
      const b = golden.batches[c.batch];
      const g = new Graph(c.name);
      const { v, feeds } = batchInputs(g, b, false);
      await check(g, sftLoss(v.chosen, v.chosenMask), {}, [v.chosen], feeds, { ...c.expected, metrics: {} }, maxAbs(b));
    });
  }
});

if (DIAG) afterAll(() => { console.log(report.join('\n')); });

// Finite-difference check of the engine's analytic gradients, run on ONNX Runtime (WASM EP).
//
// Choice of precision: ORT's CPU kernels lack float64 for several ops we emit (Erf, Conv and
// others), so the forward stays float32. To keep the check tight anyway:
// - the scalar loss L = sum_k <W_k, y_k> (random W_k, so every output element matters) is
//   accumulated in float64 in JS from the float32 outputs, not inside the graph;
// - derivatives use the fourth-order central stencil
//   f'(x) ~ (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h with h = 1e-2:
//   truncation ~h^4 f^(5)/30 ~ 1e-9, rounding ~1.5 ulp(y)/h ~ 2e-5 |y| per affected element.
// Defaults atol = rtol = 2e-4 sit above that noise (the worst seen over the engine's tests is
// ~3e-5, a sixth of the budget) and far below any rule error (a wrong factor, sign, transpose). Inputs must stay 2h away from kinks and ties (relu, abs, max).
// One forward session is opened per check and reused for every perturbation (~0.1 ms a run).
import { type DType, isFloat } from '../dtype';
import { Graph, type Shape, type Value } from '../graph';
import { gradients } from '../autodiff';
import { add, mul, reduceSum } from '../ops';
import { type Fetched, type HostTensor, openSession } from './ort';

/** One graph input of a check: concrete dims and data, optionally a declared (symbolic) shape. */
export interface CheckInput {
  dims: number[];
  data: ArrayLike<number>;
  dtype?: DType;
  /** Declared shape (may hold symbols such as 'B'); defaults to `dims`. */
  shape?: Shape;
}

/** Builds the op under test from named graph inputs; every float output enters the loss. */
export type BuildFn = (xs: Record<string, Value>, g: Graph) => Value | Value[];

/** Options of a gradient check. */
export interface GradCheckOptions {
  /** Inputs to differentiate (default: every float32 input). */
  wrt?: string[];
  /** Finite-difference step (default 1e-2). */
  eps?: number;
  /** Relative tolerance per element (default 2e-4). */
  rtol?: number;
  /** Absolute tolerance per element (default 2e-4). */
  atol?: number;
  /** Seed of the loss weights (default 1). */
  seed?: number;
}

/** What a check computed: forward outputs, analytic and numeric gradients, worst excess error. */
export interface GradCheckResult {
  outputs: Fetched[];
  analytic: Record<string, number[]>;
  numeric: Record<string, number[]>;
  /** max over elements of |analytic - numeric| / (atol + rtol |numeric|); <= 1 passes. */
  worst: number;
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` uniform numbers in [lo, hi) from `seed`. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** `n` numbers in [lo, hi) whose magnitudes stay >= `gap` (inputs kept away from a kink at 0). */
export function awayFromZero(n: number, seed: number, gap = 0.1, hi = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (gap + (hi - gap) * r()));
}

const numel = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function declare(g: Graph, inputs: Record<string, CheckInput>): Record<string, Value> {
  const xs: Record<string, Value> = {};
  for (const [name, x] of Object.entries(inputs)) {
    if (numel(x.dims) !== x.data.length) throw new Error(`input ${name}: ${x.data.length} values for dims [${x.dims}]`);
    xs[name] = g.input(name, x.dtype ?? 'float32', x.shape ?? x.dims);
  }
  return xs;
}

const asList = (y: Value | Value[]) => (Array.isArray(y) ? y : [y]);

function feedsOf(inputs: Record<string, CheckInput>): Record<string, HostTensor> {
  const f: Record<string, HostTensor> = {};
  for (const [k, x] of Object.entries(inputs)) f[k] = { dims: x.dims, data: x.data, dtype: x.dtype ?? 'float32' };
  return f;
}

/**
 * Compare `gradients()` of a random-weighted sum of `build`'s outputs against central finite
 * differences of the same forward run on ORT. Rejects with the worst elements when they differ.
 */
export async function checkGradients(
  build: BuildFn,
  inputs: Record<string, CheckInput>,
  opts: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 2e-4;
  const atol = opts.atol ?? 2e-4;
  const wrt = opts.wrt ?? Object.keys(inputs).filter((k) => (inputs[k].dtype ?? 'float32') === 'float32');
  for (const k of wrt) {
    if (!inputs[k]) throw new Error(`wrt: no input named ${k}`);
    if ((inputs[k].dtype ?? 'float32') !== 'float32') throw new Error(`wrt: input ${k} is not float32`);
  }
  const feeds = feedsOf(inputs);

  // Forward graph: the op's outputs only.
  const fg = new Graph('forward');
  const ys = asList(build(declare(fg, inputs), fg));
  const floatOut = ys.map((y) => isFloat(y.dtype));
  ys.forEach((y, i) => fg.output(`y${i}`, y));
  const fwd = await openSession(fg);
  try {
    const base = await fwd.run(feeds);
    const outputs = ys.map((_, i) => base[`y${i}`]);
    let seed = opts.seed ?? 1;
    const weights = outputs.map((o, i) => (floatOut[i] ? uniform(o.data.length, seed++, -1, 1) : []));
    const lossOf = (out: Record<string, Fetched>): number => {
      let s = 0;
      ys.forEach((_, i) => {
        if (!floatOut[i]) return;
        const y = out[`y${i}`].data;
        const w = weights[i];
        for (let j = 0; j < y.length; j++) s += w[j] * y[j];
      });
      return s;
    };

    // Analytic graph: the same build, the weighted loss, and its gradients.
    const ag = new Graph('analytic');
    const axs = declare(ag, inputs);
    const ays = asList(build(axs, ag));
    let loss: Value | null = null;
    const wFeeds: Record<string, HostTensor> = {};
    for (let i = 0; i < ays.length; i++) {
      if (!floatOut[i]) continue;
      const w = ag.input(`w${i}`, ays[i].dtype, ays[i].shape);
      wFeeds[`w${i}`] = { dims: outputs[i].dims, data: weights[i], dtype: ays[i].dtype };
      const term = reduceSum(mul(ays[i], w));
      loss = loss ? add(loss, term) : term;
    }
    if (!loss) throw new Error('checkGradients: the build has no float output');
    const grads = gradients(loss, wrt.map((k) => axs[k]));
    grads.forEach((gr, i) => ag.output(`grad_${wrt[i]}`, gr));
    const an = await openSession(ag);
    let aout: Record<string, Fetched>;
    try { aout = await an.run({ ...feeds, ...wFeeds }); } finally { await an.release(); }

    const analytic: Record<string, number[]> = {};
    const numeric: Record<string, number[]> = {};
    const failures: string[] = [];
    let worst = 0;
    for (const k of wrt) {
      const a = aout[`grad_${k}`];
      if (a.dims.join() !== inputs[k].dims.join()) {
        throw new Error(`gradient of ${k} has dims [${a.dims}], input has [${inputs[k].dims}]`);
      }
      const x0 = Float32Array.from(inputs[k].data);
      const num: number[] = [];
      for (let j = 0; j < x0.length; j++) {
        const at = async (m: number) => {
          const x = x0.slice();
          x[j] = x0[j] + m * eps;
          return lossOf(await fwd.run({ ...feeds, [k]: { dims: inputs[k].dims, data: x } }));
        };
        // NOTE: the step actually taken is the float32-rounded one; divide by it, not by eps.
        const h1 = Math.fround(x0[j] + eps) - x0[j];
        const h2 = Math.fround(x0[j] + 2 * eps) - x0[j];
        const hm1 = x0[j] - Math.fround(x0[j] - eps);
        const hm2 = x0[j] - Math.fround(x0[j] - 2 * eps);
        const [fm2, fm1, fp1, fp2] = [await at(-2), await at(-1), await at(1), await at(2)];
        const d1 = (fp1 - fm1) / (h1 + hm1);
        const d2 = (fp2 - fm2) / (h2 + hm2);
        num.push((4 * d1 - d2) / 3); // Richardson: the fourth-order stencil from two central ones
      }
      analytic[k] = a.data;
      numeric[k] = num;
      num.forEach((n, j) => {
        const e = Math.abs(a.data[j] - n) / (atol + rtol * Math.abs(n));
        if (!(e <= 1)) failures.push(`${k}[${j}]: analytic ${a.data[j]} vs numeric ${n}`);
        worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
      });
    }
    if (failures.length) {
      throw new Error(`gradient check failed (${failures.length} elements; atol ${atol}, rtol ${rtol}):\n  ${failures.slice(0, 8).join('\n  ')}`);
    }
    return { outputs, analytic, numeric, worst };
  } finally {
    await fwd.release();
  }
}

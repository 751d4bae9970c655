// Band-limited resampling: a Kaiser-windowed sinc low-pass applied as a polyphase filter.
//
// y[m] = sum_k x[k] h(m * down - k * up), with h the prototype filter sampled at up * inRate,
// centred (zero delay), and zero padding at both ends, as scipy.signal.resample_poly.

/** Filter design: 'hq' (default) or exactly scipy.signal.resample_poly's defaults. */
export interface ResampleOptions {
  /**
   * 'hq': stopband from the lower Nyquist with `stopbandDb` attenuation, passband to
   * `passband` x Nyquist (no aliasing at all). 'scipy': firwin(20 * max(up, down) + 1,
   * 1 / max(up, down), window=('kaiser', 5.0)), whose cutoff sits at Nyquist (~-6 dB there).
   */
  quality?: 'hq' | 'scipy';
  /** 'hq' only: attenuation from the new Nyquist up, in dB (default 96). */
  stopbandDb?: number;
  /** 'hq' only: passband edge as a fraction of the lower Nyquist (default 0.91). */
  passband?: number;
}

const MAX_PHASES = 2048;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** up/down with up <= MAX_PHASES closest to `ratio` (continued fractions), for odd rate pairs. */
function approximateRatio(ratio: number): [number, number] {
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = ratio;
  let best: [number, number] = [Math.max(1, Math.round(ratio)), 1];
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (h2 > MAX_PHASES) break;
    best = [h2, k2];
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (x - a < 1e-12) break;
    x = 1 / (x - a);
  }
  return best;
}

/** A resampler from one rate to another with its polyphase filter built once. */
export class Resampler {
  /** Upsampling and downsampling factors after reduction (out/in = up/down). */
  readonly up: number;
  readonly down: number;
  /** Taps of the prototype filter (2 * halfLen + 1). */
  readonly taps: number;
  private readonly phases: Float32Array[] = [];
  private readonly phaseLast: Int32Array; // j of each phase's first tap (the largest)

  /** Plan `inRate -> outRate` (positive integers). */
  constructor(readonly inRate: number, readonly outRate: number, opts: ResampleOptions = {}) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new Error(`sample rates must be positive integers, got ${inRate} -> ${outRate}`);
    }
    const g = gcd(inRate, outRate);
    let up = outRate / g, down = inRate / g;
    // NOTE: a coprime odd pair (e.g. 44101 -> 16000) would need 16000 phases; approximate the
    // ratio instead (relative rate error < 1e-6 with up <= 2048).
    if (up > MAX_PHASES) [up, down] = approximateRatio(outRate / inRate);
    this.up = up;
    this.down = down;
    const h = designFilter(up, down, opts);
    this.taps = h.length;
    const half = (h.length - 1) / 2;
    // Phase p holds h[half + p + j * up] for j from jhi down to jlo (so it runs forward over x).
    this.phaseLast = new Int32Array(up);
    for (let p = 0; p < up; p++) {
      const jlo = Math.ceil((-half - p) / up), jhi = Math.floor((half - p) / up);
      const c = new Float32Array(jhi - jlo + 1);
      for (let j = jhi, i = 0; j >= jlo; j--, i++) c[i] = h[half + p + j * up];
      this.phases.push(c);
      this.phaseLast[p] = jhi;
    }
  }

  /** Output length for `n` input samples: ceil(n * up / down). */
  outputLength(n: number): number {
    return Math.ceil((n * this.up) / this.down);
  }

  /** Resample one channel. */
  process(input: ArrayLike<number>): Float32Array {
    // NOTE: one concrete array type keeps the inner loop monomorphic (several times faster).
    const x = input instanceof Float32Array ? input : Float32Array.from(input);
    const n = x.length, up = this.up, down = this.down;
    const y = new Float32Array(this.outputLength(n));
    for (let m = 0; m < y.length; m++) {
      const t = m * down;
      const k0 = Math.floor(t / up);
      const p = t - k0 * up;
      const c = this.phases[p];
      const start = k0 - this.phaseLast[p]; // x index under c[0]
      let s = 0;
      if (start >= 0 && start + c.length <= n) {
        for (let i = 0; i < c.length; i++) s += c[i] * x[start + i];
      } else {
        const lo = Math.max(0, -start), hi = Math.min(c.length, n - start);
        for (let i = lo; i < hi; i++) s += c[i] * x[start + i];
      }
      y[m] = s;
    }
    return y;
  }
}

/** The prototype low-pass at up * inRate, scaled by `up` so each phase has unit DC gain. */
function designFilter(up: number, down: number, opts: ResampleOptions): Float64Array {
  const maxRate = Math.max(up, down);
  let half: number, cutoff: number, beta: number;
  if ((opts.quality ?? 'hq') === 'scipy') {
    half = 10 * maxRate;
    cutoff = 1 / maxRate; // relative to the high-rate Nyquist
    beta = 5;
  } else {
    const atten = opts.stopbandDb ?? 96, pass = opts.passband ?? 0.91;
    if (!(pass > 0 && pass < 1)) throw new Error(`passband must be in (0, 1), got ${pass}`);
    // Kaiser's formulas: beta from the attenuation, length from the transition width (rad/sample).
    beta = atten > 50 ? 0.1102 * (atten - 8.7) : atten >= 21 ? 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21) : 0;
    const width = (Math.PI * (1 - pass)) / maxRate;
    half = Math.ceil((atten - 7.95) / (2.285 * width) / 2);
    cutoff = (1 + pass) / 2 / maxRate;
  }
  if (up === 1 && down === 1) return Float64Array.of(1);
  const n = 2 * half + 1;
  const h = new Float64Array(n);
  const i0b = besselI0(beta);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = i - half;
    const sinc = m === 0 ? 1 : Math.sin(Math.PI * cutoff * m) / (Math.PI * cutoff * m);
    const r = m / half;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    h[i] = cutoff * sinc * w;
    sum += h[i];
  }
  for (let i = 0; i < n; i++) h[i] *= up / sum; // unit DC gain per phase, as firwin(scale=True) * up
  return h;
}

const cache = new Map<string, Resampler>();

/** Resample one channel from `inRate` to `outRate` (filters cached per rate pair and options). */
export function resample(x: ArrayLike<number>, inRate: number, outRate: number, opts: ResampleOptions = {}): Float32Array {
  if (inRate === outRate) return Float32Array.from(x);
  const key = `${inRate}:${outRate}:${opts.quality ?? 'hq'}:${opts.stopbandDb ?? ''}:${opts.passband ?? ''}`;
  let r = cache.get(key);
  if (!r) {
    r = new Resampler(inRate, outRate, opts);
    if (cache.size > 16) cache.clear();
    cache.set(key, r);
  }
  return r.process(x);
}

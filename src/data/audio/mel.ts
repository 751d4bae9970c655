// Mel filterbanks as librosa.filters.mel (Slaney scale and area normalization by default).

/** Hz to mel: Slaney's scale (linear below 1 kHz, logarithmic above) or HTK's 2595 log10(1 + f/700). */
export function hzToMel(f: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + f / 700);
  const minLogHz = 1000, minLogMel = 15, logStep = Math.log(6.4) / 27;
  return f < minLogHz ? (3 * f) / 200 : minLogMel + Math.log(f / minLogHz) / logStep;
}

/** Mel to Hz, the inverse of `hzToMel`. */
export function melToHz(m: number, htk = false): number {
  if (htk) return 700 * (10 ** (m / 2595) - 1);
  const minLogHz = 1000, minLogMel = 15, logStep = Math.log(6.4) / 27;
  return m < minLogMel ? (200 * m) / 3 : minLogHz * Math.exp(logStep * (m - minLogMel));
}

/** Options of `melFilterBank`. */
export interface MelOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fMin?: number;
  /** Defaults to sampleRate / 2. */
  fMax?: number;
  htk?: boolean;
  /** 'slaney' divides each triangle by its width in Hz / 2 (constant area); null leaves peaks at 1. */
  norm?: 'slaney' | null;
}

/** One triangular filter as its nonzero span: weights for FFT bins start .. start + weights.length - 1. */
export interface MelFilter { start: number; weights: Float64Array }

/** Dense [nMels][1 + nFft/2] weights, as librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm). */
export function melFilterBank({ sampleRate, nFft, nMels, fMin = 0, fMax = sampleRate / 2, htk = false, norm = 'slaney' }: MelOptions): Float64Array[] {
  const nBins = 1 + Math.floor(nFft / 2);
  const lo = hzToMel(fMin, htk), hi = hzToMel(fMax, htk);
  // nMels + 2 band edges equally spaced in mel.
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1), htk));
  const out: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const [left, center, right] = [edges[m], edges[m + 1], edges[m + 2]];
    const w = new Float64Array(nBins);
    const scale = norm === 'slaney' ? 2 / (right - left) : 1;
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
      const rise = (f - left) / (center - left), fall = (right - f) / (right - center);
      w[k] = Math.max(0, Math.min(rise, fall)) * scale;
    }
    out.push(w);
  }
  return out;
}

/** The same bank stored sparsely (only each filter's nonzero span), for a fast mel projection. */
export function sparseMelFilters(dense: Float64Array[]): MelFilter[] {
  return dense.map((w) => {
    let a = 0, b = w.length;
    while (a < b && w[a] === 0) a++;
    while (b > a && w[b - 1] === 0) b--;
    return { start: a, weights: w.slice(a, b) };
  });
}

// Signal measurements shared by the audio tests (not used by the app).

/** Root mean square of `x`. */
export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** Amplitude of the sinusoid at `freq` Hz in `x` (Hann-windowed DFT at one frequency, window-gain corrected). */
export function toneAmplitude(x: ArrayLike<number>, sampleRate: number, freq: number, from = 0, to = x.length): number {
  const n = to - from;
  let re = 0, im = 0, wsum = 0;
  // Rotating phasors instead of cos/sin per sample (the drift over 1e5 steps is ~1e-11).
  const dw = (2 * Math.PI) / n, dp = (2 * Math.PI * freq) / sampleRate;
  const cw = Math.cos(dw), sw = Math.sin(dw), cp = Math.cos(dp), sp = Math.sin(dp);
  let wc = 1, ws = 0, pc = 1, ps = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * wc;
    re += w * x[from + i] * pc;
    im -= w * x[from + i] * ps;
    wsum += w;
    [wc, ws] = [wc * cw - ws * sw, wc * sw + ws * cw];
    [pc, ps] = [pc * cp - ps * sp, pc * sp + ps * cp];
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

/** Frequency (Hz) of the strongest sinusoid in [lo, hi] Hz: coarse scan, then golden-section refinement. */
export function peakFrequency(x: ArrayLike<number>, sampleRate: number, lo: number, hi: number): number {
  const amp = (f: number) => toneAmplitude(x, sampleRate, f);
  const step = sampleRate / x.length / 2; // half a bin: the Hann main lobe is 4 bins wide
  let best = lo, bestAmp = amp(lo);
  for (let f = lo + step; f <= hi; f += step) {
    const a = amp(f);
    if (a > bestAmp) { best = f; bestAmp = a; }
  }
  let a = best - step, b = best + step;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 30; k++) {
    const c = b - g * (b - a), d = a + g * (b - a);
    if (amp(c) > amp(d)) b = d; else a = c;
  }
  return (a + b) / 2;
}

/** The fixture tone of tests/fixtures/audio/gen.py: [0.5 sin(2 pi 440 t), 0.25 sin(2 pi 1000 t)]. */
export function fixtureTone(sampleRate: number, frames: number): Float32Array[] {
  const l = new Float32Array(frames), r = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    l[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
    r[i] = 0.25 * Math.sin((2 * Math.PI * 1000 * i) / sampleRate);
  }
  return [l, r];
}

/** Largest |a[i] - b[i]|; throws on a length mismatch. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Phase-vocoder time stretching and pitch shifting (duration-preserving), for augmentation.
import { Fft } from './fft';
import { Resampler } from './resample';

const N_FFT = 1024; // 64 ms at 16 kHz
const HOP = 256;

const hann = Float64Array.from({ length: N_FFT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT));
let fftPlan: Fft | undefined;
const plan = () => (fftPlan ??= new Fft(N_FFT));

/** Wrap an angle into [-pi, pi). */
const wrap = (a: number) => a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));

/** For each bin, the spectral peak whose region it lies in (regions split at the lowest bin between peaks). */
function lockToPeaks(m: Float64Array, owner: Int32Array): void {
  const n = m.length;
  const peaks: number[] = [];
  for (let k = 0; k < n; k++) {
    if ((k === 0 || m[k] > m[k - 1]) && (k === n - 1 || m[k] >= m[k + 1]) && m[k] > 0) peaks.push(k);
  }
  if (peaks.length === 0) { for (let k = 0; k < n; k++) owner[k] = k; return; }
  let start = 0;
  for (let i = 0; i < peaks.length; i++) {
    let end = n; // exclusive end of this peak's region
    if (i + 1 < peaks.length) {
      end = peaks[i];
      for (let k = peaks[i]; k <= peaks[i + 1]; k++) if (m[k] < m[end]) end = k;
      end += 1;
    }
    for (let k = start; k < end; k++) owner[k] = peaks[i];
    start = end;
  }
}

/**
 * Stretch `x` in time by 1 / `rate` without changing pitch (rate 2: twice as fast, half as long).
 * Classic phase vocoder: Hann STFT (1024, hop 256, centered), magnitudes interpolated between
 * frames, phases advanced by each peak's measured instantaneous frequency with identity phase
 * locking, weighted overlap-add.
 */
export function timeStretch(x: Float32Array, rate: number): Float32Array {
  if (!(rate > 0 && Number.isFinite(rate))) throw new Error(`time-stretch rate must be positive, got ${rate}`);
  const outLen = Math.round(x.length / rate);
  if (x.length === 0) return new Float32Array(0);
  const fft = plan();
  const half = N_FFT / 2, nBins = half + 1;
  // Analysis: centered frames over a zero-padded copy.
  const padded = new Float64Array(x.length + N_FFT);
  padded.set(x, half);
  const nFrames = 1 + Math.floor((padded.length - N_FFT) / HOP);
  const mag: Float64Array[] = [], phase: Float64Array[] = [];
  const re = new Float64Array(N_FFT), im = new Float64Array(N_FFT), zr = new Float64Array(N_FFT), zi = new Float64Array(N_FFT);
  for (let f = 0; f < nFrames; f++) {
    for (let i = 0; i < N_FFT; i++) { re[i] = padded[f * HOP + i] * hann[i]; im[i] = 0; }
    fft.transform(re, im, zr, zi);
    const m = new Float64Array(nBins), p = new Float64Array(nBins);
    for (let k = 0; k < nBins; k++) { m[k] = Math.hypot(zr[k], zi[k]); p[k] = Math.atan2(zi[k], zr[k]); }
    mag.push(m); phase.push(p);
  }
  mag.push(new Float64Array(nBins)); phase.push(new Float64Array(nBins)); // a silent frame to interpolate into
  // Synthesis frames at analysis times 0, rate, 2 rate, ...
  const nOut = Math.ceil(nFrames / rate);
  const acc = Float64Array.from(phase[0]);
  const theta = new Float64Array(nBins), m = new Float64Array(nBins), owner = new Int32Array(nBins);
  const expected = Float64Array.from({ length: nBins }, (_, k) => (2 * Math.PI * k * HOP) / N_FFT);
  const y = new Float64Array((nOut - 1) * HOP + N_FFT);
  const norm = new Float64Array(y.length);
  for (let j = 0; j < nOut; j++) {
    const t = j * rate;
    const a = Math.min(Math.floor(t), nFrames - 1), alpha = t - a;
    const m0 = mag[a], m1 = mag[a + 1], pa = phase[a];
    for (let k = 0; k < nBins; k++) m[k] = (1 - alpha) * m0[k] + alpha * m1[k];
    // Identity phase locking (Laroche & Dolson 1999): bins around each spectral peak keep their
    // analysis phase relative to the peak, so a repeated frame pair cannot smear the frame.
    lockToPeaks(m, owner);
    for (let k = 0; k < nBins; k++) {
      const p = owner[k];
      theta[k] = p === k ? acc[k] : acc[p] + pa[k] - pa[p];
    }
    for (let k = 0; k < nBins; k++) {
      zr[k] = m[k] * Math.cos(theta[k]);
      zi[k] = -m[k] * Math.sin(theta[k]); // conjugate: the inverse is a forward FFT of the conjugate
      if (k > 0 && k < half) { zr[N_FFT - k] = zr[k]; zi[N_FFT - k] = -zi[k]; }
      const dp = a + 1 < nFrames ? phase[a + 1][k] - pa[k] - expected[k] : 0;
      acc[k] = theta[k] + expected[k] + wrap(dp); // advance by the bin's instantaneous frequency
    }
    fft.transform(zr, zi, re, im);
    for (let i = 0; i < N_FFT; i++) {
      y[j * HOP + i] += (re[i] / N_FFT) * hann[i];
      norm[j * HOP + i] += hann[i] * hann[i];
    }
  }
  const out = new Float32Array(outLen);
  // NOTE: divide by the summed squared window only where it is not tiny (the first/last half-frames).
  const floor = 1e-3 * Math.max(...norm.subarray(half, Math.min(norm.length, half + 4 * HOP)));
  for (let i = 0; i < outLen && i + half < y.length; i++) {
    const w = norm[i + half];
    out[i] = w > floor ? y[i + half] / w : 0;
  }
  return out;
}

/** Resample so playback is `factor` times faster (length / factor, pitch * factor). */
export function changeSpeed(x: Float32Array, factor: number): Float32Array {
  if (!(factor > 0 && Number.isFinite(factor))) throw new Error(`speed factor must be positive, got ${factor}`);
  if (factor === 1) return x.slice();
  // Treat x as sampled at factor * K and resample to K (K = 10000 keeps 4 decimals of the factor).
  const K = 10000;
  return new Resampler(Math.round(factor * K), K).process(x);
}

/** Shift pitch by `steps` semitones keeping the duration: stretch by 2^(steps/12), then resample back. */
export function pitchShift(x: Float32Array, steps: number): Float32Array {
  if (steps === 0) return x.slice();
  const r = 2 ** (steps / 12);
  const y = changeSpeed(timeStretch(x, 1 / r), r);
  // Exactly the input's length (the two steps round independently).
  const out = new Float32Array(x.length);
  out.set(y.subarray(0, Math.min(y.length, x.length)));
  return out;
}

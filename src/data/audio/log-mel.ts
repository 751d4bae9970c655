// Whisper's log-mel spectrogram, as openai/whisper `log_mel_spectrogram` and HF WhisperFeatureExtractor.
import { WHISPER_DEFAULTS, type WhisperFeatureConfig } from './feature-config';
import { Fft } from './fft';
import { melFilterBank, sparseMelFilters, type MelFilter } from './mel';

/** Log-mel features, mel-major: `data[m * nFrames + t]` (HF `input_features[0]`, shape [nMels, nFrames]). */
export interface LogMel {
  data: Float32Array;
  nMels: number;
  nFrames: number;
}

/**
 * A reusable extractor (window, filters and FFT plan built once).
 * Pipeline: pad/trim to n_samples -> reflect-pad n_fft/2 -> frames every hop under a periodic
 * Hann window -> |rfft|^2 -> Slaney mel (fmax 8 kHz) -> log10(max(x, 1e-10)) -> drop the last
 * frame -> max(x, max(x) - 8) -> (x + 4) / 4.
 */
export class WhisperFeatureExtractor {
  /** The settings in use. */
  readonly config: WhisperFeatureConfig;
  private readonly window: Float64Array;
  private readonly filters: MelFilter[];
  private readonly fft: Fft;

  /** Build for `config` (whisper-tiny defaults for missing fields). */
  constructor(config: Partial<WhisperFeatureConfig> = {}) {
    const merged = { ...WHISPER_DEFAULTS, ...config };
    const frames = Math.floor(merged.nSamples / merged.hopLength);
    if (config.nbMaxFrames !== undefined && config.nbMaxFrames !== frames) {
      throw new Error(`nbMaxFrames ${config.nbMaxFrames} disagrees with nSamples / hopLength = ${frames}`);
    }
    this.config = { ...merged, nbMaxFrames: frames };
    const { nFft, samplingRate, featureSize } = this.config;
    // Periodic Hann (torch.hann_window default): w[i] = 0.5 - 0.5 cos(2 pi i / n).
    this.window = Float64Array.from({ length: nFft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft));
    // NOTE: Whisper fixes fmax at 8 kHz whatever the sampling rate (HF passes max_frequency=8000).
    this.filters = sparseMelFilters(melFilterBank({ sampleRate: samplingRate, nFft, nMels: featureSize, fMin: 0, fMax: 8000, norm: 'slaney' }));
    this.fft = new Fft(nFft);
  }

  /** Features of one mono waveform at `config.samplingRate` (checked when `sampleRate` is given). */
  extract(waveform: ArrayLike<number>, sampleRate?: number): LogMel {
    const { nSamples, nFft, hopLength, featureSize: nMels, nbMaxFrames: nFrames, samplingRate } = this.config;
    if (sampleRate !== undefined && sampleRate !== samplingRate) {
      throw new Error(`log-mel features expect ${samplingRate} Hz audio, got ${sampleRate} Hz: resample first`);
    }
    const x = this.prepare(waveform);
    // Centered frames: reflect-pad n_fft/2 each side (numpy 'reflect': the edge sample is not repeated).
    const half = nFft >> 1;
    const padded = new Float64Array(nSamples + 2 * half);
    for (let i = 0; i < padded.length; i++) {
      let j = i - half;
      if (j < 0) j = -j;
      else if (j >= nSamples) j = 2 * (nSamples - 1) - j;
      padded[i] = x[j];
    }
    let last = padded.length - 1;
    while (last >= 0 && padded[last] === 0) last--; // frames past here are silent: skip their FFT

    const nBins = (nFft >> 1) + 1;
    const re = new Float64Array(nFft), im = new Float64Array(nFft), zr = new Float64Array(nFft), zi = new Float64Array(nFft);
    const powA = new Float64Array(nBins), powB = new Float64Array(nBins);
    const out = new Float32Array(nMels * nFrames);
    let max = -Infinity;
    const silent = -10; // log10(1e-10)
    // Two real frames per complex FFT: z = fft(a + i b), A[k] = (z[k] + conj z[n-k]) / 2, B[k] = (z[k] - conj z[n-k]) / 2i.
    for (let t = 0; t < nFrames; t += 2) {
      const ta = t * hopLength, tb = (t + 1) * hopLength;
      const hasA = ta <= last, hasB = t + 1 < nFrames && tb <= last;
      if (!hasA && !hasB) {
        for (let m = 0; m < nMels; m++) { out[m * nFrames + t] = silent; if (t + 1 < nFrames) out[m * nFrames + t + 1] = silent; }
        max = Math.max(max, silent);
        continue;
      }
      for (let i = 0; i < nFft; i++) {
        re[i] = hasA ? padded[ta + i] * this.window[i] : 0;
        im[i] = hasB ? padded[tb + i] * this.window[i] : 0;
      }
      this.fft.transform(re, im, zr, zi);
      for (let k = 0; k < nBins; k++) {
        const nk = k === 0 ? 0 : nFft - k;
        const ar = (zr[k] + zr[nk]) / 2, ai = (zi[k] - zi[nk]) / 2;
        const br = (zi[k] + zi[nk]) / 2, bi = (zr[nk] - zr[k]) / 2;
        powA[k] = ar * ar + ai * ai;
        powB[k] = br * br + bi * bi;
      }
      max = Math.max(max, this.project(powA, out, t, nFrames));
      if (t + 1 < nFrames) max = Math.max(max, this.project(powB, out, t + 1, nFrames));
    }
    const floor = max - 8;
    for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i], floor) + 4) / 4;
    return { data: out, nMels, nFrames };
  }

  /** Mel-project one power spectrum into column t of `out` as log10(max(., 1e-10)); returns the column's max. */
  private project(pow: Float64Array, out: Float32Array, t: number, nFrames: number): number {
    let max = -Infinity;
    for (let m = 0; m < this.filters.length; m++) {
      const { start, weights } = this.filters[m];
      let s = 0;
      for (let k = 0; k < weights.length; k++) s += weights[k] * pow[start + k];
      const v = Math.log10(Math.max(s, 1e-10));
      out[m * nFrames + t] = v;
      if (v > max) max = v;
    }
    return max;
  }

  /** Optional zero-mean unit-variance normalization, then pad with padding_value / trim to n_samples. */
  private prepare(waveform: ArrayLike<number>): Float64Array {
    const { nSamples, paddingValue, doNormalize } = this.config;
    const n = Math.min(waveform.length, nSamples);
    const x = new Float64Array(nSamples).fill(paddingValue);
    for (let i = 0; i < n; i++) x[i] = waveform[i];
    if (doNormalize && n > 0) {
      // HF zero_mean_unit_var_norm: statistics over the unpadded part, population variance, eps 1e-7.
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i];
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[i] - mean) ** 2;
      const inv = 1 / Math.sqrt(v / n + 1e-7);
      for (let i = 0; i < n; i++) x[i] = (x[i] - mean) * inv;
    }
    return x;
  }
}

/** One-shot log-mel of a mono 16 kHz waveform (builds an extractor; reuse one for many clips). */
export function whisperLogMel(waveform: ArrayLike<number>, config: Partial<WhisperFeatureConfig> = {}): LogMel {
  return new WhisperFeatureExtractor(config).extract(waveform);
}

import { describe, expect, it } from 'vitest';
import { augmentAudio, parseAugmentConfig } from './augment';
import { peakFrequency, rms, toneAmplitude } from './testing';

const sr = 16000;
const tone = (f: number, seconds = 1, amp = 0.5) => Float32Array.from({ length: Math.round(sr * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr));
const seed003 = { noise: { type: 'gaussian', std: 0.01 }, speed: { factor: 0.9 }, pitch: { steps: 2 } };

describe('augmentAudio', () => {
  it('is reproducible: same seed, same output; another seed, other noise', () => {
    const x = tone(440, 0.5);
    const cfg = parseAugmentConfig(seed003);
    const a = augmentAudio(x, sr, cfg, 7).samples;
    const b = augmentAudio(x, sr, cfg, 7).samples;
    const c = augmentAudio(x, sr, cfg, 8).samples;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(x).toEqual(tone(440, 0.5)); // input untouched
  });

  it('seed 003 config: speed 0.9 lengthens by 1/0.9, pitch +2 moves the tone, noise std 0.01', () => {
    const x = tone(440);
    const { samples: y, applied } = augmentAudio(x, sr, parseAugmentConfig(seed003), 1);
    expect(applied).toEqual({ speed: 0.9, pitchSteps: 2, noiseStd: 0.01 });
    expect(Math.abs(y.length - x.length / 0.9)).toBeLessThanOrEqual(1);
    // Speed 0.9 lowers 440 Hz to 396 Hz, then +2 semitones: 396 * 2^(2/12).
    const f = peakFrequency(y.subarray(2000, y.length - 2000), sr, 300, 600);
    expect(12 * Math.log2(f / (396 * 2 ** (2 / 12)))).toBeCloseTo(0, 2); // within 0.005 semitone
  });

  it('gaussian noise at an SNR: measured SNR within 0.2 dB of the draw, inside the range', () => {
    const x = tone(440, 2);
    for (const seed of [1, 2, 3]) {
      const { samples: y, applied } = augmentAudio(x, sr, parseAugmentConfig({ noise: { snr: [10, 30] } }), seed);
      const noise = y.map((v, i) => v - x[i]);
      const snr = 20 * Math.log10(rms(x) / rms(noise));
      const want = 20 * Math.log10(rms(x) / applied.noiseStd!);
      expect(want).toBeGreaterThanOrEqual(10);
      expect(want).toBeLessThanOrEqual(30);
      expect(Math.abs(snr - want)).toBeLessThan(0.2);
      expect(Math.abs(noise.reduce((a, b) => a + b, 0) / noise.length)).toBeLessThan(0.01 * applied.noiseStd! * 10);
    }
  });

  it('speed factors change the duration by 1 / factor and the frequency by the factor', () => {
    for (const factor of [0.9, 1.1, 1.25]) {
      const { samples: y } = augmentAudio(tone(1000), sr, parseAugmentConfig({ speed: { factor } }), 0);
      expect(Math.abs(y.length - sr / factor)).toBeLessThanOrEqual(1);
      expect(peakFrequency(y.subarray(1000, y.length - 1000), sr, 700, 1400) / (1000 * factor)).toBeCloseTo(1, 4);
    }
  });

  it('pitch shift moves a tone by the semitones asked (within 0.01), keeps duration and level', () => {
    const x = Float32Array.from({ length: sr }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 300 * i) / sr) + 0.2 * Math.sin((2 * Math.PI * 1250 * i) / sr));
    for (const steps of [-4, -1.5, 2, 5]) {
      const { samples: y } = augmentAudio(x, sr, parseAugmentConfig({ pitch: { steps } }), 0);
      expect(y.length).toBe(x.length);
      const r = 2 ** (steps / 12);
      const f = peakFrequency(y.subarray(2000, 14000), sr, 300 * r * 0.9, 300 * r * 1.1);
      expect(Math.abs(12 * Math.log2(f / 300) - steps)).toBeLessThan(0.01);
      // Amplitudes of both partials after the shift (phase-locked vocoder keeps them to < 0.1 dB).
      expect(toneAmplitude(y, sr, 300 * r, 2000, 14000)).toBeCloseTo(0.3, 2);
      expect(toneAmplitude(y, sr, 1250 * r, 2000, 14000)).toBeCloseTo(0.2, 2);
    }
  });

  it('prob draws per step: prob 0 never applies, ranges stay inside', () => {
    const x = tone(440, 0.2);
    const never = augmentAudio(x, sr, parseAugmentConfig({ pitch: { steps: 3, prob: 0 } }), 5);
    expect(never.applied).toEqual({});
    expect(never.samples).toEqual(x);
    let hits = 0;
    for (let s = 0; s < 200; s++) {
      const r = augmentAudio(x, sr, parseAugmentConfig({ volume: { gain_db: [-6, 6], prob: 0.3 } }), s).applied;
      if (r.gainDb !== undefined) { hits++; expect(Math.abs(r.gainDb)).toBeLessThanOrEqual(6); }
    }
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(80);
  });

  it('list form (Whisper-Finetune): speed from linspace, integer gain, shift keeps length', () => {
    const cfg = parseAugmentConfig([
      { type: 'speed', params: { min_speed_rate: 0.9, max_speed_rate: 1.1, num_rates: 3 }, prob: 1 },
      { type: 'volume', params: { min_gain_dBFS: -3, max_gain_dBFS: 3 }, prob: 1 },
      { type: 'shift', params: { min_shift_ms: -5, max_shift_ms: 5 }, prob: 1 },
    ]);
    const seen = new Set<number>();
    for (let s = 0; s < 30; s++) {
      const { samples, applied } = augmentAudio(tone(440, 0.2), sr, cfg, s);
      seen.add(applied.speed!);
      expect(Number.isInteger(applied.gainDb)).toBe(true);
      expect(Math.abs(samples.length - 3200 / applied.speed!)).toBeLessThanOrEqual(1);
    }
    expect([...seen].sort()).toEqual([0.9, 1, 1.1]);
  });
});

describe('parseAugmentConfig errors name the file', () => {
  it.each([
    [{ noise: { std: 0.01, snr: 10 } }, /aug\.json: noise needs exactly one of "std" or "snr"/],
    [{ speed: {} }, /aug\.json: speed needs "factor" or "factors"/],
    [{ speed: { factor: -1 } }, /aug\.json: speed: factors must be positive/],
    [{ pitch: { steps: [3, 1] } }, /aug\.json: pitch: steps range \[3, 1\] has lo > hi/],
    [{ reverb: { room: 1 } }, /aug\.json: invalid augmentation config/],
    [[{ type: 'noise', params: { min_snr_dB: 10, max_snr_dB: 20, noise_dir: 'dataset/noise' } }], /aug\.json: entry 0 \(noise\): noise_dir clips are not supported/],
    [[{ type: 'resample', params: {} }], /aug\.json: entry 0: unsupported augmentation type "resample"/],
  ])('%j', (json, re) => {
    expect(() => parseAugmentConfig(json, 'aug.json')).toThrow(re);
  });
});

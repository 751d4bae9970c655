import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signal } from '../../../tests/golden/features/signals';
import { Resampler, resample } from './resample';
import { maxAbsDiff, rms, toneAmplitude } from './testing';

const golden = new URL('../../../tests/golden/features/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', golden), 'utf8')) as {
  resample: { signal: string; in_rate: number; up: number; down: number; n_out: number; file: string }[];
};
const f32 = (file: string) => {
  const b = readFileSync(new URL(file, golden));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const tone = (sr: number, f: number, seconds: number, amp = 1) =>
  Float32Array.from({ length: Math.round(sr * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr));
const db = (x: number) => 20 * Math.log10(x);

describe('scipy mode equals scipy.signal.resample_poly', () => {
  for (const c of manifest.resample) {
    it(`${c.in_rate} -> 16000 (up ${c.up}, down ${c.down})`, () => {
      const r = new Resampler(c.in_rate, 16000, { quality: 'scipy' });
      expect([r.up, r.down]).toEqual([c.up, c.down]);
      const y = r.process(signal(c.signal, c.in_rate));
      // Measured ~1e-7: float32 taps and float32 outputs.
      expect(maxAbsDiff(y, f32(c.file))).toBeLessThan(1e-6);
      expect(y.length).toBe(c.n_out);
    });
  }
});

describe('hq mode: measured passband and stopband', () => {
  // Steady-state window: skip the filter's ramp at both ends.
  const mid = (y: Float32Array) => [Math.floor(y.length * 0.2), Math.floor(y.length * 0.8)] as const;

  for (const sr of [44100, 48000, 22050, 32000]) {
    it(`${sr} -> 16000: passband tones within 0.001 dB, 8.5/12 kHz tones down > 90 dB`, () => {
      for (const f of [1000, 7000]) {
        const y = resample(tone(sr, f, 0.5), sr, 16000);
        expect(Math.abs(db(toneAmplitude(y, 16000, f, ...mid(y))))).toBeLessThan(0.001);
      }
      for (const f of [8500, 10000].filter((f) => f < sr / 2)) {
        const y = resample(tone(sr, f, 0.5), sr, 16000);
        // Everything left is aliasing: compare its RMS with the input tone's (1 / sqrt 2).
        expect(db(rms(y, ...mid(y)) * Math.SQRT2)).toBeLessThan(-90);
      }
    });
  }

  it('8000 -> 16000: a 3 kHz tone passes, its image at 5 kHz is down > 90 dB', () => {
    const y = resample(tone(8000, 3000, 0.5), 8000, 16000);
    expect(y.length).toBe(8000);
    expect(Math.abs(db(toneAmplitude(y, 16000, 3000, ...mid(y))))).toBeLessThan(0.001);
    expect(db(toneAmplitude(y, 16000, 5000, ...mid(y)))).toBeLessThan(-90);
  });

  it('scipy mode lets a tone just above the new Nyquist alias (why hq is the default)', () => {
    const y = resample(tone(44100, 8300, 0.5), 44100, 16000, { quality: 'scipy' });
    expect(db(rms(y, ...mid(y)) * Math.SQRT2)).toBeGreaterThan(-40);
  });

  it('keeps length ceil(n * up / down), returns a copy at equal rates, handles odd rate pairs', () => {
    expect(resample(new Float32Array(44101), 44100, 16000)).toHaveLength(16001);
    const x = tone(16000, 440, 0.01);
    const same = resample(x, 16000, 16000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    const odd = new Resampler(44101, 16000);
    expect(odd.up).toBeLessThanOrEqual(2048);
    expect(Math.abs(odd.up / odd.down / (16000 / 44101) - 1)).toBeLessThan(1e-6);
    expect(() => new Resampler(0, 16000)).toThrow(/positive integers/);
  });
});

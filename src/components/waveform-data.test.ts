import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav, loadMonoAudio } from '../data/audio';
import { encodeWav, estimateWordTimes, gapTime, peaksOf, voicedSpan } from './waveform-data';

const rate = 16000;
// `lead` s of faint noise, `tone` s of a 220 Hz tone, `tail` s of faint noise.
function burst(lead: number, tone: number, tail: number): Float32Array {
  const n = Math.round((lead + tone + tail) * rate);
  const x = new Float32Array(n);
  let seed = 1;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = ((seed / 2 ** 32) - 0.5) * 2e-4;
    const t = i / rate;
    x[i] = noise + (t >= lead && t < lead + tone ? 0.3 * Math.sin(2 * Math.PI * 220 * t) : 0);
  }
  return x;
}

describe('voicedSpan', () => {
  it('finds a tone burst between quiet stretches', () => {
    const s = voicedSpan(burst(0.5, 1, 0.4), rate);
    expect(s.start).toBeGreaterThan(0.47);
    expect(s.start).toBeLessThan(0.51);
    expect(s.end).toBeGreaterThan(1.49);
    expect(s.end).toBeLessThan(1.53);
  });

  it('returns the whole clip when nothing stands out', () => {
    expect(voicedSpan(new Float32Array(rate), rate)).toEqual({ start: 0, end: 1 });
    expect(voicedSpan(new Float32Array(10), rate)).toEqual({ start: 0, end: 10 / rate });
  });

  it('skips the padded silence of a demo clip', async () => {
    const bytes = readFileSync(join(import.meta.dirname, '../../public/demo/LibriSpeech/test-clean/1272/128104/1272-128104-0000.flac'));
    const a = await loadMonoAudio(new Uint8Array(bytes), { name: 'demo.flac' });
    const duration = a.samples.length / a.sampleRate;
    const s = voicedSpan(a.samples, a.sampleRate);
    // gen.sh pads 0.35 s before and 0.25 s after espeak's own output.
    expect(s.start).toBeGreaterThan(0.3);
    expect(s.end).toBeLessThan(duration - 0.2);
    expect(s.end - s.start).toBeGreaterThan(1.5);
  });
});

describe('estimateWordTimes', () => {
  it('lays words out by character count with one-character pauses', () => {
    const t = estimateWordTimes(['a', '*bbb*'], { start: 1, end: 2 });
    // units: 1 + 1 (pause) + 3 = 5, so 0.2 s each
    expect(t[0].start).toBeCloseTo(1, 12);
    expect(t[0].end).toBeCloseTo(1.2, 12);
    expect(t[1].start).toBeCloseTo(1.4, 12);
    expect(t[1].end).toBeCloseTo(2, 12);
    expect(estimateWordTimes([], { start: 0, end: 1 })).toEqual([]);
  });

  it('puts insertion markers mid-pause or at the edges', () => {
    const span = { start: 1, end: 2 };
    const t = estimateWordTimes(['a', 'bbb'], span);
    expect(gapTime(t, 0, span)).toBeCloseTo(1, 12);
    expect(gapTime(t, 1, span)).toBeCloseTo(1.3, 12);
    expect(gapTime(t, 2, span)).toBeCloseTo(2, 12);
  });
});

describe('peaks and WAV', () => {
  it('takes max-abs peaks per slice', () => {
    expect([...peaksOf(new Float32Array([0.1, -0.5, 0.2, 0.3]), 2)]).toEqual([0.5, Math.fround(0.3)]);
  });

  it('writes a 16-bit WAV that decodes back to the clip', () => {
    const x = burst(0.01, 0.05, 0.01);
    const d = decodeWav(encodeWav(x, rate), 'x.wav');
    expect(d.sampleRate).toBe(rate);
    expect(d.channels).toHaveLength(1);
    expect(d.channels[0].length).toBe(x.length);
    let err = 0;
    for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(d.channels[0][i] - x[i]));
    expect(err).toBeLessThan(1 / 32000);
  });
});

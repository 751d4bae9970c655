import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audioLengthProblem } from './length-filter';
import { loadMonoAudio } from './load';
import { WhisperFeatureExtractor } from './log-mel';
import { durationSeconds, toMono } from './mono';
import { toneAmplitude } from './testing';

const load = (f: string) => new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/audio/${f}`, import.meta.url)));

describe('mono, length filter, load pipeline', () => {
  it('toMono averages channels and passes mono through', () => {
    expect(toMono([Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)])).toEqual(Float32Array.of(0.5, 0));
    const m = Float32Array.of(1, 2);
    expect(toMono([m])).toBe(m);
    expect(() => toMono([Float32Array.of(1), Float32Array.of(1, 2)])).toThrow(/channel lengths differ/);
  });

  it('audioLengthProblem: seed 003 defaults [0.5, 30] s, inclusive', () => {
    expect(audioLengthProblem(0.5)).toBeNull();
    expect(audioLengthProblem(30)).toBeNull();
    expect(audioLengthProblem(0.4)).toBe('duration 0.400 s is shorter than min_audio_len 0.5 s');
    expect(audioLengthProblem(31.25)).toBe('duration 31.250 s is longer than max_audio_len 30 s');
    expect(audioLengthProblem(5, { minAudioLen: 1, maxAudioLen: 4 })).toMatch(/longer than max_audio_len 4 s/);
    expect(audioLengthProblem(Number.NaN)).toMatch(/not a valid length/);
    expect(() => audioLengthProblem(1, { minAudioLen: 5, maxAudioLen: 2 })).toThrow(/invalid audio length limits/);
  });

  it('MP3 at 44.1 kHz stereo -> mono 16 kHz, tones at half level (the channel mean)', async () => {
    const a = await loadMonoAudio(load('tone-id3.mp3'), { name: 'tone-id3.mp3' });
    expect([a.sampleRate, a.sourceRate, a.sourceChannels]).toEqual([16000, 44100, 2]);
    expect(a.samples.length).toBe(8000); // ceil(22050 * 160 / 441)
    expect(durationSeconds({ sampleRate: 16000, channels: [a.samples] })).toBe(0.5);
    expect(toneAmplitude(a.samples, 16000, 440, 1600, 6400)).toBeCloseTo(0.25, 1);
    expect(toneAmplitude(a.samples, 16000, 1000, 1600, 6400)).toBeCloseTo(0.125, 1);
  });

  it('a decoded FLAC goes straight into Whisper features', async () => {
    const a = await loadMonoAudio(load('tone-s16.flac'), { name: 'tone-s16.flac' });
    const f = new WhisperFeatureExtractor({ nSamples: 16000 }).extract(a.samples, a.sampleRate);
    expect([f.nMels, f.nFrames]).toEqual([80, 100]);
    expect(Number.isFinite(f.data.reduce((s, v) => s + v, 0))).toBe(true);
  });
});

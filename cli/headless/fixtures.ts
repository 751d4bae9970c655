// Tiny runs for tests of `prefstudio train` (unit and e2e): a tiny Llama and a tiny Whisper as
// real HF folders, a TRL preference JSONL for the LM, and seed-003 records with WAV audio for
// Whisper, all written into a folder the test owns. Node-only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFolder } from '../../src/models/io/file-source-node';
import { TINY_CONFIGS } from '../../src/models/llama/tiny';
import { writeTinyLlama } from '../../src/models/llama/tiny-node';
import { tinyWhisperFiles } from '../../src/models/whisper/tiny';

/** A 16-bit PCM mono WAV file of `samples` (clipped to [-1, 1]). */
export function pcm16Wav(samples: Float32Array, sampleRate: number): Uint8Array {
  const n = samples.length;
  const buf = new ArrayBuffer(44 + 2 * n);
  const v = new DataView(buf);
  const str = (at: number, s: string) => { for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i)); };
  str(0, 'RIFF'); v.setUint32(4, 36 + 2 * n, true); str(8, 'WAVE');
  str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true); v.setUint32(28, 2 * sampleRate, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
  str(36, 'data'); v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) v.setInt16(44 + 2 * i, Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), true);
  return new Uint8Array(buf);
}

/** `seconds` of a tone at `freq` Hz with a little deterministic noise. */
export function tone(freq: number, seconds: number, sampleRate: number, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 0.4 * Math.sin((2 * Math.PI * freq * i) / sampleRate) + 0.05 * (s / 2 ** 32 - 0.5);
  }
  return out;
}

/** Text pairs for the LM: a prompt, a preferred and a dispreferred completion. */
export const LM_PAIRS = [
  { prompt: 'The sky is', chosen: ' blue today.', rejected: ' made of cheese.' },
  { prompt: 'Two plus two is', chosen: ' four.', rejected: ' five.' },
  { prompt: 'Water boils at', chosen: ' 100 degrees.', rejected: ' 10 degrees.' },
  { prompt: 'Cats like to', chosen: ' sleep a lot.', rejected: ' bark loudly.' },
];

/** Transcripts for Whisper: the reference and a corrupted hypothesis. */
export const ASR_PAIRS = [
  { chosen: 'the cat sat on the mat', rejected: 'the hat sat in the mat' },
  { chosen: 'this is a test', rejected: 'this was the best' },
  { chosen: 'turn it on', rejected: 'turn at one' },
  { chosen: 'we met at ten', rejected: 'we sat at tin' },
];

/** Where `writeLmRun` / `writeWhisperRun` put things. */
export interface TinyRun { model: string; data: string }

/** A tiny Llama folder and a TRL preference JSONL (`n` records) under `dir`. */
export async function writeLmRun(dir: string, opts: { seed?: number; n?: number } = {}): Promise<TinyRun> {
  const model = join(dir, 'tiny-llama');
  await writeTinyLlama(model, TINY_CONFIGS.llama, opts.seed ?? 7);
  const data = join(dir, 'lm-data', 'pairs.jsonl');
  mkdirSync(join(dir, 'lm-data'), { recursive: true });
  const rows = Array.from({ length: opts.n ?? LM_PAIRS.length }, (_, i) => ({ id: `p${i}`, ...LM_PAIRS[i % LM_PAIRS.length] }));
  writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { model, data };
}

/**
 * A tiny Whisper folder and seed-003 JSONL records (`audio.path` relative to the file's folder,
 * WAVs at `sampleRate` so the worker resamples to 16 kHz) under `dir`.
 */
export async function writeWhisperRun(dir: string, opts: { seed?: number; n?: number; sampleRate?: number } = {}): Promise<TinyRun> {
  const model = join(dir, 'tiny-whisper');
  await writeFolder(model, tinyWhisperFiles({ seed: opts.seed ?? 5 }));
  const root = join(dir, 'asr-data');
  mkdirSync(join(root, 'wav'), { recursive: true });
  const rate = opts.sampleRate ?? 22050;
  const rows = Array.from({ length: opts.n ?? ASR_PAIRS.length }, (_, i) => {
    const file = `wav/utt${i}.wav`;
    writeFileSync(join(root, file), pcm16Wav(tone(220 + 110 * i, 0.8, rate, i + 1), rate));
    return { id: `u${i}`, audio: { path: file }, duration: 0.8, ...ASR_PAIRS[i % ASR_PAIRS.length], language: 'en' };
  });
  const data = join(root, 'train.jsonl');
  writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { model, data };
}

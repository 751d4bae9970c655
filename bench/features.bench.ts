// Audio and image preprocessing throughput: Whisper log-mel, resampling, pitch shift, decoding,
// image processor. Pure JS on one thread (the worker runs these per example).
import { readFileSync } from 'node:fs';
import { decodeAudio } from '../src/data/audio/decode';
import { WhisperFeatureExtractor } from '../src/data/audio/log-mel';
import { resample } from '../src/data/audio/resample';
import { pitchShift } from '../src/data/audio/time-stretch';
import { preprocessImage } from '../src/data/image/preprocess';
import { imageProcessorConfigFromHf } from '../src/data/image/processor-config';
import { type Bench, printTable, timeRuns, writeResult } from './harness';

const tone = (sr: number, seconds: number) =>
  Float32Array.from({ length: sr * seconds }, (_, i) => 0.3 * Math.sin(i * 0.05) * Math.sin(i * 0.0007) + 0.01 * Math.sin(i * 1.7));
const fixture = (f: string) => new Uint8Array(readFileSync(new URL(`../tests/fixtures/audio/${f}`, import.meta.url)));

const bench: Bench = async (ctx) => {
  const o = ctx.quick ? { warmup: 1, runs: 3 } : { warmup: 3, runs: 10 };
  const rows: (string | number)[][] = [];
  const results: Record<string, number> = {};
  const add = async (name: string, fn: () => unknown | Promise<unknown>) => {
    const t = await timeRuns(async () => fn(), o);
    rows.push([name, t.median.toFixed(1), t.min.toFixed(1)]);
    results[name] = t.median;
  };
  const x30 = tone(16000, 30);
  const mel80 = new WhisperFeatureExtractor();
  const mel128 = new WhisperFeatureExtractor({ featureSize: 128 });
  await add('log-mel 30 s, 80 mels (3000 frames)', () => mel80.extract(x30));
  await add('log-mel 30 s, 128 mels', () => mel128.extract(x30));
  await add('log-mel 5 s clip padded to 30 s', () => mel80.extract(x30.subarray(0, 80000)));
  const x44 = tone(44100, 30), x48 = tone(48000, 30), x8 = tone(8000, 30);
  await add('resample 30 s 44.1k -> 16k (hq)', () => resample(x44, 44100, 16000));
  await add('resample 30 s 48k -> 16k (hq)', () => resample(x48, 48000, 16000));
  await add('resample 30 s 8k -> 16k (hq)', () => resample(x8, 8000, 16000));
  await add('resample 30 s 44.1k -> 16k (scipy)', () => resample(x44, 44100, 16000, { quality: 'scipy' }));
  await add('pitch shift +2 semitones, 5 s', () => pitchShift(x30.subarray(0, 80000), 2));
  const mp3 = fixture('tone-id3.mp3'), flac = fixture('tone-s16.flac');
  await add('decode MP3 0.5 s (WASM, incl. init)', () => decodeAudio(mp3, { name: 'tone-id3.mp3' }));
  await add('decode FLAC 0.1 s (WASM, incl. init)', () => decodeAudio(flac, { name: 'tone-s16.flac' }));
  const img = { width: 640, height: 480, channels: 3 as const, data: Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => (i * 7) & 255) };
  const clip = imageProcessorConfigFromHf({ size: { shortest_edge: 224 }, resample: 3, do_center_crop: true, crop_size: 224 });
  await add('image 640x480 -> 224 crop (bicubic, CLIP)', () => preprocessImage(img, clip));
  printTable('features (ms)', ['step', 'median', 'min'], rows);
  console.log(`wrote ${writeResult(ctx, 'features', results)}`);
};
export default bench;

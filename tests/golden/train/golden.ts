// Shared setup of the trainer golden tests (gen.py): fixtures, example builders, comparisons.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { type Ort } from '../../../src/engine';
import { folderSource } from '../../../src/models/io/file-source-node';
import { type TrainConfigInput, parseTrainConfig } from '../../../src/train/config';
import { type LogEntry, type TrainExample, memorySink } from '../../../src/train/io';
import { train } from '../../../src/train/trainer';
import goldenJson from './fixtures/golden.json';

const HERE = import.meta.dirname;
/** The model folders the generator read. */
export const MODEL_DIRS = {
  llama: join(HERE, '../models/llama/fixtures/llama-gqa-tied-f16'),
  whisper: join(HERE, '../models/whisper/tiny'),
} as const;
/** The PEFT adapters the generator wrote (non-zero A and B). */
export const ADAPTER_DIRS = { llama: join(HERE, 'fixtures/llama-adapter'), whisper: join(HERE, 'fixtures/whisper-adapter') } as const;

/** One golden case: a trainer config and the first step's expected values. */
export interface GoldenCase {
  name: string;
  trainer: 'dpo' | 'orpo' | 'adpo' | 'sft';
  full?: boolean;
  config: { beta?: number; loss_type?: string[]; loss_weights?: number[]; label_smoothing?: number };
  expected: { loss: number; grad_norm: number; metrics: Record<string, number> };
}
interface PyExample { prompt?: string; chosen: string; rejected: string; response?: string; audio?: number; rejected_audio?: number }
/** What gen.py wrote for one model. */
export interface GoldenModel {
  cases: GoldenCase[];
  examples: PyExample[];
  adpo_examples: PyExample[];
  tokens: { chosen: [number[], number[]]; rejected: [number[], number[]] }[];
  adpo_tokens: { chosen: [number[], number[]]; rejected: [number[], number[]] }[];
  ref_logps: { chosen: number[]; rejected: number[] };
}
/** The generator's output. */
export const golden = goldenJson as unknown as { llama: GoldenModel; whisper: GoldenModel };

/** onnxruntime-web's WASM EP, one thread. */
export function wasm(): Ort {
  ort.env.wasm.numThreads = 1;
  return ort as unknown as Ort;
}

/** The generator's test audio `i` (1 s, 16 kHz). */
export function audio(i: number): Float32Array {
  const b = readFileSync(join(HERE, `fixtures/audio-${i}.f32`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Training examples from the generator's records; audio as samples, or as paths when `paths`. */
export function examplesOf(xs: PyExample[], paths = false): TrainExample[] {
  const a = (i: number | undefined) => (i === undefined ? undefined : paths ? `audio-${i}` : audio(i));
  return xs.map((x, i) => ({
    prompt: x.prompt, chosen: x.chosen, rejected: x.rejected, response: x.response, audio: a(x.audio), rejectedAudio: a(x.rejected_audio), id: `ex${i}`,
  }));
}

/** Resolves the `audio-<i>` paths of `examplesOf(.., true)`. */
export const loadAudio = async (p: string): Promise<Float32Array> => audio(Number(p.slice('audio-'.length)));

const base = { model_name_or_path: 'tiny', dataset_name: 'golden', output_dir: 'out' };

/** Run the trainer for one step on every example in one batch; returns the first log entry. */
export async function firstStep(model: 'llama' | 'whisper', c: GoldenCase, extra: TrainConfigInput | object = {}, paths = false): Promise<LogEntry> {
  const g = golden[model];
  const xs = examplesOf(c.trainer === 'adpo' ? g.adpo_examples : g.examples, paths);
  const config = parseTrainConfig({
    ...base, trainer: c.trainer, ...c.config, use_peft: !c.full, per_device_train_batch_size: xs.length, max_steps: 1,
    logging_steps: 1, save_steps: 1000, learning_rate: 1e-3, ...extra,
  });
  const logs: LogEntry[] = [];
  await train(config, {
    ort: wasm(), backend: 'wasm', model: folderSource(MODEL_DIRS[model]), examples: xs, loadAudio,
    adapter: c.full ? undefined : folderSource(ADAPTER_DIRS[model]), output: memorySink(), onLog: (e) => logs.push(e),
  });
  return logs[0];
}

/** Relative tolerance of the golden checks (float32 graphs against float64 PyTorch). */
export const RTOL = 1e-4;
/** Absolute floor for metrics that are differences of sums (rewards, margins). */
export const ATOL = 1e-5;

/** Check one logged entry against a case; returns the largest relative error seen. */
export function compare(label: string, got: LogEntry, c: GoldenCase, skip: string[] = []): number {
  let worst = 0;
  const check = (k: string, want: number, atol: number) => {
    const v = got[k];
    if (typeof v !== 'number') throw new Error(`${label}: '${k}' was not logged (logged: ${Object.keys(got).join(', ')})`);
    const err = Math.abs(v - want);
    if (!(err <= RTOL * Math.abs(want) + atol)) throw new Error(`${label}: ${k} = ${v}, want ${want} (rel err ${(err / Math.abs(want)).toExponential(2)})`);
    worst = Math.max(worst, err / Math.max(Math.abs(want), atol / RTOL || 1e-30));
  };
  check('loss', c.expected.loss, 0);
  check('grad_norm', c.expected.grad_norm, 0);
  for (const [k, v] of Object.entries(c.expected.metrics)) if (!skip.includes(k)) check(k, v, ATOL);
  const known = new Set(['loss', 'grad_norm', 'learning_rate', 'epoch', 'step', ...Object.keys(c.expected.metrics)]);
  const extra = Object.keys(got).filter((k) => !known.has(k));
  if (extra.length) throw new Error(`${label}: unexpected metrics ${extra.join(', ')}`);
  return worst;
}

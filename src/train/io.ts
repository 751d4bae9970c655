// The trainer's I/O boundary: plain data in (config, examples, file sources), files and callbacks
// out. The same shapes serve Node tests, the training worker and the headless runner.
import { type Backend, type Ort } from '../engine';
import { type Message } from '../data/formats/types';
import { type FileSource, memorySource, normPath } from '../models/io';

/**
 * One training example, already loaded (dataset parsing happens elsewhere).
 * DPO/ORPO/SFT: `prompt` (optional; Whisper: a bias text sent as previous text) with the `chosen`
 * and `rejected` completions (SFT trains on `chosen`), all text (TRL's standard format) or all
 * message lists (conversational: rendered by the model's chat template). ADPO (seed 002): one
 * `response` and two contexts, `chosen` and `rejected` prompt texts (Whisper: bias texts, with
 * `audio` for the chosen context and `rejectedAudio` for the rejected one, which defaults to `audio`).
 */
export interface TrainExample {
  prompt?: string | Message[];
  chosen: string | Message[];
  rejected: string | Message[];
  /** ADPO's shared response. */
  response?: string;
  /** 16 kHz mono samples, or a path that `TrainIo.loadAudio` resolves. */
  audio?: Float32Array | string;
  /** ADPO on Whisper: the rejected context's audio. */
  rejectedAudio?: Float32Array | string;
  id?: string;
}

/** Where outputs go: paths are relative to `output_dir` (`checkpoint-2/adapter_config.json`). */
export interface OutputSink {
  /** Create or replace a file. */
  write(path: string, data: Uint8Array | string): Promise<void>;
  /** Append text to a file (created when missing). */
  append(path: string, text: string): Promise<void>;
}

/** One logging step: TRL/HF metric names plus `step` (and `epoch`, `learning_rate`, `grad_norm`). */
export type LogEntry = Record<string, number>;

/** Where a run is. `reference`: step/totalSteps count reference batches; `train`/`save`: optimizer steps. */
export interface Progress {
  step: number;
  totalSteps: number;
  epoch: number;
  phase: 'reference' | 'train' | 'eval' | 'save';
}

/** Everything a run needs besides its config. */
export interface TrainIo {
  /** The ONNX Runtime module (onnxruntime-web in the worker and in Node tests). */
  ort: Ort;
  backend: Backend;
  /** The HF model folder. */
  model: FileSource;
  examples: readonly TrainExample[] | AsyncIterable<TrainExample>;
  /** Evaluated every `eval_steps` optimizer steps when given. */
  evalExamples?: readonly TrainExample[] | AsyncIterable<TrainExample>;
  /** Resolves `audio` paths to 16 kHz mono samples. */
  loadAudio?: (path: string) => Promise<Float32Array>;
  /** A PEFT adapter folder to continue training (`--adapter_path`). */
  adapter?: FileSource;
  /** A `checkpoint-<step>/` folder to resume from (`--resume_from_checkpoint`). */
  resume?: FileSource;
  output: OutputSink;
  onLog?: (entry: LogEntry) => void;
  onProgress?: (p: Progress) => void;
  /** Checked between optimizer steps: true saves a checkpoint and returns. */
  shouldStop?: () => boolean;
}

/** An in-memory output folder (tests, the browser before a download); `source(dir)` reads it back. */
export interface MemorySink extends OutputSink {
  readonly files: Map<string, Uint8Array | string>;
  /** The files under `dir` ('' for all) as a FileSource, e.g. a checkpoint to resume from. */
  source(dir?: string): FileSource;
  /** A file's text. */
  text(path: string): string;
}

/** A sink that keeps every file in memory. */
export function memorySink(label = 'memory output'): MemorySink {
  const files = new Map<string, Uint8Array | string>();
  return {
    files,
    write: async (path, data) => { files.set(normPath(path), data); },
    append: async (path, text) => {
      const p = normPath(path);
      const prev = files.get(p);
      files.set(p, (prev === undefined ? '' : typeof prev === 'string' ? prev : new TextDecoder().decode(prev)) + text);
    },
    source(dir = '') {
      const prefix = dir ? `${normPath(dir).replace(/\/+$/, '')}/` : '';
      const picked: Record<string, Uint8Array | string> = {};
      for (const [p, d] of files) if (p.startsWith(prefix)) picked[p.slice(prefix.length)] = d;
      return memorySource(picked, `${label}/${dir}`);
    },
    text(path) {
      const d = files.get(normPath(path));
      if (d === undefined) throw new Error(`${label}: no file '${path}'`);
      return typeof d === 'string' ? d : new TextDecoder().decode(d);
    },
  };
}

/** Collect an array or async iterable of examples. */
export async function collect<T>(xs: readonly T[] | AsyncIterable<T>): Promise<T[]> {
  if (Array.isArray(xs)) return [...(xs as readonly T[])];
  const out: T[] = [];
  for await (const x of xs as AsyncIterable<T>) out.push(x);
  return out;
}

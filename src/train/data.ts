// From loaded examples to batch feeds: TRL-style tokenization into rows, the run's fixed length
// bucket, Whisper log-mel features from 16 kHz audio, and the seeded data order.
import { type Dim } from '../engine';
import { Rng } from '../engine/random';
import { type HostTensor } from '../engine/train-step';
import { WhisperFeatureExtractor } from '../data/audio/log-mel';
import { type ChatTemplate } from '../models/io/chat-template';
import { folderChatTemplate } from '../models/io/hf-folder';
import { type SequenceRow, collateRows, lengthBucket, rowLength } from './collate';
import { type TrainConfig } from './config';
import { type TrainExample } from './io';
import { type BatchLayout, INPUT_NAMES, PAIRS, ROWS, type RowLayout, featuresPerRow } from './policy';
import { type ModelSetup } from './setup';
import {
  type ChatExample, type LengthLimits, type TokenizedExample, applyChatTemplate, tokenizeChatForCausalLm, tokenizeContextsForCausalLm, tokenizeContextsForWhisper,
  tokenizeForCausalLm, tokenizeForWhisper,
} from './tokenize';

/** Audio as given: samples, or a path for `loadAudio`. */
export type AudioRef = Float32Array | string;

/** One example as rows of token ids, with its audio. */
export interface PreparedExample {
  /** pairs/contexts: [chosen row, rejected row]; single: [chosen row]. */
  rows: SequenceRow[];
  audio?: AudioRef;
  /** The rejected row's audio (ADPO's rejected context); defaults to `audio`. */
  rejectedAudio?: AudioRef;
}

/** TRL's length limits from the config (the total within the model's positions). */
export function lengthLimits(c: Pick<TrainConfig, 'max_prompt_length' | 'max_completion_length'>, s: Pick<ModelSetup, 'maxTokens'>): LengthLimits {
  return { maxPromptLength: c.max_prompt_length, maxCompletionLength: c.max_completion_length ?? null, maxLength: s.maxTokens };
}

/** Tokenize one example for a trainer's row layout; errors name the example. */
export function prepareExample(ex: TrainExample, index: number, s: ModelSetup, c: TrainConfig, rows: RowLayout): PreparedExample {
  const where = `example ${ex.id ?? index}`;
  const limits = lengthLimits(c, s);
  const audio = ex.audio;
  if (s.whisper && audio === undefined) throw new Error(`${where}: a Whisper model needs 'audio'`);
  if (rows === 'contexts') {
    const { chosen, rejected } = ex;
    if (typeof ex.response !== 'string') throw new Error(`${where}: ADPO needs a 'response' (chosen and rejected are its two contexts)`);
    if (typeof chosen !== 'string' || typeof rejected !== 'string') throw new Error(`${where}: ADPO contexts must be text; chat messages are not supported for ADPO`);
    const t = s.whisper
      ? tokenizeContextsForWhisper(s.tokenizer, s.whisper.prompt, { chosen, rejected, response: ex.response }, limits)
      : tokenizeContextsForCausalLm(s.tokenizer, { chosen, rejected, response: ex.response }, limits);
    return {
      rows: [{ prompt: t.chosenPromptIds, completion: t.responseIds }, { prompt: t.rejectedPromptIds, completion: t.responseIds }],
      audio, rejectedAudio: ex.rejectedAudio,
    };
  }
  const x = splitKinds(ex, where);
  const t = x.kind === 'chat'
    ? tokenizeChat(s, x.chat, where, limits)
    : s.whisper
      ? tokenizeForWhisper(s.tokenizer, s.whisper.prompt, x, limits)
      : tokenizeForCausalLm(s.tokenizer, { prompt: x.prompt ?? '', chosen: x.chosen, rejected: x.rejected }, limits);
  const chosen = { prompt: t.promptIds, completion: t.chosenIds };
  return { rows: rows === 'single' ? [chosen] : [chosen, { prompt: t.promptIds, completion: t.rejectedIds }], audio };
}

/** Where transformers looks for a chat template, for error messages. */
export const NO_TEMPLATE = 'no chat_template in tokenizer_config.json and no chat_template.jinja';

/** An example's fields as text (standard) or as message lists (conversational); mixing the two is an error. */
function splitKinds(ex: TrainExample, where: string): { kind: 'text'; prompt?: string; chosen: string; rejected: string } | { kind: 'chat'; chat: ChatExample } {
  const { prompt, chosen, rejected } = ex;
  if (typeof chosen === 'string' && typeof rejected === 'string' && (prompt === undefined || typeof prompt === 'string')) return { kind: 'text', prompt, chosen, rejected };
  if (Array.isArray(chosen) && Array.isArray(rejected) && (prompt === undefined || Array.isArray(prompt))) return { kind: 'chat', chat: { prompt: prompt ?? [], chosen, rejected } };
  throw new Error(`${where}: prompt, chosen and rejected must all be text or all be message lists`);
}

/** A conversational example through the model's chat template, then tokenized. */
function tokenizeChat(s: ModelSetup, chat: ChatExample, where: string, limits: LengthLimits): TokenizedExample {
  if (s.whisper) throw new Error(`${where}: conversational examples need a causal LM with a chat template; Whisper takes text`);
  try {
    const template = chatTemplateOf(s);
    if (!template) throw new Error(`conversational examples need a chat template, and ${s.loaded.folder.source.label} has none (${NO_TEMPLATE})`);
    return tokenizeChatForCausalLm(s.tokenizer, applyChatTemplate(template, chat), limits);
  } catch (e) {
    throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// One compiled template per loaded model, made on first use (standard data never parses it).
const templates = new WeakMap<ModelSetup, ChatTemplate | null>();

/** The setup's chat template (from its folder's files), or null when the model has none. */
export function chatTemplateOf(s: ModelSetup): ChatTemplate | null {
  let t = templates.get(s);
  if (t === undefined) {
    t = folderChatTemplate(s.loaded.folder);
    templates.set(s, t);
  }
  return t;
}

/** True when an example needs audio or images (audio paths, or non-text parts in its messages). */
export function needsMedia(ex: Pick<TrainExample, 'prompt' | 'chosen' | 'rejected' | 'audio' | 'rejectedAudio'>): boolean {
  if (ex.audio !== undefined || ex.rejectedAudio !== undefined) return true;
  return [ex.prompt, ex.chosen, ex.rejected].some((v) => Array.isArray(v) && v.some((m) => typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text')));
}

/**
 * The run's one length bucket: the longest row of every example given, rounded up to a multiple
 * of 16 and capped at the model's positions, so a single session serves every batch of the run.
 */
export function runLength(sets: readonly (readonly PreparedExample[])[], s: Pick<ModelSetup, 'maxTokens'>): number {
  const longest = Math.max(1, ...sets.flatMap((xs) => xs.flatMap((e) => e.rows.map(rowLength))));
  return lengthBucket(longest, 16, s.maxTokens - 1);
}

/** The row layout of a run. */
export function batchLayout(rows: RowLayout, length: number, s: ModelSetup, examples: readonly PreparedExample[]): BatchLayout {
  const layout: BatchLayout = { rows, length };
  if (s.whisper) {
    const perRow = rows === 'contexts' && examples.some((e) => e.rejectedAudio !== undefined);
    layout.features = { mels: s.whisper.features.featureSize, frames: s.whisper.features.nbMaxFrames, perRow };
  }
  return layout;
}

/** Log-mel features of audio references, computed when a batch is built (never all held at once). */
export class FeatureSource {
  private readonly extractor: WhisperFeatureExtractor;

  constructor(s: ModelSetup, private readonly loadAudio?: (path: string) => Promise<Float32Array>) {
    if (!s.whisper) throw new Error('FeatureSource: not a Whisper model');
    this.extractor = new WhisperFeatureExtractor(s.whisper.features);
  }

  /** Features [mels * frames] (mel-major, HF `input_features[0]`) of one audio. */
  async features(a: AudioRef): Promise<Float32Array> {
    let samples: Float32Array;
    if (typeof a === 'string') {
      if (!this.loadAudio) throw new Error(`audio '${a}' is a path but no loadAudio callback was given`);
      samples = await this.loadAudio(a);
    } else samples = a;
    return this.extractor.extract(samples).data;
  }
}

/** A batch ready to feed, with its sizes. */
export interface BatchFeeds {
  feeds: Record<string, HostTensor>;
  /** Examples (pairs) and rows in the batch. */
  batch: number;
  rows: number;
  /** Real tokens in the batch (prompt + completion of every row). */
  tokens: number;
}

/** Collate the examples at `indices` into feeds for `layout` (features computed on the way). */
export async function buildBatch(
  examples: readonly PreparedExample[], indices: readonly number[], layout: BatchLayout, padId: number, features: FeatureSource | null,
): Promise<BatchFeeds> {
  const picked = indices.map((i) => examples[i]);
  const single = layout.rows === 'single';
  const rows = single ? picked.map((e) => e.rows[0]) : [...picked.map((e) => e.rows[0]), ...picked.map((e) => e.rows[1])];
  const b = collateRows(rows, { padId, length: layout.length, batch: picked.length });
  const R = rows.length;
  const T = layout.length;
  const feeds: Record<string, HostTensor> = {
    [INPUT_NAMES.inputIds]: { dtype: 'int32', data: b.inputIds, dims: [R, T] },
    [INPUT_NAMES.attentionMask]: { dtype: 'float32', data: b.attentionMask, dims: [R, T] },
    [INPUT_NAMES.labels]: { dtype: 'int32', data: b.labels, dims: [R, T] },
    [INPUT_NAMES.completionMask]: { dtype: 'float32', data: b.completionMask, dims: [R, T] },
  };
  if (layout.features) {
    if (!features) throw new Error('buildBatch: the layout has features but no FeatureSource was given');
    const { mels, frames } = layout.features;
    const audios = featuresPerRow(layout)
      ? single ? picked.map((e) => e.audio!) : [...picked.map((e) => e.audio!), ...picked.map((e) => e.rejectedAudio ?? e.audio!)]
      : picked.map((e) => e.audio!);
    const data = new Float32Array(audios.length * mels * frames);
    for (const [i, a] of audios.entries()) data.set(await features.features(a), i * mels * frames);
    feeds[INPUT_NAMES.inputFeatures] = { dtype: 'float32', data, dims: [audios.length, mels, frames] };
  }
  const tokens = rows.reduce((n, r) => n + r.prompt.length + r.completion.length, 0);
  return { feeds, batch: picked.length, rows: R, tokens };
}

/** The order of examples in epoch `epoch`: a permutation from `Rng(seed).fork('data:<epoch>')`. */
export function epochOrder(seed: number, epoch: number, n: number): number[] {
  return new Rng(seed).fork(`data:${epoch}`).permutation(n);
}

/** How a run walks its data: batches per epoch, optimizer steps per epoch, total steps. */
export interface DataPlan {
  examples: number;
  batchSize: number;
  accumulation: number;
  batchesPerEpoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
}

/**
 * HF's accounting: ceil(n / batch) batches per epoch (the last may be smaller), floor(batches /
 * accumulation) optimizer steps per epoch (the remainder batches of an epoch are not used), and
 * max_steps or ceil(epochs * steps per epoch) steps in all.
 */
export function dataPlan(c: Pick<TrainConfig, 'per_device_train_batch_size' | 'gradient_accumulation_steps' | 'max_steps' | 'num_train_epochs'>, n: number): DataPlan {
  if (n < 1) throw new Error('no training examples');
  const batchSize = c.per_device_train_batch_size;
  const accumulation = c.gradient_accumulation_steps;
  const batchesPerEpoch = Math.ceil(n / batchSize);
  if (batchesPerEpoch < accumulation) {
    throw new Error(`gradient_accumulation_steps ${accumulation} exceeds the ${batchesPerEpoch} batch(es) of one epoch (${n} examples, batch size ${batchSize})`);
  }
  const stepsPerEpoch = Math.floor(batchesPerEpoch / accumulation);
  const totalSteps = c.max_steps > 0 ? c.max_steps : Math.ceil(c.num_train_epochs * stepsPerEpoch);
  return { examples: n, batchSize, accumulation, batchesPerEpoch, stepsPerEpoch, totalSteps };
}

/** The example indices of micro-batch `micro` of optimizer step `step` (0-based). */
export function microBatchIndices(p: DataPlan, seed: number, step: number, micro: number): { epoch: number; indices: number[] } {
  const epoch = Math.floor(step / p.stepsPerEpoch);
  const m = (step % p.stepsPerEpoch) * p.accumulation + micro;
  const order = epochOrder(seed, epoch, p.examples);
  return { epoch, indices: order.slice(m * p.batchSize, (m + 1) * p.batchSize) };
}

/** HF's fractional epoch after `steps` optimizer steps: epoch + micro-batches done / batches per epoch. */
export function epochAfter(p: DataPlan, steps: number): number {
  if (steps <= 0) return 0;
  const epoch = Math.floor((steps - 1) / p.stepsPerEpoch);
  const done = ((steps - 1) % p.stepsPerEpoch + 1) * p.accumulation;
  return epoch + done / p.batchesPerEpoch;
}

/** Sequential batches over every example (reference and evaluation passes). */
export function sequentialBatches(n: number, batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += batchSize) out.push([...Array(Math.min(batchSize, n - i)).keys()].map((k) => i + k));
  return out;
}

/**
 * The size of a symbolic dim for a batch of `batch` pairs and `rows` rows. Dims are the symbols
 * `batch` and `rows`, numbers, and the shape algebra the engine writes (`batch+batch`, `(rows)/(2)`).
 */
export function resolveDim(d: Dim, env: { batch: number; rows: number }): number {
  if (typeof d === 'number') return d;
  const src = d.replace(/\s+/g, '');
  let i = 0;
  const vars: Record<string, number> = { [PAIRS]: env.batch, [ROWS]: env.rows };
  const expr = (): number => { let v = term(); while (src[i] === '+' || src[i] === '-') { const op = src[i++]; const w = term(); v = op === '+' ? v + w : v - w; } return v; };
  const term = (): number => { let v = atom(); while (src[i] === '*' || src[i] === '/') { const op = src[i++]; const w = atom(); v = op === '*' ? v * w : v / w; } return v; };
  const atom = (): number => {
    if (src[i] === '(') { i++; const v = expr(); if (src[i++] !== ')') throw new Error(`bad dim '${d}'`); return v; }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^\d+/.exec(src.slice(i));
    if (!m) throw new Error(`bad dim '${d}'`);
    i += m[0].length;
    if (/^\d/.test(m[0])) return Number(m[0]);
    if (!(m[0] in vars)) throw new Error(`unknown dim symbol '${m[0]}' in '${d}'`);
    return vars[m[0]];
  };
  const v = expr();
  if (i !== src.length || !Number.isInteger(v)) throw new Error(`bad dim '${d}'`);
  return v;
}

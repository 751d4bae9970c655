// Pack tokenized preference examples into fixed-shape arrays: chosen rows first, then rejected,
// right-padded to a length bucket so one ONNX session serves every batch of that bucket.
import { type TokenizedContexts, type TokenizedExample } from './tokenize';

/** The arrays of one batch, ready to become ORT tensors: rows = 2 * batch for pairs, = batch for single rows. */
export interface PreferenceBatch {
  batch: number;
  length: number;
  /** Decoder/LM input ids [rows, length] (the sequence without its last token). */
  inputIds: Int32Array;
  /** 1 on real input positions [rows, length]. */
  attentionMask: Float32Array;
  /** The token each position predicts [rows, length] (0 where masked). */
  labels: Int32Array;
  /** 1 where the predicted token belongs to the completion [rows, length]. */
  completionMask: Float32Array;
}

/** Round a length up to its bucket: multiples of `step` (default 16), capped at `max`. */
export function lengthBucket(n: number, step = 16, max = Infinity): number {
  return Math.min(max, Math.ceil(Math.max(1, n) / step) * step);
}

/** One row of a batch: its prompt (context) tokens and its completion (response) tokens. */
export interface SequenceRow { prompt: readonly number[]; completion: readonly number[] }

/** Options of the collators: the pad id, the bucket step and the cap on input positions. */
export interface CollateOptions {
  padId?: number;
  step?: number;
  maxLength?: number;
  /** Pad to exactly this many input positions (a run's fixed bucket) instead of the batch's own bucket. */
  length?: number;
  /** Examples in the batch: rows / 2 for pairs (chosen and rejected rows), rows for single rows (default). */
  batch?: number;
}

/** Input positions a row needs: prompt + completion - 1 (the last token is only predicted). */
export const rowLength = (r: SequenceRow): number => r.prompt.length + r.completion.length - 1;

/**
 * Collate rows in the given order. Each row is prompt + completion; position t is fed token t and
 * predicts token t + 1, which is a completion token from t = |prompt| - 1 on, as TRL's shifted
 * loss mask has it.
 */
export function collateRows(rows: readonly SequenceRow[], opts: CollateOptions = {}): PreferenceBatch {
  for (const s of rows) if (!s.prompt.length) throw new Error('a prompt must hold at least one token (a BOS or decoder start token)');
  const longest = Math.max(...rows.map(rowLength));
  const length = opts.length ?? lengthBucket(longest, opts.step, opts.maxLength);
  if (longest > length) throw new Error(`a sequence of ${longest + 1} tokens exceeds max_length ${length + 1}`);
  const n = rows.length;
  const inputIds = new Int32Array(n * length).fill(opts.padId ?? 0);
  const attentionMask = new Float32Array(n * length);
  const labels = new Int32Array(n * length);
  const completionMask = new Float32Array(n * length);
  rows.forEach(({ prompt: p, completion: c }, r) => {
    const full = [...p, ...c];
    for (let t = 0; t < full.length - 1; t++) {
      inputIds[r * length + t] = full[t];
      attentionMask[r * length + t] = 1;
      labels[r * length + t] = full[t + 1];
      completionMask[r * length + t] = t + 1 >= p.length ? 1 : 0;
    }
  });
  return { batch: opts.batch ?? n, length, inputIds, attentionMask, labels, completionMask };
}

/** The rows of preference examples: every chosen row (prompt + chosen), then every rejected row. */
export function preferenceRows(examples: readonly TokenizedExample[]): SequenceRow[] {
  return [
    ...examples.map((e) => ({ prompt: e.promptIds, completion: e.chosenIds })),
    ...examples.map((e) => ({ prompt: e.promptIds, completion: e.rejectedIds })),
  ];
}

/** Collate a preference batch: chosen rows first, then rejected rows (see `collateRows`). */
export function collatePreference(examples: TokenizedExample[], opts: CollateOptions = {}): PreferenceBatch {
  return collateRows(preferenceRows(examples), { ...opts, batch: examples.length });
}

/** ADPO rows: the response after every chosen context, then after every rejected context. */
export function contextRows(examples: readonly TokenizedContexts[]): SequenceRow[] {
  return [
    ...examples.map((e) => ({ prompt: e.chosenPromptIds, completion: e.responseIds })),
    ...examples.map((e) => ({ prompt: e.rejectedPromptIds, completion: e.responseIds })),
  ];
}

// Policy log-prob graphs over a collated batch (rows = chosen rows, then rejected rows): per-token
// log-probs of the labels, per-sequence sums and means over the completion mask, and the
// vocabulary-mean logits TRL logs as `logits/chosen` / `logits/rejected`.
//
// LMs run one forward over all 2B rows. Whisper runs its encoder ONCE on the B audio features and
// decodes the chosen and the rejected rows against the same encoder states (stacked along the
// batch axis, so every decoder weight is read once): the encoder's activations (and, in training,
// their gradients) exist once per pair instead of twice, the memory saving seed 003 describes.
// Measured by bench/train.bench.ts (whisper-tiny shape, LoRA r 16 on q,v, 4 pairs of 10 s audio,
// one DPO step): peak memory above baseline 1240 MB instead of 1587 MB on onnxruntime-web WASM
// (-22%), 1775 MB instead of 2526 MB on onnxruntime-node CPU (-30%). The decoder's cross-attention
// k/v projections still run per row (2B); sharing them too would need a model-level change.
//
// Shapes: the row count is symbolic (`rows`, with `batch` pairs), so one session serves every batch
// of a run including a smaller last one; the length is the run's fixed bucket.
import {
  type Graph, type Value, cast, concat, gatherElements, greaterOrEqual, mul, neg, reduceMax, reduceMean, reduceSum, reshape, slice, softmax,
  squeeze, unsqueeze,
} from '../engine';
import { logSoftmax } from '../engine/nn';
import { type InputSpec } from '../engine/train-step';
import { type BuildContext, type ModelDef } from '../models/types';
import { type SeqStats, sequenceStats } from './losses';

/** The symbolic row dimension of batch inputs (2 * pairs, or the examples of single-row batches). */
export const ROWS = 'rows';
/** The symbolic pair (example) dimension. */
export const PAIRS = 'batch';

/**
 * How rows relate: `pairs` (DPO/ORPO: chosen and rejected completions of one prompt), `contexts`
 * (ADPO: one response under a chosen and a rejected context), `single` (SFT: chosen rows only).
 */
export type RowLayout = 'pairs' | 'contexts' | 'single';

/** Static facts of a run's batches. */
export interface BatchLayout {
  rows: RowLayout;
  /** Input positions per row (the run's length bucket). */
  length: number;
  /**
   * Whisper: log-mel features [n, mels, frames]; `perRow` when every row has its own audio
   * (SFT, or ADPO with a rejected audio context), else one audio per pair shared by both rows.
   */
  features?: { mels: number; frames: number; perRow: boolean };
}

/** The batch inputs of a policy graph. */
export interface PolicyInputs {
  /** [rows, T] int32. */
  inputIds: Value;
  /** [rows, T] float32, 1 on real input positions. */
  attentionMask: Value;
  /** [rows, T] int32, the token each position predicts. */
  labels: Value;
  /** [rows, T] float32, 1 where the predicted token belongs to the completion. */
  completionMask: Value;
  /** Whisper: [batch or rows, mels, frames] float32. */
  inputFeatures?: Value;
}

/** Input names of a policy graph (also the keys of `buildBatch` feeds). */
export const INPUT_NAMES = {
  inputIds: 'input_ids', attentionMask: 'attention_mask', labels: 'labels', completionMask: 'completion_mask', inputFeatures: 'input_features',
} as const;

/** The batch input specs of `layout`, by input name. */
export function policyInputSpecs(layout: BatchLayout): Record<string, InputSpec> {
  const rt = [ROWS, layout.length];
  const specs: Record<string, InputSpec> = {
    [INPUT_NAMES.inputIds]: { dtype: 'int32', shape: rt },
    [INPUT_NAMES.attentionMask]: { dtype: 'float32', shape: rt },
    [INPUT_NAMES.labels]: { dtype: 'int32', shape: rt },
    [INPUT_NAMES.completionMask]: { dtype: 'float32', shape: rt },
  };
  const f = layout.features;
  if (f) specs[INPUT_NAMES.inputFeatures] = { dtype: 'float32', shape: [featuresPerRow(layout) ? ROWS : PAIRS, f.mels, f.frames] };
  return specs;
}

/** True when every row has its own features (SFT, ADPO with a rejected audio context). */
export const featuresPerRow = (layout: BatchLayout): boolean => layout.rows === 'single' || !!layout.features?.perRow;

/** The policy inputs among graph values keyed by input name. */
export function policyInputsOf(v: Record<string, Value>): PolicyInputs {
  const x: PolicyInputs = {
    inputIds: v[INPUT_NAMES.inputIds], attentionMask: v[INPUT_NAMES.attentionMask], labels: v[INPUT_NAMES.labels], completionMask: v[INPUT_NAMES.completionMask],
  };
  if (v[INPUT_NAMES.inputFeatures]) x.inputFeatures = v[INPUT_NAMES.inputFeatures];
  return x;
}

/** Declare the batch inputs of `layout` on `g`. */
export function declarePolicyInputs(g: Graph, layout: BatchLayout): PolicyInputs {
  const specs = policyInputSpecs(layout);
  return policyInputsOf(Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, g.input(n, s.dtype, s.shape)])));
}

/** A loaded model as the graphs need it: its def and the config that def parsed. */
export interface PolicyModel { def: ModelDef; config: unknown }

/** Per-token outputs of one forward. */
export interface PolicyForward {
  /** log p(label) at every position [rows, T] (padding included: mask it). */
  tokenLogps: Value;
  /** The logits averaged over the vocabulary at every position [rows, T]. */
  meanLogits: Value;
  /** With `tokenMetrics`: 1 where the label has the largest logit [rows, T] (TRL SFT's token accuracy). */
  correct?: Value;
  /** With `tokenMetrics`: the entropy of the predicted distribution [rows, T] (TRL SFT's `entropy`). */
  entropy?: Value;
}

/** One forward over every row: LM on the ids, or Whisper's encoder once and decoder on all rows. */
export function policyForward(ctx: BuildContext, model: PolicyModel, x: PolicyInputs, layout: BatchLayout, opts: { tokenMetrics?: boolean } = {}): PolicyForward {
  let logits: Value;
  if (model.def.kind === 'causal-lm') {
    logits = model.def.forward(ctx, model.config, { inputIds: x.inputIds, attentionMask: x.attentionMask }).logits;
  } else {
    if (!x.inputFeatures) throw new Error(`${model.def.modelType}: an encoder-decoder model needs audio features`);
    const enc = model.def.encode(ctx, model.config, { inputFeatures: x.inputFeatures });
    // Shared audio: the B encoder states serve the chosen rows and again the rejected rows. This is
    // whisperDecodeShared's stacking, without its split (which needs a fixed batch size).
    const shared = !featuresPerRow(layout);
    const encoderHidden = shared ? concat([enc, enc], 0) : enc;
    logits = model.def.decode(ctx, model.config, { encoderHidden, inputIds: x.inputIds, attentionMask: x.attentionMask }).logits;
  }
  const logp = logSoftmax(logits, -1);
  const label = unsqueeze(x.labels, [-1]);
  const out: PolicyForward = { tokenLogps: squeeze(gatherElements(logp, label, -1), [-1]), meanLogits: reduceMean(logits, [-1]) };
  if (opts.tokenMetrics) {
    // Metrics only: nothing here feeds the loss, so no gradient flows through ReduceMax or Softmax.
    out.correct = cast(greaterOrEqual(squeeze(gatherElements(logits, label, -1), [-1]), reduceMax(logits, [-1])), 'float32');
    out.entropy = neg(reduceSum(mul(softmax(logits, -1), logp), [-1]));
  }
  return out;
}

/** Split [rows, ...] into the chosen half and the rejected half (rows = 2 * batch). */
export function splitRows(x: Value): [Value, Value] {
  const rest = x.shape.slice(1);
  if (!rest.every((d): d is number => typeof d === 'number')) throw new Error('splitRows: only the row dimension may be symbolic');
  const halves = reshape(x, [2, -1, ...rest]);
  const half = (i: number) => squeeze(slice(halves, [i], [i + 1], [0]), [0]);
  return [half(0), half(1)];
}

/** Chosen and rejected sequence statistics over the completion mask (sums, counts, means, logits). */
export function pairStats(f: PolicyForward, completionMask: Value): { chosen: SeqStats; rejected: SeqStats } {
  const [lc, lr] = splitRows(f.tokenLogps);
  const [mc, mr] = splitRows(completionMask);
  const [gc, gr] = splitRows(f.meanLogits);
  return { chosen: sequenceStats(lc, mc, gc), rejected: sequenceStats(lr, mr, gr) };
}

/** Per-row summed completion log-probs [rows] (what the reference pass stores). */
export function rowLogps(f: PolicyForward, completionMask: Value): Value {
  return sequenceStats(f.tokenLogps, completionMask).sum;
}

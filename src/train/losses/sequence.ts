// Per-sequence reductions of per-token log-probs over a completion mask (DESIGN.md section 4):
// summed for DPO, averaged for ORPO, with token counts for the length-normalized losses.
import {
  type Graph, type Operand, type Value, cast, customGradient, div, greater, identity, maximum, mul, neg, reduceMean,
  reduceSum, where,
} from '../../engine';

/** Per-sequence statistics of one side (chosen or rejected) of a batch; every field but `logitsMeanAll` is [B]. */
export interface SeqStats {
  /** Σ_t mask·logp: the sequence log-prob (DPO, online DPO). */
  sum: Value;
  /** Number of completion tokens. */
  count: Value;
  /** sum / max(count, 1): the mean token log-prob (ORPO). */
  mean: Value;
  /** Σ_t mask·(mean over the vocabulary of the logits), when token logits were given (`logits/*` metrics). */
  logitsSum?: Value;
  /** Mean of the per-token vocab-mean logits over every position, padding included (TRL ORPO's `logits/*`). */
  logitsMeanAll?: Value;
}

/** The 0/1 completion mask as a bool tensor (float masks count where > 0). */
export function maskBool(mask: Value): Value {
  return mask.dtype === 'bool' ? mask : greater(mask, 0);
}

/** x where mask is set, else 0. NOTE: a select, not a product: padding holding -inf or NaN cannot leak. */
export function masked(x: Value, mask: Value): Value {
  return where(maskBool(mask), x, x.graph.scalar(0, x.dtype));
}

/**
 * Reduce per-token log-probs [B, T] over the completion mask [B, T] (float 0/1 or bool).
 * `tokenMeanLogits` [B, T] is the logits averaged over the vocabulary at each position (only for metrics).
 */
export function sequenceStats(tokenLogps: Value, mask: Value, tokenMeanLogits?: Value): SeqStats {
  const m = cast(maskBool(mask), tokenLogps.dtype);
  const sum = reduceSum(masked(tokenLogps, mask), [-1]);
  const count = reduceSum(m, [-1]);
  const mean = div(sum, maximum(count, 1));
  const stats: SeqStats = { sum, count, mean };
  if (tokenMeanLogits) {
    stats.logitsSum = reduceSum(masked(tokenMeanLogits, mask), [-1]);
    stats.logitsMeanAll = reduceMean(tokenMeanLogits);
  }
  return stats;
}

/** Identity in the forward pass, no gradient in the backward pass (torch's `.detach()`). */
export function stopGradient(x: Value): Value {
  const y = identity(x);
  customGradient([x], [y], () => [null]);
  return y;
}

/** Mean over the batch of a [B] value. */
export const batchMean = (x: Value): Value => reduceMean(x);

/** Token-weighted mean over the whole batch: Σ_b num_b / Σ_b den_b (TRL's `logits/*`, cross-entropy). */
export function tokenWeightedMean(num: Value, den: Value): Value {
  return div(reduceSum(num), maximum(reduceSum(den), 1));
}

/** Mean token NLL over a batch, token-weighted: -Σ logp / Σ count (F.cross_entropy over the masked tokens). */
export function nllFromStats(s: SeqStats): Value {
  return neg(tokenWeightedMean(s.sum, s.count));
}

/** A scalar hyper-parameter: a number baked into the graph or a scalar graph input (a per-epoch beta). */
export type Scalar = Operand;

/** a * b where either may be a plain number. */
export function scale(x: Value, k: Scalar): Value {
  return typeof k === 'number' && k === 1 ? x : mul(x, k);
}

/** Graph outputs for every metric under its TRL name (prefix 'eval_' for evaluation graphs). */
export function outputMetrics(g: Graph, metrics: Record<string, Value>, prefix = ''): Record<string, Value> {
  return Object.fromEntries(Object.entries(metrics).map(([k, v]) => [prefix + k, g.output(prefix + k, v)]));
}

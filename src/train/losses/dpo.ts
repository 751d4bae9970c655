// The DPO loss family on sequence log-probs, with TRL's loss types and logged metrics.
// Behaviour read from TRL's `DPOTrainer._compute_loss` at 1.10.0.dev0 (commit f2cd577) and its
// older `dpo_loss` (v0.26.0) for the options TRL 1.x dropped (cDPO smoothing, BCO's running
// mean, `rpo_alpha`, the `aot_pair` name).
import {
  type Value, add, cast, div, exp, greater, maximum, minimum, mul, neg, relu, sub,
} from '../../engine';
import { logSigmoid, stableSigmoid } from '../../engine/nn';
import { type Scalar, type SeqStats, batchMean, nllFromStats, scale, stopGradient, tokenWeightedMean } from './sequence';
import { sortAscending } from './sort';

/** TRL's DPO `loss_type` values (`aot_pair` is TRL 0.x's name of `aot_unpaired`). */
export type DpoLossType =
  | 'sigmoid' | 'hinge' | 'ipo' | 'exo_pair' | 'nca_pair' | 'robust' | 'bco_pair' | 'sppo_hard' | 'aot'
  | 'aot_unpaired' | 'aot_pair' | 'apo_zero' | 'apo_down' | 'discopop' | 'sft' | 'sigmoid_norm';

/** Every DPO loss type, in TRL's order. */
export const DPO_LOSS_TYPES: readonly DpoLossType[] = [
  'sigmoid', 'hinge', 'ipo', 'exo_pair', 'nca_pair', 'robust', 'bco_pair', 'sppo_hard', 'aot', 'aot_unpaired',
  'aot_pair', 'apo_zero', 'apo_down', 'discopop', 'sft', 'sigmoid_norm',
];

/** TRL's `f_divergence_type`: how a log-ratio becomes a score. */
export type FDivergence = 'reverse_kl' | 'forward_kl' | 'js_divergence' | 'alpha_divergence';

/** Hyper-parameters under TRL's names (camelCase). */
export interface DpoConfig {
  /** Temperature beta (IPO's tau); a scalar graph input lets one session serve a per-epoch beta list. */
  beta: Scalar;
  /** One loss type or several, summed with `lossWeights` (default 1 each). */
  lossType: DpoLossType | DpoLossType[];
  lossWeights?: number[];
  /**
   * Used by `robust`, `exo_pair` (must be > 0), `aot`, `aot_unpaired` and, as cDPO, by `sigmoid`.
   * NOTE: TRL >= 1.0 ignores it for `sigmoid`; set 0 there to match it (TRL <= 0.29 applied cDPO).
   */
  labelSmoothing?: number;
  /** DiscoPOP's tau (default 0.05). */
  discopopTau?: number;
  fDivergenceType?: FDivergence;
  /** alpha of `alpha_divergence` (default 0.5). */
  fAlphaDivergenceCoef?: number;
  /** RPO (TRL 0.x): adds rpoAlpha * NLL(chosen) to the loss and logs `nll_loss`. */
  rpoAlpha?: number | null;
}

/** Policy and reference sequence statistics for one batch of pairs. */
export interface DpoInputs {
  /** Policy statistics of the chosen / rejected completions (from `sequenceStats`). */
  chosen: SeqStats;
  rejected: SeqStats;
  /** Reference summed log-probs [B] (precomputed constants fed as inputs, or a no-adapter pass); omit for reference-free. */
  refChosen?: Value;
  refRejected?: Value;
  /** NLL of the chosen completions for `sft` and `rpoAlpha`; default: token-weighted mean over `chosen`'s mask. */
  nll?: Value;
  /** BCO running mean state (TRL 0.x): mean and count before this batch, scalars. Omit for TRL 1.x (delta = 0). */
  bcoRunning?: { mean: Value; count: Value };
}

/** Metric names DPO logs, as TRL. */
export type DpoMetric =
  | 'rewards/chosen' | 'rewards/rejected' | 'rewards/accuracies' | 'rewards/margins' | 'logps/chosen'
  | 'logps/rejected' | 'logits/chosen' | 'logits/rejected' | 'nll_loss';

/** The scalar loss, its per-sequence terms, TRL's metrics (scalars) and updated state. */
export interface DpoOutputs {
  loss: Value;
  /** Σ_i w_i * per-sequence loss of type i, [B] (TRL's mean of it is `loss` before `rpoAlpha`). */
  perSequence: Value;
  /** beta * (pi - ref) per pair, [B]. */
  chosenRewards: Value;
  rejectedRewards: Value;
  metrics: Partial<Record<DpoMetric, Value>>;
  /** The BCO running moments after this batch, to feed back as `bcoRunning` next step. */
  bcoRunning?: { mean: Value; count: Value };
}

/** log-ratio -> score under an f-divergence (TRL 1.x's `f_divergence_type`). */
function score(logratio: Value, f: FDivergence, alpha: number): Value {
  switch (f) {
    case 'reverse_kl': return logratio;
    case 'forward_kl': return neg(exp(neg(logratio))); // f'(t) = 1 - 1/t, constant dropped
    case 'js_divergence': return logSigmoid(logratio); // f'(t) = log(2t/(t+1)), log 2 dropped
    case 'alpha_divergence': {
      if (Math.abs(alpha - 1) < 1e-6) return logratio;
      // f'(t) = (t^(alpha-1) - 1)/(alpha-1), constant dropped. NOTE: exponent capped at 80 as TRL does.
      return mul(exp(minimum(mul(logratio, alpha - 1), 80)), 1 / (alpha - 1));
    }
  }
}

/** -(1-ls) log s(z) - ls log s(-z): the label-smoothed logistic loss. */
function smoothedLogistic(z: Value, ls: number): Value {
  const clean = neg(logSigmoid(z));
  return ls === 0 ? clean : add(mul(clean, 1 - ls), mul(neg(logSigmoid(neg(z))), ls));
}

/** 1 / (k beta) for a number or a graph scalar. */
function inv(beta: Scalar, k: number): Scalar {
  return typeof beta === 'number' ? 1 / (k * beta) : div(1, mul(beta, k));
}

/** The DPO loss family on (policy, reference) sequence log-probs, with TRL's metrics. */
export function dpoLoss(cfg: DpoConfig, x: DpoInputs): DpoOutputs {
  const types = Array.isArray(cfg.lossType) ? cfg.lossType : [cfg.lossType];
  const weights = cfg.lossWeights ?? types.map(() => 1);
  if (weights.length !== types.length) throw new Error(`lossWeights has ${weights.length} entries for ${types.length} loss types`);
  const ls = cfg.labelSmoothing ?? 0;
  const beta = cfg.beta;
  const f = cfg.fDivergenceType ?? 'reverse_kl';
  const alpha = cfg.fAlphaDivergenceCoef ?? 0.5;
  const { chosen, rejected } = x;

  const chosenLogratios = x.refChosen ? sub(chosen.sum, x.refChosen) : chosen.sum;
  const rejectedLogratios = x.refRejected ? sub(rejected.sum, x.refRejected) : rejected.sum;
  const chosenScores = score(chosenLogratios, f, alpha);
  const rejectedScores = score(rejectedLogratios, f, alpha);
  const delta = sub(chosenScores, rejectedScores); // h = (pi+ - ref+) - (pi- - ref-) under reverse KL
  const bd = scale(delta, beta);
  let nllValue: Value | undefined;
  const nll = (): Value => (nllValue ??= x.nll ?? nllFromStats(chosen));
  // TRL's ipo and sigmoid_norm divide scores by the completion length (clamped at 1).
  const avgDelta = () => sub(div(chosenScores, maximum(chosen.count, 1)), div(rejectedScores, maximum(rejected.count, 1)));
  let bcoNext: DpoOutputs['bcoRunning'];

  const term = (t: DpoLossType): Value => {
    switch (t) {
      case 'sigmoid': return smoothedLogistic(bd, ls);
      case 'hinge': return relu(sub(1, bd));
      case 'ipo': { // (h/len - 1/(2 beta))^2, IPO eq. 17
        const d = sub(avgDelta(), inv(beta, 2));
        return mul(d, d);
      }
      case 'exo_pair': { // KL(softmax(beta h) || [1-eps, eps]) over {chosen, rejected}, EXO eq. 16
        if (!(ls > 0)) throw new Error("exo_pair needs labelSmoothing > 0 (EXO recommends 1e-3)");
        const win = mul(stableSigmoid(bd), sub(logSigmoid(bd), Math.log1p(-ls)));
        const lose = mul(stableSigmoid(neg(bd)), sub(logSigmoid(neg(bd)), Math.log(ls)));
        return add(win, lose);
      }
      case 'nca_pair': {
        const cr = scale(chosenScores, beta);
        const rr = scale(rejectedScores, beta);
        return sub(sub(neg(logSigmoid(cr)), mul(logSigmoid(neg(cr)), 0.5)), mul(logSigmoid(neg(rr)), 0.5));
      }
      case 'robust': { // ((1-ls)(-log s(bh)) + ls log s(-bh)) / (1 - 2 ls)
        const clean = mul(neg(logSigmoid(bd)), 1 - ls);
        const flipped = mul(logSigmoid(neg(bd)), ls);
        return div(add(clean, flipped), 1 - 2 * ls);
      }
      case 'bco_pair': {
        let cr = scale(chosenScores, beta);
        let rr = scale(rejectedScores, beta);
        if (x.bcoRunning) {
          // TRL 0.x RunningMoments.update with the batch's mean reward, then delta = running mean (no gradient).
          const batch = stopGradient(batchMean(add(cr, rr)));
          const half = mul(batch, 0.5); // mean of cat(chosen, rejected) = (mean c + mean r) / 2
          const total = add(x.bcoRunning.count, 1);
          const mean = add(x.bcoRunning.mean, div(sub(half, x.bcoRunning.mean), total));
          bcoNext = { mean, count: total };
          cr = sub(cr, mean);
          rr = sub(rr, mean);
        }
        return sub(neg(logSigmoid(cr)), logSigmoid(neg(rr)));
      }
      case 'sppo_hard': { // (s+ - 1/(2 beta))^2 + (s- + 1/(2 beta))^2
        const w = sub(chosenScores, inv(beta, 2));
        const l = add(rejectedScores, inv(beta, 2));
        return add(mul(w, w), mul(l, l));
      }
      case 'aot': { // sorted policy log-ratio minus sorted reference log-ratio
        const lr = sub(chosen.sum, rejected.sum);
        const ref = x.refChosen && x.refRejected ? sub(x.refChosen, x.refRejected) : null;
        const d = ref ? sub(sortAscending(lr), sortAscending(ref)) : sortAscending(lr);
        return smoothedLogistic(scale(d, beta), ls);
      }
      case 'aot_unpaired': case 'aot_pair': {
        const d = sub(sortAscending(chosenLogratios), sortAscending(rejectedLogratios));
        return smoothedLogistic(scale(d, beta), ls);
      }
      case 'apo_zero': // APO eq. 7: 1 - s(beta r+) + s(beta r-), on the log-ratios
        return add(sub(1, stableSigmoid(scale(chosenLogratios, beta))), stableSigmoid(scale(rejectedLogratios, beta)));
      case 'apo_down': // APO eq. 8: s(beta r+) + 1 - s(beta h)
        return add(stableSigmoid(scale(chosenLogratios, beta)), sub(1, stableSigmoid(bd)));
      case 'discopop': { // DiscoPOP eq. 5: (1 - m) (-log s(z)) + m e^-z, m = s(z / tau)
        const m = stableSigmoid(div(bd, cfg.discopopTau ?? 0.05));
        return add(mul(neg(logSigmoid(bd)), sub(1, m)), mul(exp(neg(bd)), m));
      }
      case 'sft': return nll(); // a scalar; broadcasts over the batch
      case 'sigmoid_norm': return neg(logSigmoid(scale(avgDelta(), beta)));
    }
  };

  let loss: Value | null = null;
  let perSequence: Value | null = null;
  for (let i = 0; i < types.length; i++) {
    const per = term(types[i]);
    const weighted = scale(per, weights[i]);
    perSequence = perSequence ? add(perSequence, weighted) : weighted;
    const mean = scale(per.rank === 0 ? per : batchMean(per), weights[i]);
    loss = loss ? add(loss, mean) : mean;
  }
  if (!loss || !perSequence) throw new Error('dpoLoss needs at least one loss type');
  if (cfg.rpoAlpha != null) loss = add(loss, mul(nll(), cfg.rpoAlpha));

  const chosenRewards = scale(chosenLogratios, beta);
  const rejectedRewards = scale(rejectedLogratios, beta);
  const metrics: DpoOutputs['metrics'] = {
    'rewards/chosen': batchMean(chosenRewards),
    'rewards/rejected': batchMean(rejectedRewards),
    'rewards/accuracies': batchMean(cast(greater(chosenRewards, rejectedRewards), chosenRewards.dtype)),
    'rewards/margins': batchMean(sub(chosenRewards, rejectedRewards)),
    'logps/chosen': batchMean(chosen.sum),
    'logps/rejected': batchMean(rejected.sum),
  };
  if (chosen.logitsSum) metrics['logits/chosen'] = tokenWeightedMean(chosen.logitsSum, chosen.count);
  if (rejected.logitsSum) metrics['logits/rejected'] = tokenWeightedMean(rejected.logitsSum, rejected.count);
  if (cfg.rpoAlpha != null || types.includes('sft')) metrics.nll_loss = nll();
  return { loss, perSequence, chosenRewards, rejectedRewards, metrics, bcoRunning: bcoNext };
}

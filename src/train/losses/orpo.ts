// ORPO: NLL on the chosen completions minus lambda * mean log sigmoid(log odds ratio).
// Behaviour read from TRL's experimental ORPOTrainer (`odds_ratio_loss`, `get_batch_loss_metrics`)
// at 1.10.0.dev0 (commit f2cd577); the loss of seed 003 (Whisper) is the same.
import { type Value, cast, greater, minimum, sub } from '../../engine';
import { logSigmoid } from '../../engine/nn';
import { log1mexp } from './log1mexp';
import { type Scalar, type SeqStats, batchMean, nllFromStats, scale, tokenWeightedMean } from './sequence';

/** ORPO hyper-parameters. */
export interface OrpoConfig {
  /** lambda of the paper, TRL's `beta` (default 0.1): weight of the odds-ratio term and reward scale. */
  beta: Scalar;
  /**
   * `logits/*` as TRL's ORPO: the mean over every position, padding included ('all'), or over
   * the completion tokens as DPO ('masked'). Default 'all'.
   */
  logitsMean?: 'all' | 'masked';
}

/** Policy statistics for ORPO; `mean` (the mean token log-prob) is what the odds use. */
export interface OrpoInputs {
  chosen: SeqStats;
  rejected: SeqStats;
  /**
   * NLL of the chosen sequences (`sftLoss` over its own mask). TRL takes the decoder labels for
   * encoder-decoders (Whisper: the completion) and prompt + completion for decoder-only models.
   * Default: token-weighted mean NLL over `chosen`'s completion mask.
   */
  nll?: Value;
}

/** Metric names ORPO logs, as TRL. */
export type OrpoMetric =
  | 'rewards/chosen' | 'rewards/rejected' | 'rewards/accuracies' | 'rewards/margins' | 'logps/chosen'
  | 'logps/rejected' | 'logits/chosen' | 'logits/rejected' | 'nll_loss' | 'log_odds_ratio' | 'log_odds_chosen';

/** The loss, the per-pair log odds, and TRL's metrics. */
export interface OrpoOutputs {
  loss: Value;
  /** log odds(chosen) - log odds(rejected) per pair, [B]. */
  logOdds: Value;
  metrics: Partial<Record<OrpoMetric, Value>>;
}

/**
 * Largest mean log-prob fed to log1mexp.
 * NOTE: a mean token log-prob of exactly 0 (every token certain in f32) makes log(1 - p) = -inf and
 * the log odds inf or NaN; TRL has the same hole. Capping at -1e-10 only changes such pairs.
 */
export const ORPO_MAX_MEAN_LOGP = -1e-10;

/** ORPO loss: nll - beta * mean(log s(log_odds)), log_odds = (a+ - a-) - (log1mexp(a+) - log1mexp(a-)). */
export function orpoLoss(cfg: OrpoConfig, x: OrpoInputs): OrpoOutputs {
  const a = minimum(x.chosen.mean, ORPO_MAX_MEAN_LOGP);
  const b = minimum(x.rejected.mean, ORPO_MAX_MEAN_LOGP);
  // log(p/(1-p)) - log(q/(1-q)) with p = e^a, q = e^b
  const logOdds = sub(sub(a, b), sub(log1mexp(a), log1mexp(b)));
  const ratio = logSigmoid(logOdds);
  const nll = x.nll ?? nllFromStats(x.chosen);
  const orTerm = batchMean(ratio);
  const loss = sub(nll, scale(orTerm, cfg.beta));

  const chosenRewards = scale(x.chosen.mean, cfg.beta);
  const rejectedRewards = scale(x.rejected.mean, cfg.beta);
  const metrics: OrpoOutputs['metrics'] = {
    'rewards/chosen': batchMean(chosenRewards),
    'rewards/rejected': batchMean(rejectedRewards),
    'rewards/accuracies': batchMean(cast(greater(chosenRewards, rejectedRewards), chosenRewards.dtype)),
    'rewards/margins': batchMean(sub(chosenRewards, rejectedRewards)),
    'logps/chosen': batchMean(x.chosen.mean),
    'logps/rejected': batchMean(x.rejected.mean),
    nll_loss: nll,
    // TRL's names: `log_odds_ratio` is mean log s(log_odds), `log_odds_chosen` is mean log_odds.
    log_odds_ratio: orTerm,
    log_odds_chosen: batchMean(logOdds),
  };
  const masked = cfg.logitsMean === 'masked';
  const logits = (s: SeqStats): Value | undefined =>
    masked ? (s.logitsSum ? tokenWeightedMean(s.logitsSum, s.count) : undefined) : s.logitsMeanAll;
  const lc = logits(x.chosen);
  const lr = logits(x.rejected);
  if (lc) metrics['logits/chosen'] = lc;
  if (lr) metrics['logits/rejected'] = lr;
  return { loss, logOdds, metrics };
}

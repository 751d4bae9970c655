// ADPO (abductive DPO, seed 002; Ni & Qi, "Abductive Preference Learning", arXiv 2510.09887):
// one response y, two contexts. The contexts play the part of DPO's completions:
//   h = [log pi(y | x+) - log ref(y | x+)] - [log pi(y | x-) - log ref(y | x-)]
// where x+ / x- are the chosen / rejected context (prompt text plus its images or audio), and
// log pi(y | x) is the response's summed token log-prob. Any DPO loss type then applies to h
// (A-DPO is `sigmoid`: -log s(beta h)). With a uniform prior over the two contexts,
// log pi(x+ | y) - log pi(x- | y) = log pi(y | x+) - log pi(y | x-), so this is DPO on the
// abductive policy. The metrics keep TRL's names: `rewards/chosen` is the reward of y under the
// chosen context, `logps/chosen` its log-prob there, and so on.
import { type Value } from '../../engine';
import { type DpoConfig, type DpoOutputs, dpoLoss } from './dpo';
import { type SeqStats } from './sequence';

/** The response's statistics under each context; both masks cover the same response tokens. */
export interface AdpoInputs {
  /** Policy: y under the chosen context, y under the rejected context. */
  chosenContext: SeqStats;
  rejectedContext: SeqStats;
  /** Reference summed log-probs [B] of y under each context. */
  refChosenContext?: Value;
  refRejectedContext?: Value;
  /** NLL for `sft` / `rpoAlpha`; default: y under the chosen context. */
  nll?: Value;
}

/** ADPO: the DPO loss family on h comparing one response under the chosen and the rejected context. */
export function adpoLoss(cfg: DpoConfig, x: AdpoInputs): DpoOutputs {
  return dpoLoss(cfg, {
    chosen: x.chosenContext,
    rejected: x.rejectedContext,
    refChosen: x.refChosenContext,
    refRejected: x.refRejectedContext,
    nll: x.nll,
  });
}

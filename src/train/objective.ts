// The loss of each trainer on a policy forward, with TRL's metric names: DPO (every TRL loss type),
// ORPO, ADPO (DPO on one response under two contexts) and SFT.
import { type Value } from '../engine';
import { type TrainConfig } from './config';
import {
  type DpoConfig, type DpoLossType, DPO_LOSS_TYPES, adpoLoss, dpoLoss, nllFromStats, orpoLoss, sequenceStats, sftLoss, tokenWeightedMean,
} from './losses';
import { type PolicyForward, type PolicyInputs, type RowLayout, pairStats, splitRows } from './policy';

/** The settings the objective reads (a subset of TrainConfig). */
export type ObjectiveConfig = Pick<TrainConfig, 'trainer' | 'beta' | 'loss_type' | 'loss_weights' | 'label_smoothing'>;

/** The row layout each trainer uses. */
export function rowLayoutOf(trainer: TrainConfig['trainer']): RowLayout {
  return trainer === 'adpo' ? 'contexts' : trainer === 'sft' ? 'single' : 'pairs';
}

/** True when the trainer compares against reference log-probs (DPO, ADPO). */
export const needsReference = (trainer: TrainConfig['trainer']): boolean => trainer === 'dpo' || trainer === 'adpo';

/** DPO/ADPO settings from the config; unknown loss types throw naming them. */
export function dpoConfig(c: ObjectiveConfig): DpoConfig {
  for (const t of c.loss_type) {
    if (!DPO_LOSS_TYPES.includes(t as DpoLossType)) throw new Error(`loss_type: '${t}' is not a TRL DPO loss type (${DPO_LOSS_TYPES.join(', ')})`);
  }
  const lossType = c.loss_type as DpoLossType[];
  return { beta: c.beta, lossType: lossType.length === 1 ? lossType[0] : lossType, lossWeights: c.loss_weights, labelSmoothing: c.label_smoothing };
}

/** What the objective sees of one batch. */
export interface ObjectiveInputs {
  forward: PolicyForward;
  inputs: PolicyInputs;
  /** Reference summed log-probs of the chosen / rejected rows [batch] (DPO, ADPO). */
  refChosen?: Value;
  refRejected?: Value;
  /** The model is an encoder-decoder (ORPO's NLL then covers the completion only, as TRL). */
  encoderDecoder: boolean;
}

/** The scalar loss and every metric under its TRL name. */
export function objective(c: ObjectiveConfig, x: ObjectiveInputs): { loss: Value; metrics: Record<string, Value> } {
  const { forward: f, inputs } = x;
  switch (c.trainer) {
    case 'dpo':
    case 'adpo': {
      if (!x.refChosen || !x.refRejected) throw new Error(`${c.trainer}: reference log-probs are missing`);
      const { chosen, rejected } = pairStats(f, inputs.completionMask);
      const cfg = dpoConfig(c);
      const out = c.trainer === 'dpo'
        ? dpoLoss(cfg, { chosen, rejected, refChosen: x.refChosen, refRejected: x.refRejected })
        : adpoLoss(cfg, { chosenContext: chosen, rejectedContext: rejected, refChosenContext: x.refChosen, refRejectedContext: x.refRejected });
      return { loss: out.loss, metrics: out.metrics as Record<string, Value> };
    }
    case 'orpo': {
      const { chosen, rejected } = pairStats(f, inputs.completionMask);
      // TRL's ORPO: the NLL covers prompt + completion of the chosen rows for decoder-only models
      // (every non-padding label), only the decoder labels (the completion) for encoder-decoders.
      let nll: Value | undefined;
      if (!x.encoderDecoder) {
        const [lc] = splitRows(f.tokenLogps);
        const [ac] = splitRows(inputs.attentionMask);
        nll = nllFromStats(sequenceStats(lc, ac));
      }
      // NOTE: TRL's ORPO averages `logits/*` over every padded position of its own padding; that
      // depends on the pad length, so we log the completion-token mean, as DPO does.
      const out = orpoLoss({ beta: c.beta, logitsMean: 'masked' }, { chosen, rejected, nll });
      return { loss: out.loss, metrics: out.metrics as Record<string, Value> };
    }
    case 'sft': {
      const m = inputs.completionMask;
      const loss = sftLoss(f.tokenLogps, m);
      const metrics: Record<string, Value> = {};
      const mean = (v: Value) => { const s = sequenceStats(v, m); return tokenWeightedMean(s.sum, s.count); };
      if (f.correct) metrics.mean_token_accuracy = mean(f.correct);
      if (f.entropy) metrics.entropy = mean(f.entropy);
      return { loss, metrics };
    }
  }
}

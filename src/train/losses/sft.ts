// Supervised fine-tuning loss on per-token log-probs.
import { type Value } from '../../engine';
import { nllFromStats, sequenceStats } from './sequence';

/** Mean token NLL over the mask [B, T], token-weighted over the batch (F.cross_entropy with ignored labels). */
export function sftLoss(tokenLogps: Value, mask: Value): Value {
  return nllFromStats(sequenceStats(tokenLogps, mask));
}

// Synthetic transcripts for tests and demos: pseudo-words from syllables with Zipf-distributed
// frequencies (rank r drawn with weight 1 / r), so a dataset has a few very common words and a
// long tail of rare ones, like real speech corpora.
import { fork, intBetween } from './random';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 'da', 've', 'zo', 'gu', 'fi', 'ba', 'el', 'or'];

/** Options for synthUtterances. */
export interface SynthOptions {
  /** Distinct words (default 2000). */
  vocabulary?: number;
  /** Words per utterance, uniform in [min, max] (default [4, 30]). */
  minWords?: number;
  maxWords?: number;
}

/** `count` seeded transcripts of Zipf-distributed pseudo-words. */
export function synthUtterances(count: number, seed: number, opts: SynthOptions = {}): string[] {
  const size = opts.vocabulary ?? 2000;
  const lo = opts.minWords ?? 4;
  const hi = opts.maxWords ?? 30;
  const vr = fork(seed, 'synth-vocab');
  const words = new Set<string>();
  while (words.size < size) {
    const n = intBetween(vr, 1, 4);
    words.add(Array.from({ length: n }, () => SYLLABLES[vr.int(SYLLABLES.length)]).join(''));
  }
  const vocab = [...words];
  const weights = vocab.map((_, r) => 1 / (r + 1));
  // Cumulative weights make each draw a binary search instead of a linear scan.
  const cum: number[] = [];
  let acc = 0;
  for (const w of weights) cum.push((acc += w));
  return Array.from({ length: count }, (_, i) => {
    const r = fork(seed, 'synth', i);
    const n = intBetween(r, lo, hi);
    return Array.from({ length: n }, () => vocab[pick(cum, r.uniform() * acc)]).join(' ');
  });
}

function pick(cum: readonly number[], u: number): number {
  let a = 0, b = cum.length - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if (cum[m] > u) b = m; else a = m + 1;
  }
  return a;
}

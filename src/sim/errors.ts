// Error simulation (seed 000's `simu_perference`): the reference is the chosen answer, a
// corrupted copy the rejected one.
//
// Per utterance of n words:
// 1. draw a target rate r ~ U(error_range[0], error_range[1]);
// 2. the number of edits is k = floor(r n + u), u ~ U[0, 1) (stochastic rounding, E[k] = r n),
//    raised to 1 when r > 0 so that rejected differs from chosen ("where possible": this lifts the
//    realized rate of utterances with r n < 1);
// 3. each edit's kind is drawn with probabilities delete_prob : substitute_prob : insert_prob
//    (normalized to sum 1); deletions and substitutions take distinct word positions (kinds that
//    find no free position become insertions), insertions take one of the n + 1 gaps that is not
//    near a deletion (see nearDeletion; any gap when all are);
// 4. a substituted or inserted word comes, with probability bias_word_prob, from the utterance's
//    bias list (when it has one: mimics a model that over-trusts its context), otherwise from the
//    dataset's own vocabulary weighted by token frequency; a substitute always differs from the
//    word it replaces.
// So per reference word the expected rates are r_mean * p_kind / (p_del + p_sub + p_ins). Aligning
// chosen with rejected afterwards (the measured rates) can still find slightly fewer edits (a
// substitute equal to a neighbouring word, runs of repeated words); the gap rule removes the
// common case, where the aligner trades a deletion plus an insertion for substitutions.
import { type Rng, bernoulli, sample, weightedIndex } from './random';

/** The `simu_perference` section of a dataset config (seed 000 names). */
export interface ErrorConfig {
  /** [lo, hi] of the per-utterance target error rate (a single number means [x, x]). */
  error_range: [number, number];
  delete_prob: number;
  substitute_prob: number;
  insert_prob: number;
  /** Probability that a substitute or insertion is drawn from the bias list, when there is one. */
  bias_word_prob: number;
  /** Write chosen/rejected as one-message conversations (seed's `conversation`). */
  conversation: boolean;
}

/** Defaults: the seed's error_range and the dataset config example's probabilities. */
export const ERROR_DEFAULTS: ErrorConfig = {
  error_range: [0.1, 0.25],
  delete_prob: 0.1,
  substitute_prob: 0.1,
  insert_prob: 0.05,
  bias_word_prob: 0.5,
  conversation: false,
};

/** Config as written in a file: error_range may be one number. */
export type ErrorConfigInput = Partial<Omit<ErrorConfig, 'error_range'>> & { error_range?: number | readonly number[] };

/** Fill defaults and check ranges; throws `simu_preference.<field>: ...` on a bad value. */
export function resolveErrors(partial: ErrorConfigInput): ErrorConfig {
  const raw = partial.error_range ?? ERROR_DEFAULTS.error_range;
  const range = typeof raw === 'number' ? [raw, raw] : [...raw];
  if (range.length !== 2 || !range.every((x) => typeof x === 'number' && x >= 0 && x <= 1) || range[0] > range[1]) {
    throw new Error(`simu_preference.error_range: expected [lo, hi] with 0 <= lo <= hi <= 1, got ${JSON.stringify(raw)}`);
  }
  const c: ErrorConfig = { ...ERROR_DEFAULTS, ...partial, error_range: [range[0], range[1]] };
  for (const k of ['delete_prob', 'substitute_prob', 'insert_prob', 'bias_word_prob'] as const) {
    if (typeof c[k] !== 'number' || !(c[k] >= 0 && c[k] <= 1)) {
      throw new Error(`simu_preference.${k}: expected a number in [0, 1], got ${String(c[k])}`);
    }
  }
  if (c.error_range[1] > 0 && c.delete_prob + c.substitute_prob + c.insert_prob === 0) {
    throw new Error('simu_preference: delete_prob, substitute_prob and insert_prob are all 0, so no error can be made');
  }
  if (typeof c.conversation !== 'boolean') throw new Error(`simu_preference.conversation: expected true or false, got ${String(c.conversation)}`);
  return c;
}

/** Expected substitution, deletion and insertion rates per reference word (before the k >= 1 rule). */
export function expectedRates(c: ErrorConfig): { substitutions: number; deletions: number; insertions: number; total: number } {
  const mean = (c.error_range[0] + c.error_range[1]) / 2;
  const z = c.delete_prob + c.substitute_prob + c.insert_prob;
  if (z === 0) return { substitutions: 0, deletions: 0, insertions: 0, total: 0 };
  return {
    substitutions: (mean * c.substitute_prob) / z,
    deletions: (mean * c.delete_prob) / z,
    insertions: (mean * c.insert_prob) / z,
    total: mean,
  };
}

/** A frequency-weighted word source: every token of the dataset, drawn uniformly. */
export class Vocabulary {
  private readonly tokens: string[] = [];

  /** All whitespace tokens of `texts`, as written. */
  constructor(texts: Iterable<string>) {
    for (const t of texts) for (const w of t.split(/\s+/)) if (w !== '') this.tokens.push(w);
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** One token, with probability proportional to its count; undefined when empty. */
  draw(rng: Rng): string | undefined {
    return this.tokens.length === 0 ? undefined : this.tokens[rng.int(this.tokens.length)];
  }
}

/** The corrupted copy and what was done to it. */
export interface Corruption {
  /** The rejected text: tokens joined by one space. */
  text: string;
  /** The target rate r drawn for this utterance. */
  rate: number;
  /** Edits applied (the aligner may count fewer; see the file header). */
  substitutions: number;
  deletions: number;
  insertions: number;
}

const KINDS = ['delete', 'substitute', 'insert'] as const;

/**
 * Is gap g (before word g) near a deletion, i.e. reachable from a deleted word over at most one
 * untouched word (substituted words are passed freely)? An insertion there would not be seen as
 * one: the aligner can shift the words in between and count fewer or tied substitutions instead
 * (ref "a b" -> D(a) I(c) -> "b c" ties with S S; "a b" -> D(a) S(b->x) I(y) -> "x y" is S S).
 */
function nearDeletion(g: number, n: number, action: ReadonlyMap<number, 'delete' | 'substitute'>): boolean {
  for (const step of [-1, 1]) {
    let untouched = 0;
    for (let w = step < 0 ? g - 1 : g; w >= 0 && w < n; w += step) {
      const a = action.get(w);
      if (a === 'delete') return true;
      if (a === undefined && ++untouched > 1) break;
    }
  }
  return false;
}

/**
 * Corrupt whitespace tokens of `reference`; `biasWords` are the tokens of the utterance's bias
 * list as the model would write them (tagged), empty when it has none.
 */
export function corrupt(reference: string, rng: Rng, config: ErrorConfig, vocab: Vocabulary, biasWords: readonly string[] = []): Corruption {
  const words = reference.split(/\s+/).filter((w) => w !== '');
  const n = words.length;
  const rate = rng.uniform(config.error_range[0], config.error_range[1]);
  if (rate === 0) return { text: words.join(' '), rate, substitutions: 0, deletions: 0, insertions: 0 };
  const k = Math.max(1, Math.floor(rate * n + rng.uniform()));
  const weights = [config.delete_prob, config.substitute_prob, config.insert_prob];

  const draw = (): string | undefined =>
    biasWords.length > 0 && bernoulli(rng, config.bias_word_prob) ? biasWords[rng.int(biasWords.length)] : vocab.draw(rng);
  const drawOther = (word: string): string | undefined => {
    for (let t = 0; t < 16; t++) { const w = draw(); if (w !== undefined && w !== word) return w; }
    return undefined;
  };

  // Try a few times if the edits cancel out (a deletion and an insertion of the same word side by side).
  for (let attempt = 0; attempt < 8; attempt++) {
    const kinds = Array.from({ length: k }, () => KINDS[weightedIndex(rng, weights)]);
    const positional = kinds.filter((x) => x !== 'insert').length;
    const positions = sample(rng, [...Array(n).keys()], positional);
    const action = new Map<number, 'delete' | 'substitute'>();
    let p = 0;
    let inserts = 0;
    for (const kind of kinds) {
      if (kind === 'insert' || p >= positions.length) inserts++; // no free position left: insert instead
      else action.set(positions[p++], kind);
    }
    const far = [...Array(n + 1).keys()].filter((g) => !nearDeletion(g, n, action));
    const open = far.length > 0 ? far : [...Array(n + 1).keys()];
    const gaps = new Array<number>(n + 1).fill(0);
    for (let t = 0; t < inserts; t++) gaps[open[rng.int(open.length)]]++;

    const out: string[] = [];
    let s = 0, d = 0, ins = 0;
    for (let g = 0; g <= n; g++) {
      for (let t = 0; t < gaps[g]; t++) {
        const w = draw();
        if (w !== undefined) { out.push(w); ins++; }
      }
      if (g === n) break;
      const a = action.get(g);
      if (a === 'delete') { d++; continue; }
      if (a === 'substitute') {
        const w = drawOther(words[g]);
        if (w === undefined) { d++; continue; } // the vocabulary has nothing else: delete instead
        out.push(w);
        s++;
        continue;
      }
      out.push(words[g]);
    }
    const text = out.join(' ');
    if (text !== words.join(' ') || attempt === 7) return { text, rate, substitutions: s, deletions: d, insertions: ins };
  }
  throw new Error('unreachable');
}

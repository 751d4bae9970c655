// Contextual biasing lists, as the seed system's PieceSampler builds them (seed 000's `biasing`):
// an utterance is split into pieces of 1..max_piece_len words, pieces with a rare word are the
// true candidates, some of them go into a bias list padded with distractors, the list is shown
// in the prompt, and the true pieces that made it into the list are tagged `*like this*` in the
// transcript the model should produce.
//
// "Rare" comes from a word-frequency table over the whole dataset (normalized words): a word is
// common when its count is at least a threshold t, where t is the largest count such that the
// words with count >= t cover at least `common_coverage` of all tokens (default 0.5, i.e. the
// few most frequent words that make up half the text), and t >= 2 always, so a word seen once is
// always rare. The rule looks at counts only, so words with equal counts are treated alike.
// With `common_words` (the seed's common_word_file, top N lines) that list decides instead.
//
// Differences from the seed (its code is a stream over the data; ours sees the whole dataset):
// - distractors come from the dataset-wide pool of rare pieces, not a buffer of earlier ones,
//   and a distractor never occurs in the utterance (so every reported hit is a true piece);
// - each drawn true piece is kept with probability hit_prob (the seed keeps a random subset
//   with probability hit_prob), and the freed slots are filled with distractors;
// - an utterance without a list gets the plain ASR prompt (the seed still uses the biasing
//   wording with an empty list).
import { type Rng, bernoulli, fork, intBetween, sample } from './random';

/** The `biasing` section of a dataset config (seed 000 names), all optional in the file. */
export interface BiasingConfig {
  /** Probability that an utterance gets a bias list at all. */
  bias_prob: number;
  /** Probability that each drawn true piece stays in the list. */
  hit_prob: number;
  /** Longest piece, in words (pieces are 1..max_piece_len words). */
  max_piece_len: number;
  /** List length is drawn uniformly from 1..max_num. */
  max_num: number;
  /** Token share covered by "common" words (see the file header); 0 makes every word rare. */
  common_coverage: number;
  /** Marker around bias words in the list and in the transcript; '' disables tagging. */
  tag: string;
  /** Tag the list entries as well as the transcript (seed default true). */
  tag_all: boolean;
  /** A fixed common-word list (the seed's common_word_file): when given, rare = not in it. */
  common_words?: readonly string[];
}

/** Defaults: the seed's bias_sampling fallback (0.9 / 0.9 / 1) and PieceSampler's max_num, tag, tag_all. */
export const BIASING_DEFAULTS: BiasingConfig = {
  bias_prob: 0.9,
  hit_prob: 0.9,
  max_piece_len: 1,
  max_num: 10,
  common_coverage: 0.5,
  tag: '*',
  tag_all: true,
};

/** The seed's first ASR instruction (audio_prompts.py). */
export const ASR_PROMPT = 'Transcribe the audio clip into text.';
/** The seed's first biasing instruction; the list follows it after a space, entries joined by ", ". */
export const BIASING_PROMPT = 'Transcribe the audio clip into text. Pay extra attention to the following phrases/words.';

/** Fill defaults and check ranges; throws `biasing.<field>: ...` on a bad value. */
export function resolveBiasing(partial: Partial<BiasingConfig>): BiasingConfig {
  const c = { ...BIASING_DEFAULTS, ...partial };
  const prob = (k: 'bias_prob' | 'hit_prob' | 'common_coverage') => {
    if (typeof c[k] !== 'number' || !(c[k] >= 0 && c[k] <= 1)) throw new Error(`biasing.${k}: expected a number in [0, 1], got ${String(c[k])}`);
  };
  prob('bias_prob');
  prob('hit_prob');
  prob('common_coverage');
  for (const k of ['max_piece_len', 'max_num'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`biasing.${k}: expected an integer >= 1, got ${String(c[k])}`);
  }
  if (typeof c.tag !== 'string' || /\s/.test(c.tag)) throw new Error(`biasing.tag: expected a string without spaces, got ${JSON.stringify(c.tag)}`);
  if (typeof c.tag_all !== 'boolean') throw new Error(`biasing.tag_all: expected true or false, got ${String(c.tag_all)}`);
  if (c.common_words !== undefined && !(Array.isArray(c.common_words) && c.common_words.every((w) => typeof w === 'string'))) {
    throw new Error('biasing.common_words: expected a list of words');
  }
  return c;
}

// A word in the seed's text_norm sense: letters, digits, marks, _, ' and -; lowercased.
const WORD = /[\p{L}\p{N}\p{M}_'-]+/gu;
const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}\p{M}]+$/gu;

/** The normalized words of a text (the seed's text_norm: word characters only, lowercase). */
export function normWords(text: string): string[] {
  return (text.match(WORD) ?? []).map((w) => w.toLowerCase());
}

/** A word-frequency table over a dataset and the rare/common split it implies. */
export interface WordStats {
  counts: ReadonlyMap<string, number>;
  /** All normalized tokens. */
  total: number;
  /** A word is common when its count is >= this (Infinity: nothing is common; null: a fixed list decides). */
  commonThreshold: number | null;
  /** The fixed common-word list, normalized, when one was given. */
  commonList?: ReadonlySet<string>;
  /** Distinct rare words, sorted. */
  rareWords: string[];
}

/** Count normalized words and find the common/rare threshold (rule in the file header). */
export function buildWordStats(texts: Iterable<string>, commonCoverage = BIASING_DEFAULTS.common_coverage, commonWords?: readonly string[]): WordStats {
  const counts = new Map<string, number>();
  let total = 0;
  for (const t of texts) {
    for (const w of normWords(t)) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      total++;
    }
  }
  // Tokens per count value, walked from the largest count down.
  const byCount = new Map<number, number>();
  for (const c of counts.values()) byCount.set(c, (byCount.get(c) ?? 0) + c);
  let threshold = Infinity;
  if (commonCoverage > 0 && total > 0) {
    let covered = 0;
    for (const c of [...byCount.keys()].sort((a, b) => b - a)) {
      covered += byCount.get(c) ?? 0;
      if (covered >= commonCoverage * total) { threshold = c; break; }
    }
    threshold = Math.max(threshold, 2);
  }
  const stats: WordStats = commonWords === undefined
    ? { counts, total, commonThreshold: threshold, rareWords: [] }
    : { counts, total, commonThreshold: null, commonList: new Set(commonWords.flatMap((w) => normWords(w))), rareWords: [] };
  stats.rareWords = [...counts.keys()].filter((w) => isRare(stats, w)).sort();
  return stats;
}

/** True when the normalized word is rare under the table (unknown words are rare). */
export function isRare(stats: WordStats, word: string): boolean {
  if (stats.commonList) return !stats.commonList.has(word);
  return (stats.counts.get(word) ?? 0) < (stats.commonThreshold ?? Infinity);
}

/** A run of words of one utterance. */
export interface Piece {
  /** Word range [start, end) in the utterance's whitespace tokens. */
  start: number;
  end: number;
  /** The words as written, edge punctuation removed ("Hello," -> "Hello"). */
  display: string;
  /** Normalized words joined by one space: identity for hits, distractors and dedup. */
  key: string;
  /** Holds at least one rare word. */
  rare: boolean;
}

/** The seed's split_text: consecutive pieces of 1..maxLen words (maxLen 1: one piece per word). */
export function splitPieces(words: readonly string[], maxLen: number, rng: Rng, stats: WordStats): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < words.length) {
    const n = maxLen <= 1 ? 1 : intBetween(rng, 1, maxLen);
    const end = Math.min(words.length, i + n);
    const raw = words.slice(i, end).join(' ');
    const norm = normWords(raw);
    pieces.push({
      start: i, end, display: raw.replace(EDGE, ''), key: norm.join(' '),
      rare: norm.some((w) => isRare(stats, w)),
    });
    i = end;
  }
  return pieces;
}

/** One utterance after biasing. */
export interface BiasedUtterance {
  /** The transcript (whitespace-normalized) with list hits tagged. */
  text: string;
  /** The list as shown in the prompt (tagged when tag_all), in prompt order; empty: no list. */
  biasList: string[];
  /** List entries that occur in the utterance (display form, untagged). */
  hits: string[];
  /** List entries that do not occur in the utterance. */
  distractors: string[];
  /** True pieces drawn for the hit_prob test (hits / candidates estimates hit_prob). */
  candidates: number;
  /** The instruction: ASR_PROMPT, or BIASING_PROMPT followed by the list. */
  prompt: string;
}

/** Dataset-wide biasing state: frequency table, each utterance's pieces, the distractor pool. */
export interface Biaser {
  config: BiasingConfig;
  stats: WordStats;
  /** Rare pieces of the whole dataset, one per key, sorted by key. */
  pool: readonly Piece[];
  /** Bias utterance `index` (deterministic in seed, config, dataset and index). */
  apply(index: number): BiasedUtterance;
}

/** Build the frequency table and split every utterance (pass 1); `apply` does pass 2 per utterance. */
export function createBiaser(texts: readonly string[], config: BiasingConfig, seed: number): Biaser {
  const stats = buildWordStats(texts, config.common_coverage, config.common_words);
  const words = texts.map((t) => t.split(/\s+/).filter((w) => w !== ''));
  const pieces = words.map((ws, i) => splitPieces(ws, config.max_piece_len, fork(seed, 'bias-split', i), stats));
  const poolMap = new Map<string, Piece>();
  for (const ps of pieces) for (const p of ps) if (p.rare && p.key !== '' && !poolMap.has(p.key)) poolMap.set(p.key, p);
  const pool = [...poolMap.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const apply = (index: number): BiasedUtterance => {
    const ws = words[index];
    const ps = pieces[index];
    if (ws === undefined || ps === undefined) throw new Error(`biasing: no utterance ${index}`);
    const rng = fork(seed, 'bias', index);
    let hits: Piece[] = [];
    let distractors: Piece[] = [];
    let candidates = 0;
    if (bernoulli(rng, config.bias_prob)) {
      const n = intBetween(rng, 1, config.max_num);
      const truth = uniqueByKey(ps.filter((p) => p.rare && p.key !== ''));
      const drawn = sample(rng, truth, Math.min(n, truth.length));
      candidates = drawn.length;
      hits = drawn.filter(() => bernoulli(rng, config.hit_prob));
      distractors = drawDistractors(rng, pool, n - hits.length, ` ${normWords(ws.join(' ')).join(' ')} `, hits);
    }
    const entries = rng.shuffle([...hits, ...distractors]);
    const hitKeys = new Set(hits.map((p) => p.key));
    const tagged = (s: string) => (config.tag === '' ? s : `${config.tag}${s}${config.tag}`);
    const text = ps.map((p) => {
      const raw = ws.slice(p.start, p.end).join(' ');
      return hitKeys.has(p.key) && p.display !== '' ? tagPiece(raw, p.display, config.tag) : raw;
    }).join(' ');
    const biasList = entries.map((p) => (config.tag_all ? tagged(p.display) : p.display));
    return {
      text,
      biasList,
      hits: entries.filter((p) => hitKeys.has(p.key)).map((p) => p.display),
      distractors: entries.filter((p) => !hitKeys.has(p.key)).map((p) => p.display),
      candidates,
      prompt: biasList.length > 0 ? `${BIASING_PROMPT} ${biasList.join(', ')}` : ASR_PROMPT,
    };
  };
  return { config, stats, pool, apply };
}

function uniqueByKey(ps: readonly Piece[]): Piece[] {
  const seen = new Set<string>();
  return ps.filter((p) => (seen.has(p.key) ? false : (seen.add(p.key), true)));
}

/** Up to `k` pool pieces that do not occur in the utterance (` normalized text `) nor repeat. */
function drawDistractors(rng: Rng, pool: readonly Piece[], k: number, uttPadded: string, taken: readonly Piece[]): Piece[] {
  const out: Piece[] = [];
  const used = new Set(taken.map((p) => p.key));
  // Bounded rejection sampling: a small pool or one mostly inside the utterance yields fewer.
  for (let tries = 0; out.length < k && pool.length > 0 && tries < 20 * k + 20; tries++) {
    const p = pool[rng.int(pool.length)];
    if (used.has(p.key) || uttPadded.includes(` ${p.key} `)) continue;
    used.add(p.key);
    out.push(p);
  }
  return out;
}

/** Wrap the display part of a raw piece in tags, keeping edge punctuation outside: "Hello," -> "*Hello*,". */
function tagPiece(raw: string, display: string, tag: string): string {
  if (tag === '') return raw;
  const at = raw.indexOf(display);
  return `${raw.slice(0, at)}${tag}${display}${tag}${raw.slice(at + display.length)}`;
}

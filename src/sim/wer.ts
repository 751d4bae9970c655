// Word and character error rates with jiwer's semantics (jiwer 4.0), written from its behaviour.
//
// Alignment: unit-cost Levenshtein (substitution, deletion, insertion each cost 1) by dynamic
// programming, then one backtrace from the end (ref length, hyp length) to (0, 0). Where several
// moves reach the same minimum cost, the backtrace takes, in this order:
//   1. the diagonal (a match, or a substitution),
//   2. a deletion (a reference word with no partner),
//   3. an insertion (a hypothesis word with no partner).
// So a substitution is preferred over a deletion plus an insertion of the same total cost, and,
// because the walk starts at the end, substitutions land as late as possible and repeated words
// are matched to their last copies: ref "a b" / hyp "c" gives delete(a) + substitute(b->c);
// ref "the the cat" / hyp "the cat" deletes the first "the". (jiwer's rapidfuzz backtrace may
// pick another alignment of the same cost: the counts H+S+D and the error total always agree,
// the split between S and D+I may not.)
//
// Totals over many utterances are sums of edits over the sum of reference words, as in jiwer:
//   wer = (S + D + I) / (H + S + D), mer = (S + D + I) / (H + S + D + I),
//   wip = (H / N) * (H / M) (0 when M = 0), wil = 1 - wip, with N, M the reference and
//   hypothesis word counts. An empty reference (N = 0) is not an error (jiwer >= 4.0; jiwer 3
//   raised ValueError): then wer = I (the insertion count, not infinity), mer = 1 and wip = 0
//   when M > 0, and wer = mer = 0, wip = 1 when both are empty.
// Words are the whitespace-separated tokens of the text (jiwer's default transform: collapse
// spaces, strip, split). Characters for CER are the code points of the stripped text, spaces
// included (jiwer's cer_default), aligned the same way.

/** The kind of an alignment chunk (jiwer's names). */
export type ChunkType = 'equal' | 'substitute' | 'insert' | 'delete';

/** A run of one edit kind: ref[refStart, refEnd) aligned to hyp[hypStart, hypEnd) (jiwer's AlignmentChunk). */
export interface AlignmentChunk {
  type: ChunkType;
  refStart: number;
  refEnd: number;
  hypStart: number;
  hypEnd: number;
}

/** Edit counts of one alignment or a sum of them. */
export interface EditCounts {
  hits: number;
  substitutions: number;
  deletions: number;
  insertions: number;
}

/** Counts with the token totals and the jiwer measures derived from them. */
export interface Measures extends EditCounts {
  /** Reference tokens N (= H + S + D). */
  refLength: number;
  /** Hypothesis tokens M (= H + S + I). */
  hypLength: number;
  wer: number;
  mer: number;
  wil: number;
  wip: number;
}

/** One utterance: its tokens, the word alignment, word measures and the character error rate. */
export interface UtteranceResult extends Measures {
  reference: string[];
  hypothesis: string[];
  chunks: AlignmentChunk[];
  /** Character error rate (its own character alignment). */
  cer: number;
  charCounts: EditCounts & { refLength: number; hypLength: number };
}

/** Totals over many utterances (jiwer's corpus semantics) plus each utterance. */
export interface CorpusResult extends Measures {
  utterances: UtteranceResult[];
  cer: number;
  charCounts: EditCounts & { refLength: number; hypLength: number };
}

/** Options shared by the processing functions. */
export interface WerOptions {
  /** Apply Whisper's BasicTextNormalizer to both sides first (default false). */
  normalize?: boolean;
  /** With normalize: drop diacritics too. */
  removeDiacritics?: boolean;
}

/** Minimum-edit alignment of two token lists, as jiwer-shaped chunks (tie-break: see the file header). */
export function alignTokens<T>(ref: readonly T[], hyp: readonly T[]): AlignmentChunk[] {
  const n = ref.length;
  const m = hyp.length;
  const w = m + 1;
  // NOTE: the full (n+1)(m+1) table is kept for the backtrace; fine for utterances, not for books.
  const d = new Uint32Array((n + 1) * w);
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    const row = i * w;
    d[row] = i;
    for (let j = 1; j <= m; j++) {
      const diag = d[row - w + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      const del = d[row - w + j] + 1;
      const ins = d[row + j - 1] + 1;
      d[row + j] = diag < del ? (diag < ins ? diag : ins) : (del < ins ? del : ins);
    }
  }
  // Backtrace from the end; ops come out reversed.
  const ops: ChunkType[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = d[i * w + j];
    if (i > 0 && j > 0) {
      const same = ref[i - 1] === hyp[j - 1];
      if (d[(i - 1) * w + j - 1] + (same ? 0 : 1) === here) {
        ops.push(same ? 'equal' : 'substitute');
        i--; j--;
        continue;
      }
    }
    if (i > 0 && d[(i - 1) * w + j] + 1 === here) { ops.push('delete'); i--; continue; }
    ops.push('insert');
    j--;
  }
  ops.reverse();
  return groupOps(ops);
}

/** Merge consecutive ops of one kind into chunks with their index ranges. */
function groupOps(ops: readonly ChunkType[]): AlignmentChunk[] {
  const chunks: AlignmentChunk[] = [];
  let r = 0;
  let h = 0;
  for (const op of ops) {
    const dr = op === 'insert' ? 0 : 1;
    const dh = op === 'delete' ? 0 : 1;
    const last = chunks[chunks.length - 1];
    if (last && last.type === op) {
      last.refEnd += dr;
      last.hypEnd += dh;
    } else {
      chunks.push({ type: op, refStart: r, refEnd: r + dr, hypStart: h, hypEnd: h + dh });
    }
    r += dr;
    h += dh;
  }
  return chunks;
}

/** Hits, substitutions, deletions and insertions of an alignment. */
export function countEdits(chunks: readonly AlignmentChunk[]): EditCounts {
  const c: EditCounts = { hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  for (const k of chunks) {
    const len = k.type === 'insert' ? k.hypEnd - k.hypStart : k.refEnd - k.refStart;
    if (k.type === 'equal') c.hits += len;
    else if (k.type === 'substitute') c.substitutions += len;
    else if (k.type === 'delete') c.deletions += len;
    else c.insertions += len;
  }
  return c;
}

/** jiwer's measures from counts (see the file header for the empty-reference rule). */
export function measuresOf(c: EditCounts): Measures {
  const { hits: h, substitutions: s, deletions: d, insertions: i } = c;
  const refLength = h + s + d;
  const hypLength = h + s + i;
  let wer: number, mer: number, wip: number;
  if (refLength === 0) {
    wer = i;
    mer = hypLength === 0 ? 0 : 1;
    wip = hypLength === 0 ? 1 : 0;
  } else {
    wer = (s + d + i) / refLength;
    mer = (s + d + i) / (refLength + i);
    wip = hypLength >= 1 ? (h / refLength) * (h / hypLength) : 0;
  }
  return { ...c, refLength, hypLength, wer, mer, wil: 1 - wip, wip };
}

/** Sum of edit counts. */
export function addCounts(a: EditCounts, b: EditCounts): EditCounts {
  return {
    hits: a.hits + b.hits,
    substitutions: a.substitutions + b.substitutions,
    deletions: a.deletions + b.deletions,
    insertions: a.insertions + b.insertions,
  };
}

/** Whitespace-separated words (jiwer's default word transform). */
export function toWords(text: string): string[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** Code points of the stripped text, spaces included (jiwer's default character transform). */
export function toChars(text: string): string[] {
  return [...text.trim()];
}

/** Word alignment, word measures and CER of one reference/hypothesis pair. */
export function processUtterance(reference: string, hypothesis: string, opts: WerOptions = {}): UtteranceResult {
  const norm = { removeDiacritics: opts.removeDiacritics ?? false };
  const ref = opts.normalize ? basicNormalize(reference, norm) : reference;
  const hyp = opts.normalize ? basicNormalize(hypothesis, norm) : hypothesis;
  const refWords = toWords(ref);
  const hypWords = toWords(hyp);
  const chunks = alignTokens(refWords, hypWords);
  const wm = measuresOf(countEdits(chunks));
  const refChars = toChars(ref);
  const hypChars = toChars(hyp);
  const cm = measuresOf(countEdits(alignTokens(refChars, hypChars)));
  return {
    ...wm,
    reference: refWords,
    hypothesis: hypWords,
    chunks,
    cer: cm.wer,
    charCounts: charCountsOf(cm),
  };
}

function charCountsOf(m: Measures): EditCounts & { refLength: number; hypLength: number } {
  return {
    hits: m.hits, substitutions: m.substitutions, deletions: m.deletions, insertions: m.insertions,
    refLength: m.refLength, hypLength: m.hypLength,
  };
}

/** Corpus totals (sums of edits over sums of reference tokens) and each utterance. */
export function processCorpus(
  pairs: readonly { reference: string; hypothesis: string }[],
  opts: WerOptions = {},
): CorpusResult {
  const zero: EditCounts = { hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  let words = zero;
  let chars = zero;
  const utterances = pairs.map((p) => {
    const u = processUtterance(p.reference, p.hypothesis, opts);
    words = addCounts(words, u);
    chars = addCounts(chars, u.charCounts);
    return u;
  });
  const cm = measuresOf(chars);
  return { ...measuresOf(words), utterances, cer: cm.wer, charCounts: charCountsOf(cm) };
}

/**
 * jiwer's aligned text view: a REF line, a HYP line and a mark line (S, D, I) in columns. Each
 * column is as wide as its longer word, words right-aligned; a missing word is a run of `*`.
 * The mark line's trailing spaces are trimmed.
 */
export function alignmentView(ref: readonly string[], hyp: readonly string[], chunks: readonly AlignmentChunk[]): string {
  const refCols: string[] = [];
  const hypCols: string[] = [];
  const markCols: string[] = [];
  const len = (s: string) => [...s].length;
  const pad = (s: string, width: number) => ' '.repeat(width - len(s)) + s;
  for (const k of chunks) {
    const count = k.type === 'insert' ? k.hypEnd - k.hypStart : k.refEnd - k.refStart;
    for (let t = 0; t < count; t++) {
      const r = k.type === 'insert' ? null : ref[k.refStart + t];
      const h = k.type === 'delete' ? null : hyp[k.hypStart + t];
      const width = Math.max(r === null ? 1 : len(r), h === null ? 1 : len(h));
      const mark = k.type === 'equal' ? ' ' : k.type[0].toUpperCase();
      refCols.push(r === null ? '*'.repeat(width) : pad(r, width));
      hypCols.push(h === null ? '*'.repeat(width) : pad(h, width));
      markCols.push(pad(mark, width));
    }
  }
  return `REF: ${refCols.join(' ')}\nHYP: ${hypCols.join(' ')}\n${`     ${markCols.join(' ')}`.trimEnd()}`;
}

// ---- Whisper's BasicTextNormalizer (whisper/normalizers/basic.py), written from its behaviour ----

// Letters that NFKD does not split into base + mark (Whisper's ADDITIONAL_DIACRITICS).
const EXTRA_DIACRITICS: Record<string, string> = {
  'œ': 'oe', 'Œ': 'OE', 'ø': 'o', 'Ø': 'O', 'æ': 'ae', 'Æ': 'AE', 'ß': 'ss', 'ẞ': 'SS',
  'đ': 'd', 'Đ': 'D', 'ð': 'd', 'Ð': 'D', 'þ': 'th', 'Þ': 'th', 'ł': 'l', 'Ł': 'L',
};
const MARK_SYMBOL_PUNCT = /^[\p{M}\p{S}\p{P}]$/u;
const NONSPACING_MARK = /^\p{Mn}$/u;

/** Options of the basic normalizer (Whisper's constructor flags). */
export interface NormalizeOptions {
  /** Drop diacritics (NFKD, remove Mn marks, map œ->oe, ß->ss, ...) instead of keeping them. */
  removeDiacritics?: boolean;
  /** Put a space between grapheme clusters (for languages written without spaces). */
  splitLetters?: boolean;
}

/**
 * Whisper's BasicTextNormalizer: lowercase; drop text in [brackets] or <angles> and in
 * (parentheses); NFKC, then every mark, symbol or punctuation code point becomes a space;
 * collapse whitespace runs to one space. Like Whisper it does not strip the ends.
 */
export function basicNormalize(text: string, opts: NormalizeOptions = {}): string {
  let s = text.toLowerCase();
  s = s.replace(/[<[][^>\]]*[>\]]/g, '');
  s = s.replace(/\(([^)]+?)\)/g, '');
  s = opts.removeDiacritics ? removeSymbolsAndDiacritics(s) : removeSymbols(s);
  s = s.toLowerCase();
  if (opts.splitLetters) {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    s = [...seg.segment(s)].map((g) => g.segment).join(' ');
  }
  return s.replace(/\s+/g, ' ');
}

function removeSymbols(s: string): string {
  let out = '';
  for (const c of s.normalize('NFKC')) out += MARK_SYMBOL_PUNCT.test(c) ? ' ' : c;
  return out;
}

function removeSymbolsAndDiacritics(s: string): string {
  let out = '';
  for (const c of s.normalize('NFKD')) {
    const mapped = EXTRA_DIACRITICS[c];
    if (mapped !== undefined) out += mapped;
    else if (NONSPACING_MARK.test(c)) continue;
    else out += MARK_SYMBOL_PUNCT.test(c) ? ' ' : c;
  }
  return out;
}

// A word-level diff of chosen (the reference) against rejected (the hypothesis), from the
// jiwer-shaped WER alignment of src/sim: each reference word is equal, substituted or deleted;
// each hypothesis word is equal, a substitute or an insertion. Insertions also get the reference
// gap they fall into (0 = before the first word, n = after the last), for waveform markers.
import { processUtterance } from '../sim/wer';

/** A word's alignment status. */
export type WordStatus = 'equal' | 'substitute' | 'delete' | 'insert';

/** One word of one side. */
export interface DiffWord {
  word: string;
  status: WordStatus;
  /** The aligned word of the other side (substitutions), for tooltips. */
  other?: string;
}

/** Hypothesis words inserted before reference word `gap` (gap = ref length: after the last). */
export interface Insertion {
  gap: number;
  words: string[];
}

/** Both sides' words with statuses, the insertions by gap, and the counts. */
export interface WordDiff {
  ref: DiffWord[];
  hyp: DiffWord[];
  insertions: Insertion[];
  substitutions: number;
  deletions: number;
  inserted: number;
  wer: number;
}

/** Align `chosen` (reference) with `rejected` (hypothesis) word by word. */
export function diffWords(chosen: string, rejected: string): WordDiff {
  const u = processUtterance(chosen, rejected);
  const ref: DiffWord[] = [];
  const hyp: DiffWord[] = [];
  const insertions: Insertion[] = [];
  for (const c of u.chunks) {
    const n = Math.max(c.refEnd - c.refStart, c.hypEnd - c.hypStart);
    for (let t = 0; t < n; t++) {
      const r = u.reference[c.refStart + t];
      const h = u.hypothesis[c.hypStart + t];
      if (c.type === 'equal') { ref.push({ word: r, status: 'equal' }); hyp.push({ word: h, status: 'equal' }); }
      if (c.type === 'substitute') { ref.push({ word: r, status: 'substitute', other: h }); hyp.push({ word: h, status: 'substitute', other: r }); }
      if (c.type === 'delete') ref.push({ word: r, status: 'delete' });
      if (c.type === 'insert') hyp.push({ word: h, status: 'insert' });
    }
    if (c.type === 'insert') {
      const words = u.hypothesis.slice(c.hypStart, c.hypEnd);
      const last = insertions[insertions.length - 1];
      if (last && last.gap === c.refStart) last.words.push(...words);
      else insertions.push({ gap: c.refStart, words });
    }
  }
  return { ref, hyp, insertions, substitutions: u.substitutions, deletions: u.deletions, inserted: u.insertions, wer: u.wer };
}

// The Review page's pair list: filtered by a WER range and sorted.
import type { ReviewSort } from '../store';

/** Pairs whose WER (a fraction) lies in [minPct, maxPct] percent (null: open), in `sort` order. */
export function reviewList<P extends { index: number; wer: number }>(pairs: readonly P[], sort: ReviewSort, minPct: number | null, maxPct: number | null): P[] {
  const eps = 1e-9;
  const kept = pairs.filter((p) => (minPct === null || p.wer * 100 >= minPct - eps) && (maxPct === null || p.wer * 100 <= maxPct + eps));
  const by = sort === 'wer-desc' ? (a: P, b: P) => b.wer - a.wer || a.index - b.index
    : sort === 'wer-asc' ? (a: P, b: P) => a.wer - b.wer || a.index - b.index
      : (a: P, b: P) => a.index - b.index;
  return kept.sort(by);
}

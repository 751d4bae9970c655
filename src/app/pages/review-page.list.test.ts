import { describe, expect, it } from 'vitest';
import { reviewList } from './review-page.list';

const pairs = [0.2, 0, 0.5, 0.2, 1.25].map((wer, index) => ({ index, wer }));
const ids = (xs: { index: number }[]) => xs.map((x) => x.index);

describe('reviewList', () => {
  it('sorts by WER either way, ties by position', () => {
    expect(ids(reviewList(pairs, 'index', null, null))).toEqual([0, 1, 2, 3, 4]);
    expect(ids(reviewList(pairs, 'wer-desc', null, null))).toEqual([4, 2, 0, 3, 1]);
    expect(ids(reviewList(pairs, 'wer-asc', null, null))).toEqual([1, 0, 3, 2, 4]);
  });

  it('filters by a WER range in percent, ends included', () => {
    expect(ids(reviewList(pairs, 'index', 20, 50))).toEqual([0, 2, 3]);
    expect(ids(reviewList(pairs, 'index', 100, null))).toEqual([4]);
    expect(ids(reviewList(pairs, 'index', null, 0))).toEqual([1]);
  });
});

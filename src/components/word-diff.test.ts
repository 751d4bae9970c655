import { describe, expect, it } from 'vitest';
import { diffWords } from './word-diff';

describe('diffWords', () => {
  it('marks substitutions on both sides and insertions with their gap', () => {
    const d = diffWords('a b c d', 'a x c d e');
    expect(d.ref.map((w) => w.status)).toEqual(['equal', 'substitute', 'equal', 'equal']);
    expect(d.ref[1]).toEqual({ word: 'b', status: 'substitute', other: 'x' });
    expect(d.hyp.map((w) => w.status)).toEqual(['equal', 'substitute', 'equal', 'equal', 'insert']);
    expect(d.insertions).toEqual([{ gap: 4, words: ['e'] }]);
    expect([d.substitutions, d.deletions, d.inserted]).toEqual([1, 0, 1]);
    expect(d.wer).toBeCloseTo(2 / 4, 12);
  });

  it('marks deletions on the reference side only', () => {
    const d = diffWords('the cat sat down', 'the sat down');
    expect(d.ref.map((w) => `${w.word}:${w.status}`)).toEqual(['the:equal', 'cat:delete', 'sat:equal', 'down:equal']);
    expect(d.hyp.every((w) => w.status === 'equal')).toBe(true);
    expect(d.insertions).toEqual([]);
  });

  it('groups neighbouring inserted words into one gap', () => {
    const d = diffWords('a b', 'x y a b');
    expect(d.insertions).toEqual([{ gap: 0, words: ['x', 'y'] }]);
  });
});

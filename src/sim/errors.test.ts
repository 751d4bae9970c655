import { describe, expect, it } from 'vitest';
import { ERROR_DEFAULTS, Vocabulary, corrupt, expectedRates, resolveErrors } from './errors';
import { createRng, fork } from './random';
import { alignTokens, countEdits, toWords } from './wer';

const vocab = new Vocabulary(['alpha beta gamma delta epsilon zeta eta theta iota kappa']);
const ref = 'one two three four five six seven eight nine ten';
const only = (kind: 'delete_prob' | 'substitute_prob' | 'insert_prob', lo = 0.3, hi = 0.3) =>
  resolveErrors({ error_range: [lo, hi], delete_prob: 0, substitute_prob: 0, insert_prob: 0, [kind]: 1 });
/** Is `a` a subsequence of `b`? */
const subsequence = (a: string[], b: string[]) => { let i = 0; for (const w of b) if (w === a[i]) i++; return i === a.length; };

describe('corrupt', () => {
  it('deletes k = round(r n) words when only deletions are configured', () => {
    for (let s = 0; s < 30; s++) {
      const c = corrupt(ref, createRng(s), only('delete_prob'), vocab);
      const out = toWords(c.text);
      expect(c.deletions).toBe(3); // 0.3 * 10 is exact, so no rounding draw matters
      expect(out).toHaveLength(7);
      expect(subsequence(out, toWords(ref))).toBe(true);
    }
  });

  it('substitutes words with different vocabulary words', () => {
    for (let s = 0; s < 30; s++) {
      const c = corrupt(ref, createRng(s), only('substitute_prob'), vocab);
      const out = toWords(c.text);
      const changed = out.map((w, i) => [w, toWords(ref)[i]]).filter(([a, b]) => a !== b);
      expect(out).toHaveLength(10);
      expect(changed).toHaveLength(3);
      for (const [w] of changed) expect(w).toMatch(/^(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa)$/);
    }
  });

  it('inserts words without touching the reference words', () => {
    for (let s = 0; s < 30; s++) {
      const c = corrupt(ref, createRng(s), only('insert_prob'), vocab);
      expect(toWords(c.text)).toHaveLength(13);
      expect(subsequence(toWords(ref), toWords(c.text))).toBe(true);
      expect(countEdits(alignTokens(toWords(ref), toWords(c.text))).insertions).toBe(3);
    }
  });

  it('always changes the text when the rate is above zero, even when r n rounds to 0', () => {
    const cfg = resolveErrors({ error_range: [0.01, 0.02] });
    for (let s = 0; s < 200; s++) expect(corrupt('hello world', fork(1, s), cfg, vocab).text).not.toBe('hello world');
  });

  it('leaves the text alone at rate 0 and normalizes its spacing', () => {
    const c = corrupt('  a  b ', createRng(0), resolveErrors({ error_range: [0, 0] }), vocab);
    expect(c).toEqual({ text: 'a b', rate: 0, substitutions: 0, deletions: 0, insertions: 0 });
  });

  it('draws substitutes and insertions from the bias list when bias_word_prob is 1', () => {
    const cfg = resolveErrors({ error_range: [0.5, 0.5], delete_prob: 0, substitute_prob: 1, insert_prob: 1, bias_word_prob: 1 });
    for (let s = 0; s < 20; s++) {
      const out = toWords(corrupt(ref, createRng(s), cfg, vocab, ['*Zelda*']).text);
      const fresh = out.filter((w) => !toWords(ref).includes(w));
      expect(fresh.length).toBeGreaterThan(0);
      expect(new Set(fresh)).toEqual(new Set(['*Zelda*']));
    }
  });

  it('turns a substitution into a deletion when the vocabulary offers no other word', () => {
    const c = corrupt('a', createRng(0), only('substitute_prob', 1, 1), new Vocabulary(['a a a']));
    expect(c).toMatchObject({ text: '', substitutions: 0, deletions: 1 });
  });

  it('is reproducible for the same stream', () => {
    const cfg = resolveErrors({});
    expect(corrupt(ref, fork(3, 'x'), cfg, vocab)).toEqual(corrupt(ref, fork(3, 'x'), cfg, vocab));
  });
});

describe('resolveErrors', () => {
  it('fills the seed defaults and accepts a single-number error_range', () => {
    expect(resolveErrors({})).toEqual(ERROR_DEFAULTS);
    expect(resolveErrors({ error_range: 0.2 }).error_range).toEqual([0.2, 0.2]);
  });

  it('rejects bad values naming the field', () => {
    expect(() => resolveErrors({ error_range: [0.3, 0.1] })).toThrow('simu_preference.error_range: expected [lo, hi] with 0 <= lo <= hi <= 1, got [0.3,0.1]');
    expect(() => resolveErrors({ error_range: [0.1] })).toThrow('simu_preference.error_range');
    expect(() => resolveErrors({ delete_prob: -0.1 })).toThrow('simu_preference.delete_prob: expected a number in [0, 1], got -0.1');
    expect(() => resolveErrors({ delete_prob: 0, substitute_prob: 0, insert_prob: 0 })).toThrow(/all 0/);
  });

  it('computes the expected per-word rates from the normalized kind probabilities', () => {
    // Seed config: mean rate 0.175 split 0.1 : 0.1 : 0.05.
    const e = expectedRates(resolveErrors({ error_range: [0.1, 0.25], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 }));
    expect(e.total).toBeCloseTo(0.175, 12);
    expect(e.deletions).toBeCloseTo(0.07, 12);
    expect(e.substitutions).toBeCloseTo(0.07, 12);
    expect(e.insertions).toBeCloseTo(0.035, 12);
  });
});

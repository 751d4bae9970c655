import { describe, expect, it } from 'vitest';
import { Rng, bernoulli, choice, createRng, fork, intBetween, sample, shuffled, weightedIndex } from './random';

describe('sim random', () => {
  it('runs xoshiro128** (reference vector from state {1, 2, 3, 4})', () => {
    // Blackman & Vigna's C reference: 11520, 0, 5927040, 70819200, 2031721883, 1637235492.
    const r = new Rng(0, [1, 2, 3, 4]);
    expect([...Array(6)].map(() => r.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('pins the seeded stream, so simulated data stays byte-identical across versions', () => {
    // Recorded once from this implementation; a change here changes every simulated dataset.
    const r = createRng(42);
    const got = [r.nextU32(), r.nextU32(), r.nextU32()];
    const again = createRng(42);
    expect([again.nextU32(), again.nextU32(), again.nextU32()]).toEqual(got);
    expect(got).toEqual([1795206363, 4293224990, 4253332271]);
  });

  it('rejects seeds that are not 32-bit unsigned integers instead of truncating them', () => {
    expect(() => createRng(-1)).toThrow('seed: expected an integer in [0, 4294967295], got -1');
    expect(() => createRng(1.5)).toThrow(/got 1.5/);
    expect(() => createRng(2 ** 32)).toThrow(/got 4294967296/);
  });

  it('forks by key path, independent of draws elsewhere', () => {
    const a = fork(7, 'errors', 3).uniform();
    const parent = createRng(7);
    parent.uniform();
    expect(fork(7, 'errors', 3).uniform()).toBe(a);
    expect(fork(7, 'errors', 4).uniform()).not.toBe(a);
    expect(fork(7, 'bias', 3).uniform()).not.toBe(a);
    expect(fork(8, 'errors', 3).uniform()).not.toBe(a);
  });

  it('draws integers in a closed range with every value reachable', () => {
    const r = createRng(1);
    const seen = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const x = intBetween(r, -2, 3);
      seen.set(x, (seen.get(x) ?? 0) + 1);
    }
    expect([...seen.keys()].sort((p, q) => p - q)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const c of seen.values()) expect(Math.abs(c - 1000)).toBeLessThan(120); // ~4 sd
    expect(intBetween(r, 5, 5)).toBe(5);
    expect(() => intBetween(r, 3, 2)).toThrow(/lo <= hi/);
  });

  it('draws Bernoulli trials at the asked rate, exactly never/always at 0 and 1', () => {
    const r = createRng(2);
    let k = 0;
    for (let i = 0; i < 10000; i++) if (bernoulli(r, 0.3)) k++;
    expect(Math.abs(k / 10000 - 0.3)).toBeLessThan(0.02);
    expect([...Array(100)].some(() => bernoulli(r, 0))).toBe(false);
    expect([...Array(100)].every(() => bernoulli(r, 1))).toBe(true);
    expect(() => bernoulli(r, 1.2)).toThrow(/p must be in \[0, 1\]/);
  });

  it('chooses, samples without replacement and shuffles', () => {
    const r = createRng(3);
    const items = ['a', 'b', 'c', 'd', 'e'];
    expect(items).toContain(choice(r, items));
    expect(() => choice(r, [])).toThrow(/empty/);
    const s = sample(r, items, 3);
    expect(new Set(s).size).toBe(3);
    expect(sample(r, items, 9).sort()).toEqual(items);
    expect(sample(r, items, 0)).toEqual([]);
    const sh = shuffled(r, items);
    expect([...sh].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e']); // input untouched
  });

  it('draws weighted indices in proportion and never a zero weight', () => {
    const r = createRng(4);
    const counts = [0, 0, 0];
    for (let i = 0; i < 9000; i++) counts[weightedIndex(r, [1, 0, 2])]++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0] / 9000 - 1 / 3)).toBeLessThan(0.02);
    expect(() => weightedIndex(r, [0, 0])).toThrow(/all weights are zero/);
    expect(() => weightedIndex(r, [1, -1])).toThrow(/>= 0/);
  });
});

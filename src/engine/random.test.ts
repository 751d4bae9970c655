import { describe, expect, it } from 'vitest';
import fixture from '../../tests/golden/engine/random.json';
import { Rng, portableLog, sinCosTurns } from './random';

// random.json comes from tests/golden/engine/gen_random.c, an independent C implementation.
describe('Rng', () => {
  it('matches the reference xoshiro128** from state {1, 2, 3, 4}', () => {
    const r = new Rng(0, [1, 2, 3, 4]);
    expect(fixture.reference_1234.map(() => r.nextU32())).toEqual(fixture.reference_1234);
  });

  it('matches the C reference for splitmix32 seeding, uniforms and normals', () => {
    const seed = fixture.seed;
    const a = new Rng(seed);
    expect(fixture.u32.map(() => a.nextU32())).toEqual(fixture.u32);
    const b = new Rng(seed);
    expect(fixture.uniform.map(() => b.uniform())).toEqual(fixture.uniform); // bit-exact
    const c = new Rng(seed);
    // libm's log/cos may differ from our portable ones in the last bits only.
    for (const want of fixture.normal) expect(c.normal()).toBeCloseTo(want, 13);
  });

  it('gives the same stream for the same seed and different ones otherwise', () => {
    const draw = (seed: number) => { const r = new Rng(seed); return [...Array(8)].map(() => r.nextU32()); };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('forks by key, independently of how much the parent has drawn', () => {
    const p = new Rng(3);
    const first = p.fork('init').uniformArray(4);
    p.uniformArray(100);
    expect(p.fork('init').uniformArray(4)).toEqual(first);
    expect(p.fork('dropout').uniformArray(4)).not.toEqual(first);
    expect(new Rng(4).fork('init').uniformArray(4)).not.toEqual(first);
    expect(p.fork('a').fork('b').uniformArray(4)).not.toEqual(p.fork('b').fork('a').uniformArray(4));
    expect(p.fork(1).uniformArray(4)).not.toEqual(p.fork('1').uniformArray(4));
  });

  it('draws uniforms in [lo, hi) and normals with the right moments', () => {
    const r = new Rng(11);
    const n = 20000;
    const u = r.uniformArray(n, -2, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    const mean = (xs: Float32Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(u)).toBeCloseTo(0.5, 1);
    const z = r.normalArray(n, 1, 2);
    const m = mean(z);
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    expect(Math.abs(m - 1)).toBeLessThan(0.05); // ~3.5 standard errors
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
    const tail = z.filter((x) => Math.abs(x - 1) > 4).length / n; // P(|Z| > 2) = 4.55 %
    expect(tail).toBeGreaterThan(0.04);
    expect(tail).toBeLessThan(0.051);
  });

  it('draws unbiased integers, permutations and dropout masks', () => {
    const r = new Rng(5);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    const p = r.permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(p).not.toEqual([...Array(50).keys()]);
    const mask = r.dropoutMask(10000, 0.25);
    expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    expect(mask.filter((x) => x === 0).length / 10000).toBeCloseTo(0.25, 1);
    expect(() => r.int(0)).toThrow();
    expect(() => r.dropoutMask(3, 1)).toThrow();
  });
});

describe('portable math', () => {
  it('log agrees with Math.log to ~1 ulp over many magnitudes, subnormals included', () => {
    const r = new Rng(1);
    const xs = [1, 2, 0.5, Math.SQRT2, 1 - 2 ** -53, 1 + 2 ** -52, 5e-324, 1e-310, 1e300, 2 ** -1074 * 3];
    for (let i = 0; i < 2000; i++) xs.push(r.uniform() * 2 ** (r.int(200) - 100));
    for (const x of xs) {
      const want = Math.log(x);
      expect(Math.abs(portableLog(x) - want)).toBeLessThanOrEqual(Math.max(Math.abs(want) * 4e-16, 4e-16));
    }
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(-1)).toBeNaN();
  });

  it('sin and cos of whole turns agree with Math.sin/Math.cos', () => {
    const r = new Rng(2);
    const us = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.999];
    for (let i = 0; i < 2000; i++) us.push(r.uniform());
    for (const u of us) {
      const [s, c] = sinCosTurns(u);
      expect(s).toBeCloseTo(Math.sin(2 * Math.PI * u), 14);
      expect(c).toBeCloseTo(Math.cos(2 * Math.PI * u), 14);
    }
  });
});

// float16 / bfloat16 conversions: edge cases, round-to-nearest-even, and an exhaustive round trip.
import { describe, expect, it } from 'vitest';
import { dataFrom, fromBfloat16, fromHalf, toHalf } from './dtype';

describe('toHalf / fromHalf', () => {
  it('every non-NaN float16 survives fromHalf -> toHalf exactly (all 65536 patterns)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) {
        expect((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0).toBe(true);
        expect(toHalf(v) & 0x7fff).toBe(0x7e00); // NaN stays a (quiet) NaN
        continue;
      }
      if (toHalf(v) !== h) expect.fail(`0x${h.toString(16)} -> ${v} -> 0x${toHalf(v).toString(16)}`);
    }
  });

  it('signed zeros, infinities, NaN and overflow', () => {
    expect(toHalf(0)).toBe(0);
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(Infinity)).toBe(0x7c00);
    expect(toHalf(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
    expect(toHalf(65504)).toBe(0x7bff); // largest finite half
    expect(toHalf(65519.99)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00); // halfway to 65536 rounds to even: inf
    expect(toHalf(-1e6)).toBe(0xfc00);
    expect(fromHalf(0x7c00)).toBe(Infinity);
    expect(fromHalf(0xfc00)).toBe(-Infinity);
    expect(Object.is(fromHalf(0x8000), -0)).toBe(true);
  });

  it('subnormals: smallest, largest, the boundary to normals, and underflow ties', () => {
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(fromHalf(0x0001)).toBe(2 ** -24);
    expect(toHalf(1023 * 2 ** -24)).toBe(0x03ff);
    expect(toHalf(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toHalf(1023.5 * 2 ** -24)).toBe(0x0400); // tie between 0x3ff and 0x400 goes to even 0x400
    expect(toHalf(2 ** -25)).toBe(0); // halfway between 0 and 2^-24: even is 0
    expect(toHalf(1.5 * 2 ** -25)).toBe(0x0001);
    expect(toHalf(2.5 * 2 ** -24)).toBe(0x0002); // tie 2/3 -> even 2
    expect(toHalf(3.5 * 2 ** -24)).toBe(0x0004); // tie 3/4 -> even 4
    expect(toHalf(-(2 ** -26))).toBe(0x8000);
    expect(toHalf(1e-40)).toBe(0); // a float32 subnormal
  });

  it('normals round to nearest, ties to even', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie 1.0 / 1+2^-10 -> even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (upward)
    expect(toHalf(1 + 1.1 * 2 ** -11)).toBe(0x3c01);
    expect(toHalf(2047 / 1024)).toBe(0x3fff);
    expect(toHalf(2 - 2 ** -12)).toBe(0x4000); // carry into the exponent
    expect(toHalf(-2.5)).toBe(0xc100);
  });

  it('float64 inputs are rounded once, not twice (float32 then float16)', () => {
    // 1 + 2^-11 + 2^-40 rounds to float32 1 + 2^-11 (a float16 tie), but is above the tie.
    expect(toHalf(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01);
    expect(toHalf(1 + 3 * 2 ** -11 - 2 ** -40)).toBe(0x3c01);
    expect(toHalf(2 ** -25 + 2 ** -60)).toBe(0x0001);
  });

  it('dataFrom float16 stores raw bits; bfloat16 decodes by widening', () => {
    expect([...dataFrom('float16', [1, -2, 0.5])]).toEqual([0x3c00, 0xc000, 0x3800]);
    expect(fromBfloat16(0x3f80)).toBe(1);
    expect(fromBfloat16(0xc040)).toBe(-3);
    expect(fromBfloat16(0x7f80)).toBe(Infinity);
    expect(Number.isNaN(fromBfloat16(0x7fc0))).toBe(true);
  });
});

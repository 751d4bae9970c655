import { describe, expect, it } from 'vitest';
import { Fft } from './fft';

/** The O(n^2) definition, as the reference. */
function dft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length, or = new Float64Array(n), oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      or[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      oi[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return [or, oi];
}

describe('Fft', () => {
  // 400 = Whisper's n_fft; 7 * 11 and 97 exercise the generic prime butterfly.
  for (const n of [1, 2, 3, 4, 5, 8, 12, 16, 60, 77, 97, 400, 512]) {
    it(`matches the direct DFT for n = ${n}`, () => {
      const re = new Float64Array(n), im = new Float64Array(n);
      for (let i = 0; i < n; i++) { re[i] = Math.sin(i * 1.3) + 0.1 * i; im[i] = Math.cos(i * 0.7); }
      const [er, ei] = dft(re, im);
      const or = new Float64Array(n), oi = new Float64Array(n);
      new Fft(n).transform(re, im, or, oi);
      let err = 0, scale = 0;
      for (let k = 0; k < n; k++) { err = Math.max(err, Math.abs(or[k] - er[k]), Math.abs(oi[k] - ei[k])); scale = Math.max(scale, Math.abs(er[k])); }
      expect(err / Math.max(1, scale)).toBeLessThan(1e-12);
    });
  }

  it('rejects a bad length', () => {
    expect(() => new Fft(0)).toThrow(/positive integer/);
  });
});

// Mixed-radix complex FFT for any length (radix 2, 3, 4, 5 butterflies; other primes by a direct
// DFT), recursive decimation in time over a precomputed factor plan, float64 throughout.
// Whisper's n_fft = 400 = 4 * 4 * 5 * 5 is not a power of two, so a radix-2 FFT will not do.

/** Factor n into radices, preferring 4, then 2, 3, 5, then any remaining primes. */
function factorize(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (const p of [4, 2, 3, 5]) while (m % p === 0) { out.push(p); m /= p; }
  for (let p = 7; m > 1; p += 2) while (m % p === 0) { out.push(p); m /= p; }
  return out;
}

/** A reusable FFT of length n: out[k] = sum_j in[j] e^(-2 pi i j k / n). */
export class Fft {
  private readonly radices: number[];
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly tmpRe: Float64Array;
  private readonly tmpIm: Float64Array;
  private inRe!: Float64Array;
  private inIm!: Float64Array;
  private outRe!: Float64Array;
  private outIm!: Float64Array;

  /** Plan a transform of length `n` (a positive integer). */
  constructor(readonly n: number) {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`FFT length must be a positive integer, got ${n}`);
    this.radices = factorize(n);
    this.twRe = new Float64Array(n);
    this.twIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      this.twRe[k] = Math.cos((-2 * Math.PI * k) / n);
      this.twIm[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    const pmax = Math.max(1, ...this.radices);
    this.tmpRe = new Float64Array(pmax);
    this.tmpIm = new Float64Array(pmax);
  }

  /** Transform (inRe, inIm) into (outRe, outIm); all of length n, out distinct from in. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.inRe = inRe; this.inIm = inIm; this.outRe = outRe; this.outIm = outIm;
    if (this.n === 1) { outRe[0] = inRe[0]; outIm[0] = inIm[0]; return; }
    this.work(0, 0, 1, 0);
  }

  private work(out: number, inp: number, fstride: number, level: number): void {
    const p = this.radices[level];
    const m = this.n / (fstride * p); // length of each sub-transform
    if (m === 1) {
      for (let j = 0; j < p; j++) {
        this.outRe[out + j] = this.inRe[inp + j * fstride];
        this.outIm[out + j] = this.inIm[inp + j * fstride];
      }
    } else {
      for (let j = 0; j < p; j++) this.work(out + j * m, inp + j * fstride, fstride * p, level + 1);
    }
    if (p === 2) this.bfly2(out, fstride, m);
    else if (p === 4) this.bfly4(out, fstride, m);
    else this.bflyGeneric(out, fstride, m, p);
  }

  private bfly2(out: number, fstride: number, m: number): void {
    const re = this.outRe, im = this.outIm, twr = this.twRe, twi = this.twIm;
    for (let u = 0; u < m; u++) {
      const a = out + u, b = a + m, t = u * fstride;
      const br = re[b] * twr[t] - im[b] * twi[t];
      const bi = re[b] * twi[t] + im[b] * twr[t];
      re[b] = re[a] - br; im[b] = im[a] - bi;
      re[a] += br; im[a] += bi;
    }
  }

  private bfly4(out: number, fstride: number, m: number): void {
    const re = this.outRe, im = this.outIm, twr = this.twRe, twi = this.twIm;
    for (let u = 0; u < m; u++) {
      const i0 = out + u, i1 = i0 + m, i2 = i1 + m, i3 = i2 + m;
      const t1 = u * fstride, t2 = 2 * t1, t3 = 3 * t1;
      const x1r = re[i1] * twr[t1] - im[i1] * twi[t1], x1i = re[i1] * twi[t1] + im[i1] * twr[t1];
      const x2r = re[i2] * twr[t2] - im[i2] * twi[t2], x2i = re[i2] * twi[t2] + im[i2] * twr[t2];
      const x3r = re[i3] * twr[t3] - im[i3] * twi[t3], x3i = re[i3] * twi[t3] + im[i3] * twr[t3];
      const s0r = re[i0] + x2r, s0i = im[i0] + x2i, d0r = re[i0] - x2r, d0i = im[i0] - x2i;
      const s1r = x1r + x3r, s1i = x1i + x3i, d1r = x1r - x3r, d1i = x1i - x3i;
      re[i0] = s0r + s1r; im[i0] = s0i + s1i;
      re[i2] = s0r - s1r; im[i2] = s0i - s1i;
      // Forward transform: multiply the odd difference by -i.
      re[i1] = d0r + d1i; im[i1] = d0i - d1r;
      re[i3] = d0r - d1i; im[i3] = d0i + d1r;
    }
  }

  private bflyGeneric(out: number, fstride: number, m: number, p: number): void {
    const re = this.outRe, im = this.outIm, twr = this.twRe, twi = this.twIm, n = this.n;
    const xr = this.tmpRe, xi = this.tmpIm;
    for (let u = 0; u < m; u++) {
      for (let q = 0; q < p; q++) {
        const i = out + u + q * m, t = (q * u * fstride) % n;
        xr[q] = re[i] * twr[t] - im[i] * twi[t];
        xi[q] = re[i] * twi[t] + im[i] * twr[t];
      }
      for (let k = 0; k < p; k++) {
        let sr = 0, si = 0;
        const step = k * fstride * m; // W_p^(qk) = W_n^(qk * n/p)
        for (let q = 0, t = 0; q < p; q++, t = (t + step) % n) {
          sr += xr[q] * twr[t] - xi[q] * twi[t];
          si += xr[q] * twi[t] + xi[q] * twr[t];
        }
        re[out + u + k * m] = sr;
        im[out + u + k * m] = si;
      }
    }
  }
}

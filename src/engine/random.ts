// Seeded randomness that is bit-identical on every platform: weight init, dropout masks, shuffles.
//
// Generator: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, period 2^128 - 1, only 32-bit
// integer ops (Math.imul, shifts), so every JS engine produces the same stream. The state is
// filled by splitmix32 from a 32-bit seed. `fork(key)` derives a child from the parent's *seed
// material* and the key (not from its current position), so drawing more numbers in one place
// never shifts the numbers drawn elsewhere.

const TWO_POW_32 = 4294967296;

/** splitmix32 step: a well-mixed 32-bit output from a 32-bit counter. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string, then mixed: a 32-bit key. */
function hashKey(key: string | number): number {
  const s = typeof key === 'number' ? `#${key}` : key;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return splitmix32(h >>> 0);
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** The 128-bit start state for a seed (splitmix32 chain; never all zero). */
function seedMaterial(seed: number): number[] {
  const s0 = splitmix32(seed);
  const s1 = splitmix32(s0 ^ 0x632be5ab);
  const s2 = splitmix32(s1 ^ 0x85157af5);
  const s3 = splitmix32(s2 ^ 0x1b873593);
  return (s0 | s1 | s2 | s3) === 0 ? [s0, s1, s2, 1] : [s0, s1, s2, s3]; // all-zero is a fixed point
}

/** A seeded xoshiro128** stream with uniform, normal and integer draws. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** A stream from a 32-bit integer seed (other numbers are truncated); `material` is for `fork`. */
  constructor(readonly seed: number, private readonly material: readonly number[] = seedMaterial(seed >>> 0)) {
    [this.s0, this.s1, this.s2, this.s3] = material;
  }

  /** An independent sub-stream named by `key`; the same (seed, key) always gives the same stream. */
  fork(key: string | number): Rng {
    const h = hashKey(key);
    const m = this.material;
    // Each child word depends on every parent word and on the key.
    const child = m.map((w, i) => splitmix32(w ^ splitmix32((h + Math.imul(i + 1, 0x9e3779b9)) | 0) ^ m[(i + 1) & 3]));
    if (!child.some((w) => w !== 0)) child[3] = 1; // the all-zero state is a fixed point
    return new Rng(this.seed, child);
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits (two draws), or in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    const a = this.nextU32() >>> 5; // 27 bits
    const b = this.nextU32() >>> 6; // 26 bits
    const u = (a * 67108864 + b) / 9007199254740992;
    return lo + (hi - lo) * u;
  }

  /** A standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * portableLog(u1));
    const [s, c] = sinCosTurns(u2);
    this.spare = r * s;
    return mean + std * r * c;
  }

  /** An integer in [0, n) without modulo bias (n <= 2^32). */
  int(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32)) throw new Error(`Rng.int: n must be in [1, 2^32], got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n); // reject the incomplete last block
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return x % n;
  }

  /** Shuffle `xs` in place (Fisher-Yates) and return it. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle([...Array(n).keys()]);
  }

  /** `n` floats uniform in [lo, hi). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** `n` floats from N(mean, std^2). */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** An inverted-dropout mask: 0 with probability p, else 1/(1-p) (PyTorch's scaling). */
  dropoutMask(n: number, p: number): Float32Array {
    if (!(p >= 0 && p < 1)) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
    const out = new Float32Array(n);
    const keep = 1 / (1 - p);
    for (let i = 0; i < n; i++) out[i] = this.uniform() < p ? 0 : keep;
    return out;
  }
}

// NOTE: Math.log, Math.sin and Math.cos are implementation-approximated by the ECMAScript spec,
// so engines may differ in the last bit. The two functions below use only +, -, *, / and exact
// bit manipulation (all correctly rounded IEEE operations), so normals are identical everywhere.

const LN2_HI = 6.93147180369123816490e-1; // ln 2 split so that e * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word is [1]

/** Natural log of a positive finite double, accurate to ~1 ulp, from arithmetic only. */
export function portableLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x === 0 ? -Infinity : NaN;
  f64[0] = x;
  let e = ((u32[HI] >>> 20) & 0x7ff) - 1023;
  if (e === -1023) { // subnormal: scale into the normal range first
    f64[0] = x * 2 ** 54;
    e = ((u32[HI] >>> 20) & 0x7ff) - 1023 - 54;
  }
  u32[HI] = (u32[HI] & 0x800fffff) | (1023 << 20); // mantissa m in [1, 2)
  let m = f64[0];
  if (m > Math.SQRT2) { m /= 2; e += 1; }
  // log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: the odd series converges fast.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let k = 1; k <= 29; k += 2) { sum += term / k; term *= s2; }
  return e * LN2_HI + (2 * sum + e * LN2_LO);
}

/** [sin, cos] of 2 pi u for u in [0, 1), from arithmetic only (octant reduction, Taylor series). */
export function sinCosTurns(u: number): [number, number] {
  const t = u * 8; // exact: u has at most 53 bits
  const octant = Math.floor(t);
  let f = t - octant; // in [0, 1), exact
  // Within each octant use an angle in [0, pi/4] measured from the nearer axis.
  const odd = octant & 1;
  if (odd) f = 1 - f;
  const x = f * (Math.PI / 4);
  const x2 = x * x;
  let sn = 0, cs = 0, ts = x, tc = 1;
  for (let k = 0; k < 12; k++) {
    sn += ts; cs += tc;
    ts *= -x2 / ((2 * k + 2) * (2 * k + 3));
    tc *= -x2 / ((2 * k + 1) * (2 * k + 2));
  }
  // (sin, cos) of octant * pi/4 + angle, using the symmetries of the unit circle.
  const [a, b] = odd ? [cs, sn] : [sn, cs]; // a = sin of the angle from the octant's start
  switch (octant) {
    case 0: case 1: return [a, b];
    case 2: case 3: return [b, -a];
    case 4: case 5: return [-a, -b];
    default: return [-b, a];
  }
}

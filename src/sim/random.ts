// Seeded randomness for simulation: the engine's xoshiro128** stream plus the draws simulation
// needs. One generator family for the whole app (DESIGN section 2: one seed drives init, dropout,
// shuffling and simulation), so this file adds helpers rather than a second PRNG.
//
// Algorithm (src/engine/random.ts): xoshiro128** (Blackman & Vigna 2018) over 32-bit integer ops,
// state filled by splitmix32 from the seed; floats take 53 bits from two draws. Only exact IEEE
// operations are used, so every platform produces the same numbers.
import { Rng } from '../engine/random';

export { Rng };

const MAX_SEED = 0xffffffff;

/** A stream from a seed, an integer in [0, 2^32 - 1]; other values are an error, never truncated. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`seed: expected an integer in [0, ${MAX_SEED}], got ${seed}`);
  }
  return new Rng(seed);
}

/**
 * A sub-stream named by `keys` (e.g. `fork(seed, 'errors', 17)`): the same seed and keys always
 * give the same stream, whatever else was drawn, so utterance 17's draws never depend on others.
 */
export function fork(seed: number, ...keys: (string | number)[]): Rng {
  let r = createRng(seed);
  for (const k of keys) r = r.fork(k);
  return r;
}

/** An integer in [lo, hi], both ends included (Python's `random.randint`). */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
    throw new Error(`intBetween: expected integers lo <= hi, got [${lo}, ${hi}]`);
  }
  return lo + rng.int(hi - lo + 1);
}

/** True with probability p (p in [0, 1]); p = 0 never and p = 1 always, with one draw either way. */
export function bernoulli(rng: Rng, p: number): boolean {
  if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli: p must be in [0, 1], got ${p}`);
  return rng.uniform() < p; // uniform is in [0, 1): p = 1 is always true, p = 0 never
}

/** One element, uniformly. */
export function choice<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('choice: empty list');
  return items[rng.int(items.length)];
}

/** `k` distinct positions of `items`, in random order (partial Fisher-Yates); k is capped at the length. */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = [...items];
  const n = Math.min(Math.max(0, Math.floor(k)), pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

/** A shuffled copy (the input is left as it was). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  return rng.shuffle([...items]);
}

/** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weightedIndex: weights must be finite and >= 0, got ${w}`);
    total += w;
  }
  if (total === 0) throw new Error('weightedIndex: all weights are zero');
  let u = rng.uniform() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  // NOTE: rounding can leave u at +0 after the last subtraction; return the last positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return weights.length - 1;
}

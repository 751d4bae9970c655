// Seeded audio augmentation, configured as seed 003's `augment_config_path` JSON.
//
// Object form (seed 003): {"noise": {"type": "gaussian", "std": 0.01}, "speed": {"factor": 0.9},
// "pitch": {"steps": 2}}; each entry may add "prob" (default 1), and a value may be a range
// [lo, hi] drawn uniformly (noise also takes "snr" in dB instead of "std"; speed also takes
// "factors": [..] to pick one). Applied in the order speed, pitch, volume, shift, noise, so SNR
// is measured against the final signal.
// List form (yeyupiaoling/Whisper-Finetune's augment_config.json, which seed 003's code grew
// from): [{"type": "speed", "params": {"min_speed_rate", "max_speed_rate", "num_rates"}, "prob"},
// {"type": "volume", "params": {"min_gain_dBFS", "max_gain_dBFS"}}, {"type": "shift", "params":
// {"min_shift_ms", "max_shift_ms"}}, {"type": "noise", "params": {"min_snr_dB", "max_snr_dB"}}],
// applied in list order. Noise is Gaussian: noise_dir clips are not supported (an error says so).
import { z } from 'zod';
import { Rng } from '../../engine/random';
import { changeSpeed, pitchShift } from './time-stretch';
import { AudioError } from './types';

type Range = number | [number, number];

/** One augmentation step, normalized from either config form. */
export type AugmentStep =
  | { kind: 'speed'; prob: number; factor?: Range; factors?: number[] }
  | { kind: 'pitch'; prob: number; steps: Range }
  | { kind: 'noise'; prob: number; std?: Range; snrDb?: Range; integer?: boolean }
  | { kind: 'volume'; prob: number; gainDb: Range; integer?: boolean }
  | { kind: 'shift'; prob: number; shiftMs: Range; integer?: boolean };

/** A parsed augmentation config: steps in application order. */
export interface AugmentConfig { steps: AugmentStep[] }

/** What one call applied (for logs and tests); absent keys were skipped by `prob`. */
export interface AugmentApplied { speed?: number; pitchSteps?: number; noiseStd?: number; gainDb?: number; shiftMs?: number }

const range = z.union([z.number(), z.tuple([z.number(), z.number()])]);
const prob = z.number().min(0).max(1).optional();
const objectForm = z.strictObject({
  noise: z.strictObject({ type: z.literal('gaussian').optional(), std: range.optional(), snr: range.optional(), snr_db: range.optional(), prob }).optional(),
  speed: z.strictObject({ factor: range.optional(), factors: z.array(z.number().positive()).min(1).optional(), prob }).optional(),
  pitch: z.strictObject({ steps: range, prob }).optional(),
  volume: z.strictObject({ gain_db: range, prob }).optional(),
  shift: z.strictObject({ shift_ms: range, prob }).optional(),
});
const listItem = z.object({ type: z.string(), params: z.record(z.string(), z.unknown()).optional(), prob: prob });

/** Parse an augmentation config (parsed JSON); `name` (the file) goes into every error. */
export function parseAugmentConfig(json: unknown, name = 'augment_config.json'): AugmentConfig {
  const fail = (detail: string): never => { throw new AudioError(name, detail); };
  if (Array.isArray(json)) return { steps: json.map((item, i) => listStep(item, i, fail)) };
  const r = objectForm.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    fail(`invalid augmentation config at ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const c = r.data!;
  const steps: AugmentStep[] = [];
  if (c.speed) {
    if (c.speed.factor === undefined && c.speed.factors === undefined) fail('speed needs "factor" or "factors"');
    steps.push({ kind: 'speed', prob: c.speed.prob ?? 1, factor: c.speed.factor, factors: c.speed.factors });
  }
  if (c.pitch) steps.push({ kind: 'pitch', prob: c.pitch.prob ?? 1, steps: c.pitch.steps });
  if (c.volume) steps.push({ kind: 'volume', prob: c.volume.prob ?? 1, gainDb: c.volume.gain_db });
  if (c.shift) steps.push({ kind: 'shift', prob: c.shift.prob ?? 1, shiftMs: c.shift.shift_ms });
  if (c.noise) {
    const snr = c.noise.snr ?? c.noise.snr_db;
    if ((c.noise.std === undefined) === (snr === undefined)) fail('noise needs exactly one of "std" or "snr"');
    steps.push({ kind: 'noise', prob: c.noise.prob ?? 1, std: c.noise.std, snrDb: snr });
  }
  for (const s of steps) checkStep(s, fail);
  return { steps };
}

function listStep(item: unknown, i: number, fail: (d: string) => never): AugmentStep {
  const r = listItem.safeParse(item);
  if (!r.success) fail(`entry ${i}: ${r.error.issues[0].message}`);
  const { type, params = {}, prob: p = 1 } = r.data!;
  const num = (key: string): number => {
    const v = params[key];
    return typeof v === 'number' ? v : fail(`entry ${i} (${type}): params.${key} must be a number`);
  };
  let step: AugmentStep;
  switch (type) {
    case 'speed': {
      const [lo, hi, n] = [num('min_speed_rate'), num('max_speed_rate'), num('num_rates')];
      if (!(Number.isInteger(n) && n >= 1)) fail(`entry ${i} (speed): num_rates must be a positive integer`);
      // np.linspace(lo, hi, n): the rates one is picked from.
      step = { kind: 'speed', prob: p, factors: Array.from({ length: n }, (_, k) => (n === 1 ? lo : lo + ((hi - lo) * k) / (n - 1))) };
      break;
    }
    case 'volume': step = { kind: 'volume', prob: p, gainDb: [num('min_gain_dBFS'), num('max_gain_dBFS')], integer: true }; break;
    case 'shift': step = { kind: 'shift', prob: p, shiftMs: [num('min_shift_ms'), num('max_shift_ms')], integer: true }; break;
    case 'noise':
      if (params.noise_dir !== undefined) fail(`entry ${i} (noise): noise_dir clips are not supported; remove noise_dir to add Gaussian noise at min_snr_dB..max_snr_dB`);
      step = { kind: 'noise', prob: p, snrDb: [num('min_snr_dB'), num('max_snr_dB')], integer: true };
      break;
    default:
      return fail(`entry ${i}: unsupported augmentation type "${type}" (supported: speed, volume, shift, noise)`);
  }
  checkStep(step, fail);
  return step;
}

function checkStep(s: AugmentStep, fail: (d: string) => never): void {
  const ordered = (r: Range | undefined, what: string) => { if (Array.isArray(r) && r[0] > r[1]) fail(`${s.kind}: ${what} range [${r[0]}, ${r[1]}] has lo > hi`); };
  if (s.kind === 'speed') {
    ordered(s.factor, 'factor');
    const all = [...(s.factors ?? []), ...(s.factor === undefined ? [] : [s.factor].flat())];
    if (all.some((f) => !(f > 0))) fail('speed: factors must be positive');
  }
  if (s.kind === 'pitch') ordered(s.steps, 'steps');
  if (s.kind === 'noise') {
    ordered(s.std, 'std'); ordered(s.snrDb, 'snr');
    if (s.std !== undefined && [s.std].flat().some((v) => v < 0)) fail('noise: std must be >= 0');
  }
  if (s.kind === 'volume') ordered(s.gainDb, 'gain');
  if (s.kind === 'shift') ordered(s.shiftMs, 'shift');
}

/** A value from a fixed number or a [lo, hi] range (uniform, or uniform integers as Python's randint). */
function draw(r: Range, rng: Rng, integer = false): number {
  if (!Array.isArray(r)) return r;
  return integer ? Math.ceil(r[0]) + rng.int(Math.floor(r[1]) - Math.ceil(r[0]) + 1) : rng.uniform(r[0], r[1]);
}

/**
 * Apply `config` to a mono clip. The same (samples, seed) always gives the same output: each
 * step draws from its own fork of the seed, so adding or removing a step leaves the others' draws.
 * Speed changes the length (by 1 / factor); pitch, volume, shift and noise keep it.
 */
export function augmentAudio(samples: Float32Array, sampleRate: number, config: AugmentConfig, seed: number | Rng): { samples: Float32Array; applied: AugmentApplied } {
  const root = typeof seed === 'number' ? new Rng(seed) : seed;
  let x = samples;
  const applied: AugmentApplied = {};
  config.steps.forEach((s, i) => {
    const rng = root.fork(`augment/${i}/${s.kind}`);
    if (s.prob < 1 && !(rng.uniform() < s.prob)) return;
    switch (s.kind) {
      case 'speed': {
        const f = s.factors ? s.factors[rng.int(s.factors.length)] : draw(s.factor!, rng);
        x = changeSpeed(x, f);
        applied.speed = f;
        break;
      }
      case 'pitch': {
        const st = draw(s.steps, rng);
        x = pitchShift(x, st);
        applied.pitchSteps = st;
        break;
      }
      case 'volume': {
        const g = draw(s.gainDb, rng, s.integer);
        const k = 10 ** (g / 20);
        x = Float32Array.from(x, (v) => v * k);
        applied.gainDb = g;
        break;
      }
      case 'shift': {
        const ms = draw(s.shiftMs, rng, s.integer);
        x = shift(x, Math.round((ms * sampleRate) / 1000));
        applied.shiftMs = ms;
        break;
      }
      case 'noise': {
        let std: number;
        if (s.std !== undefined) std = draw(s.std, rng);
        else {
          let e = 0;
          for (let j = 0; j < x.length; j++) e += x[j] * x[j];
          const rms = Math.sqrt(e / Math.max(1, x.length));
          std = rms * 10 ** (-draw(s.snrDb!, rng, s.integer) / 20); // SNR = 20 log10(rms_signal / std)
        }
        const noise = rng.fork('samples');
        const out = new Float32Array(x.length);
        for (let j = 0; j < x.length; j++) out[j] = x[j] + noise.normal(0, std);
        x = out;
        applied.noiseStd = std;
        break;
      }
    }
  });
  return { samples: x === samples ? samples.slice() : x, applied };
}

/** Move content `n` samples earlier (n > 0) or later (n < 0), zero-filling; length kept. */
function shift(x: Float32Array, n: number): Float32Array {
  const out = new Float32Array(x.length);
  if (Math.abs(n) >= x.length) return out;
  if (n >= 0) out.set(x.subarray(n));
  else out.set(x.subarray(0, x.length + n), -n);
  return out;
}

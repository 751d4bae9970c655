// The Simulate page's form: the biasing and error-simulation settings of a seed-000 dataset
// config as flat fields, its defaults (the project's config, else the seed script's built-in
// one, as `prefstudio simulate` uses) and the SimulationConfig the worker runs.
import type { DatasetConfig } from '../../data';
import type { SimulationConfig } from '../../sim/simulate';

/** The form's values. */
export interface SimForm {
  seed: number;
  /** Biasing on or off (off: every prompt is the plain ASR instruction). */
  biasing: boolean;
  bias_prob: number;
  hit_prob: number;
  max_piece_len: number;
  max_num: number;
  /** `error_range` as its two ends. */
  error_low: number;
  error_high: number;
  delete_prob: number;
  substitute_prob: number;
  insert_prob: number;
}

/** A numeric field of the form. */
export type SimNumberField = Exclude<keyof SimForm, 'biasing'>;

/** The seed `prefstudio simulate` uses by default. */
export const DEFAULT_SEED = 42;

// The seed script's built-in dataset config (dpo_online_phi4_multimodal.py), as the CLI's.
const SEED_BIASING = { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 };
const SEED_ERRORS = { error_range: [0.1, 0.25] as [number, number], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 };

/** How each numeric field is edited: its section, label, bounds and step. */
export const SIM_FIELDS: { key: SimNumberField; section: 'run' | 'biasing' | 'errors'; label: string; min: number; max: number; step: number; hint: string }[] = [
  { key: 'seed', section: 'run', label: 'seed', min: 0, max: 0xffffffff, step: 1, hint: 'the same seed gives the same pairs' },
  { key: 'bias_prob', section: 'biasing', label: 'bias_prob', min: 0, max: 1, step: 0.05, hint: 'chance an utterance gets a bias list' },
  { key: 'hit_prob', section: 'biasing', label: 'hit_prob', min: 0, max: 1, step: 0.05, hint: 'chance a true rare piece stays in the list' },
  { key: 'max_piece_len', section: 'biasing', label: 'max_piece_len', min: 1, max: 10, step: 1, hint: 'longest piece, in words' },
  { key: 'max_num', section: 'biasing', label: 'max_num', min: 1, max: 50, step: 1, hint: 'most entries in a list' },
  { key: 'error_low', section: 'errors', label: 'error_range low', min: 0, max: 1, step: 0.05, hint: 'per-utterance error rate is drawn from [low, high]' },
  { key: 'error_high', section: 'errors', label: 'error_range high', min: 0, max: 1, step: 0.05, hint: 'per-utterance error rate is drawn from [low, high]' },
  { key: 'delete_prob', section: 'errors', label: 'delete_prob', min: 0, max: 1, step: 0.05, hint: 'relative weight of deletions' },
  { key: 'substitute_prob', section: 'errors', label: 'substitute_prob', min: 0, max: 1, step: 0.05, hint: 'relative weight of substitutions' },
  { key: 'insert_prob', section: 'errors', label: 'insert_prob', min: 0, max: 1, step: 0.05, hint: 'relative weight of insertions' },
];

/** The form as the project's dataset config sets it (the seed's built-in config without one). */
export function formDefaults(config: DatasetConfig | null): SimForm {
  const b = { ...SEED_BIASING, ...(config?.biasing ?? {}) };
  const e = config ? { ...SEED_ERRORS, ...(config.simu_preference ?? {}) } : SEED_ERRORS;
  return {
    seed: DEFAULT_SEED,
    biasing: config === null || config.biasing !== undefined,
    bias_prob: b.bias_prob, hit_prob: b.hit_prob, max_piece_len: b.max_piece_len, max_num: b.max_num,
    error_low: e.error_range[0], error_high: e.error_range[1],
    delete_prob: e.delete_prob, substitute_prob: e.substitute_prob, insert_prob: e.insert_prob,
  };
}

/** The simulation the form describes; settings the form does not show (tag, conversation, ...) come from the config. */
export function toSimulationConfig(form: SimForm, config: DatasetConfig | null): SimulationConfig {
  const cb = config?.biasing;
  const ce = config?.simu_preference;
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    seed: form.seed,
    biasing: form.biasing ? {
      bias_prob: form.bias_prob, hit_prob: form.hit_prob, max_piece_len: form.max_piece_len, max_num: form.max_num,
      ...defined({ tag: cb?.tag, tag_all: cb?.tag_all, common_coverage: cb?.common_coverage }),
    } : null,
    errors: {
      error_range: [form.error_low, form.error_high],
      delete_prob: form.delete_prob, substitute_prob: form.substitute_prob, insert_prob: form.insert_prob,
      ...defined({ bias_word_prob: ce?.bias_word_prob, conversation: ce?.conversation }),
    },
  };
}

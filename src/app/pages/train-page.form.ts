// The Train page's form: the common `prefstudio train` flags as fields, the studio's demo defaults
// (the built-in tiny Llama and demo pairs, a LoRA adapter, a rate that moves a random model), and
// validation through the same schema as the CLI, with one error per field.
import { SCHEDULERS, TRAINERS, parseTrainConfig, trainConfigSchema, type TrainConfig } from '../../train/config';

/** Where the built-in demo model and pairs are served. */
export const DEMO_MODEL = '/demo/model';
/** The demo preference pairs (TRL JSONL). */
export const DEMO_PAIRS = '/demo/train/pairs.jsonl';

/** The form's values (numbers may be NaN while a field is empty). */
export interface TrainForm {
  model: string;
  dataset: string;
  trainer: (typeof TRAINERS)[number];
  /** Comma-separated, as `--loss_type sigmoid,hinge`. */
  loss_type: string;
  beta: number;
  learning_rate: number;
  lr_scheduler_type: (typeof SCHEDULERS)[number];
  warmup_ratio: number;
  per_device_train_batch_size: number;
  gradient_accumulation_steps: number;
  max_steps: number;
  num_train_epochs: number;
  max_grad_norm: number;
  logging_steps: number;
  use_peft: boolean;
  lora_r: number;
  lora_alpha: number;
  lora_dropout: number;
  seed: number;
  device: 'webgpu' | 'wasm';
}

/** Fields holding a number. */
export type TrainNumberField = { [K in keyof TrainForm]: TrainForm[K] extends number ? K : never }[keyof TrainForm];
/** Fields holding text or a choice. */
export type TrainTextField = Exclude<keyof TrainForm, TrainNumberField | 'use_peft'>;

/** The studio's defaults: a short LoRA DPO run on the demo (device comes from the runtime). */
export const TRAIN_DEFAULTS: Omit<TrainForm, 'device'> = {
  model: DEMO_MODEL,
  dataset: DEMO_PAIRS,
  trainer: 'dpo',
  loss_type: 'sigmoid',
  beta: 0.1,
  learning_rate: 1e-3,
  lr_scheduler_type: 'linear',
  warmup_ratio: 0,
  per_device_train_batch_size: 2,
  gradient_accumulation_steps: 1,
  max_steps: 20,
  num_train_epochs: 3,
  max_grad_norm: 1,
  logging_steps: 1,
  use_peft: true,
  lora_r: 4,
  lora_alpha: 8,
  lora_dropout: 0,
  seed: 42,
};

/** One numeric field: its CLI flag, label, input step and section. */
export interface NumberFieldSpec { key: TrainNumberField; label: string; step: number; min?: number; section: 'optim' | 'schedule' | 'lora' | 'run' }

/** The numeric fields, in form order. */
export const NUMBER_FIELDS: readonly NumberFieldSpec[] = [
  { key: 'beta', label: 'beta', step: 0.01, min: 0, section: 'optim' },
  { key: 'learning_rate', label: 'learning_rate', step: 1e-4, min: 0, section: 'optim' },
  { key: 'max_grad_norm', label: 'max_grad_norm', step: 0.1, min: 0, section: 'optim' },
  { key: 'warmup_ratio', label: 'warmup_ratio', step: 0.05, min: 0, section: 'schedule' },
  { key: 'per_device_train_batch_size', label: 'per_device_train_batch_size', step: 1, min: 1, section: 'schedule' },
  { key: 'gradient_accumulation_steps', label: 'gradient_accumulation_steps', step: 1, min: 1, section: 'schedule' },
  { key: 'max_steps', label: 'max_steps (−1: epochs)', step: 1, section: 'schedule' },
  { key: 'num_train_epochs', label: 'num_train_epochs', step: 1, min: 0, section: 'schedule' },
  { key: 'logging_steps', label: 'logging_steps', step: 1, min: 1, section: 'schedule' },
  { key: 'lora_r', label: 'lora_r', step: 1, min: 1, section: 'lora' },
  { key: 'lora_alpha', label: 'lora_alpha', step: 1, min: 0, section: 'lora' },
  { key: 'lora_dropout', label: 'lora_dropout', step: 0.05, min: 0, section: 'lora' },
  { key: 'seed', label: 'seed', step: 1, section: 'run' },
];

/** The form with the user's edits over the defaults; the device defaults to WebGPU where the worker has it. */
export function trainForm(edits: Partial<TrainForm>, webgpu: boolean): TrainForm {
  return { ...TRAIN_DEFAULTS, device: webgpu ? 'webgpu' : 'wasm', ...edits };
}

/** A validated form, or the errors keyed by field (`config` for ones that name no field). */
export type TrainValidation = { config: TrainConfig; errors: null } | { config: null; errors: Partial<Record<keyof TrainForm | 'config', string>> };

const num = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);

/** The config keys the form sets, as `parseTrainConfig` takes them. */
export function configInput(f: TrainForm, outputDir: string): Record<string, unknown> {
  const n: Record<string, unknown> = Object.fromEntries(NUMBER_FIELDS.map((s) => [s.key, num(f[s.key])]));
  if (!f.use_peft) { delete n.lora_r; delete n.lora_alpha; delete n.lora_dropout; }
  return {
    ...n,
    trainer: f.trainer,
    model_name_or_path: f.model.trim(),
    dataset_name: f.dataset.trim(),
    output_dir: outputDir,
    loss_type: f.loss_type.split(',').map((s) => s.trim()).filter(Boolean),
    lr_scheduler_type: f.lr_scheduler_type,
    use_peft: f.use_peft,
    device: f.device,
  };
}

const FORM_KEY: Record<string, keyof TrainForm> = { model_name_or_path: 'model', dataset_name: 'dataset' };

/** Validate with the CLI's schema: every field's first error, then `parseTrainConfig`'s cross-field checks. */
export function validateTrainForm(f: TrainForm, outputDir = 'studio'): TrainValidation {
  const input = configInput(f, outputDir);
  const errors: Partial<Record<keyof TrainForm | 'config', string>> = {};
  for (const s of NUMBER_FIELDS) {
    if ((f.use_peft || s.section !== 'lora') && !Number.isFinite(f[s.key])) errors[s.key] = 'enter a number';
  }
  const r = trainConfigSchema.strict().safeParse(input);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? 'config');
      const field = FORM_KEY[key] ?? (key in f ? (key as keyof TrainForm) : 'config');
      errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length) return { config: null, errors };
  try {
    return { config: parseTrainConfig(input, 'config'), errors: null };
  } catch (e) {
    const m = /^config: ([a-z_]+): (.*)$/s.exec(e instanceof Error ? e.message : String(e));
    const field = m && m[1] in f ? (m[1] as keyof TrainForm) : 'config';
    return { config: null, errors: { [field]: m ? m[2] : String(e) } };
  }
}

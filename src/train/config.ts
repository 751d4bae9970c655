// One training configuration with TRL/HF names and defaults, shared by the CLI flags, TOML/JSON
// config files, the studio's Train page and the worker. Keys are snake_case on purpose: the same
// keys are flags, file keys and `trainer_state.json` entries.
import { z } from 'zod';

export const TRAINERS = ['dpo', 'orpo', 'adpo', 'sft'] as const;
export const SCHEDULERS = ['linear', 'cosine', 'constant', 'constant_with_warmup'] as const;

const positive = z.number().positive();
const nonNegative = z.number().min(0);
const count = z.number().int().min(1);

/** The schema; `.parse` fills TRL's defaults. */
export const trainConfigSchema = z.object({
  trainer: z.enum(TRAINERS).default('dpo'),
  model_name_or_path: z.string().min(1),
  dataset_name: z.string().min(1),
  /** Dataset format (see src/data); 'auto' detects from the file. */
  dataset_format: z.string().default('auto'),
  output_dir: z.string().min(1),
  seed: z.number().int().default(42),

  learning_rate: positive.default(1e-6),
  lr_scheduler_type: z.enum(SCHEDULERS).default('linear'),
  warmup_ratio: z.number().min(0).max(1).default(0),
  warmup_steps: z.number().int().min(0).default(0),
  weight_decay: nonNegative.default(0),
  adam_beta1: z.number().min(0).lt(1).default(0.9),
  adam_beta2: z.number().min(0).lt(1).default(0.999),
  adam_epsilon: positive.default(1e-8),
  max_grad_norm: nonNegative.default(1),
  per_device_train_batch_size: count.default(8),
  gradient_accumulation_steps: count.default(1),
  num_train_epochs: positive.default(3),
  /** > 0 overrides num_train_epochs, as in HF. */
  max_steps: z.number().int().default(-1),
  logging_steps: count.default(10),
  save_steps: count.default(500),
  eval_steps: count.optional(),
  resume_from_checkpoint: z.string().optional(),

  beta: nonNegative.default(0.1),
  loss_type: z.array(z.string()).min(1).default(['sigmoid']),
  loss_weights: z.array(z.number()).optional(),
  label_smoothing: z.number().min(0).max(0.5).default(0),
  max_length: count.default(1024),
  max_prompt_length: count.default(512),
  max_completion_length: count.optional(),
  precompute_ref_log_probs: z.boolean().default(true),

  use_peft: z.boolean().default(false),
  lora_r: count.default(16),
  lora_alpha: positive.default(32),
  lora_dropout: z.number().min(0).lt(1).default(0.05),
  lora_target_modules: z.array(z.string()).optional(),
  use_rslora: z.boolean().default(false),
  adapter_path: z.string().optional(),

  /** Whisper: transcript language and task for the decoder prompt. */
  language: z.string().default('en'),
  task: z.enum(['transcribe', 'translate']).default('transcribe'),
  /** Where training runs (the headless runner's --device). */
  device: z.enum(['webgpu', 'wasm']).default('webgpu'),
});

/** A complete, validated training configuration. */
export type TrainConfig = z.infer<typeof trainConfigSchema>;
/** What a user may give: every field with a default is optional. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Validate and fill defaults; the error names the offending key (`learning_rate: ...`). */
export function parseTrainConfig(input: unknown, where = 'config'): TrainConfig {
  const r = trainConfigSchema.strict().safeParse(input);
  if (r.success) {
    const c = r.data;
    if (c.loss_weights && c.loss_weights.length !== c.loss_type.length) {
      throw new Error(`${where}: loss_weights: ${c.loss_weights.length} weights for ${c.loss_type.length} loss types`);
    }
    if (c.adapter_path && !c.use_peft) throw new Error(`${where}: adapter_path: needs use_peft`);
    return c;
  }
  const issue = r.error.issues[0];
  const key = issue.path.join('.') || '(root)';
  throw new Error(`${where}: ${key}: ${issue.message}`);
}

/** Optimizer steps of a run: max_steps when positive, else epochs x steps per epoch (HF's rounding). */
export function totalSteps(c: Pick<TrainConfig, 'max_steps' | 'num_train_epochs' | 'per_device_train_batch_size' | 'gradient_accumulation_steps'>, examples: number): number {
  if (c.max_steps > 0) return c.max_steps;
  const batches = Math.ceil(examples / c.per_device_train_batch_size);
  const perEpoch = Math.max(1, Math.floor(batches / c.gradient_accumulation_steps));
  return Math.ceil(c.num_train_epochs * perEpoch);
}

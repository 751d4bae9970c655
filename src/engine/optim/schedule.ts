// Learning-rate schedules with HF transformers' formulas (optimization.py, `get_scheduler`), as a
// pure function for logging and as graph nodes computed from a `step` input.
//
// `step` is the number of optimizer steps already taken (LambdaLR's `current_step`): the first
// update uses step 0. HF's Trainer logs `learning_rate` after `lr_scheduler.step()`, i.e. the
// value for the next step; callers pick which step they log.
import { type Value } from '../graph';
import { add, cos, div, less, maximum, mul, sub, where } from '../ops';

/** HF `lr_scheduler_type` values supported here. */
export type ScheduleType = 'constant' | 'constant_with_warmup' | 'linear' | 'cosine';

/** A schedule as HF configures it (`learning_rate`, `lr_scheduler_type`, warmup, total steps). */
export interface ScheduleConfig {
  type: ScheduleType;
  /** The peak (base) learning rate. */
  lr: number;
  /** `num_training_steps`: needed by linear and cosine. */
  totalSteps?: number;
  /** Warmup steps; a value in (0, 1) is a ratio of `totalSteps` (transformers v5 semantics). */
  warmupSteps?: number;
  /** `warmup_ratio`: used when `warmupSteps` is 0 or absent. */
  warmupRatio?: number;
  /** Cosine cycles (HF default 0.5: one half-cosine from peak to zero). */
  numCycles?: number;
}

/** Number of warmup steps: `warmup_steps` if > 0 else ceil(total * warmup_ratio) (HF TrainingArguments). */
export function warmupSteps(c: ScheduleConfig): number {
  const total = c.totalSteps ?? 0;
  const w = c.warmupSteps ?? 0;
  if (w >= 1) return Math.floor(w);
  if (w > 0) return Math.ceil(total * w);
  return Math.ceil(total * (c.warmupRatio ?? 0));
}

function requireTotal(c: ScheduleConfig): number {
  if (c.totalSteps === undefined) throw new Error(`schedule '${c.type}' needs totalSteps`);
  return c.totalSteps;
}

/** The LambdaLR multiplier at `step` (HF's `lr_lambda`). */
export function lrLambda(c: ScheduleConfig, step: number): number {
  if (c.type === 'constant') return 1; // HF's constant schedule ignores warmup
  const w = warmupSteps(c);
  if (step < w) return step / Math.max(1, w);
  if (c.type === 'constant_with_warmup') return 1;
  const total = requireTotal(c);
  if (c.type === 'linear') return Math.max(0, (total - step) / Math.max(1, total - w));
  const progress = (step - w) / Math.max(1, total - w);
  return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (c.numCycles ?? 0.5) * 2 * progress)));
}

/** The learning rate used by the update at `step` (0-based). */
export function learningRate(c: ScheduleConfig, step: number): number {
  return c.lr * lrLambda(c, step);
}

/** The same learning rate as graph nodes from a float32 scalar `step` (0-based). */
export function learningRateGraph(c: ScheduleConfig, step: Value): Value {
  const g = step.graph;
  if (c.type === 'constant') return g.scalar(c.lr, step.dtype);
  const w = warmupSteps(c);
  const warm = mul(step, c.lr / Math.max(1, w));
  let after: Value;
  if (c.type === 'constant_with_warmup') after = g.scalar(c.lr, step.dtype);
  else {
    const total = requireTotal(c);
    const span = Math.max(1, total - w);
    if (c.type === 'linear') after = mul(maximum(div(sub(total, step), span), 0), c.lr);
    else {
      const progress = div(sub(step, w), span);
      const cosine = mul(add(cos(mul(progress, Math.PI * (c.numCycles ?? 0.5) * 2)), 1), 0.5);
      after = mul(maximum(cosine, 0), c.lr);
    }
  }
  return w > 0 ? where(less(step, w), warm, after) : after;
}

// Checkpoints as HF's Trainer lays them out, `checkpoint-<step>/`: the PEFT adapter (or the full
// weights as `model.safetensors` with the model's config and tokenizer files), the AdamW moments,
// `trainer_state.json` with `log_history`, and `rng_state.json`. Every random draw of a run is a
// pure function of (seed, step, name), so the seed and the step counters are the whole RNG state.
import { type FileSource, WeightStore, readJson, writeSafetensors } from '../models/io';
import { type LinearInfo, type LoraAdapter, adapterFiles, loadPeftAdapter } from '../models/lora';
import { type TrainConfig } from './config';
import { type DataPlan } from './data';
import { type LogEntry, type OutputSink } from './io';

/** HF's trainer_state.json (TrainerState), with the fields a single-process run has. */
export interface TrainerState {
  best_global_step: number | null;
  best_metric: number | null;
  best_model_checkpoint: string | null;
  epoch: number;
  eval_steps: number | null;
  global_step: number;
  is_hyper_param_search: boolean;
  is_local_process_zero: boolean;
  is_world_process_zero: boolean;
  log_history: LogEntry[];
  logging_steps: number;
  max_steps: number;
  num_input_tokens_seen: number;
  num_train_epochs: number;
  save_steps: number;
  stateful_callbacks: Record<string, unknown>;
  total_flos: number;
  train_batch_size: number;
  trial_name: string | null;
  trial_params: Record<string, unknown> | null;
}

/** The data-order and dropout counters (rng_state.json); with the seed they fix every later draw. */
export interface RngState {
  seed: number;
  /** Optimizer steps taken; the next micro-batch is `global_step * gradient_accumulation_steps`. */
  global_step: number;
  gradient_accumulation_steps: number;
  per_device_train_batch_size: number;
  /** Epoch of the next step, and how its order is drawn. */
  epoch: number;
  data_order: string;
}

/** File names inside a checkpoint. */
export const CHECKPOINT_FILES = {
  trainerState: 'trainer_state.json', rngState: 'rng_state.json', optimizer: 'optimizer.safetensors',
  trainingArgs: 'training_args.json', fullWeights: 'model.safetensors',
} as const;

/** HF's folder name for the checkpoint of `step`. */
export const checkpointDir = (step: number): string => `checkpoint-${step}`;

/** The trainer state of a run. */
export function trainerState(
  c: TrainConfig, o: { globalStep: number; epoch: number; plan: Pick<DataPlan, 'totalSteps' | 'stepsPerEpoch'>; logHistory: LogEntry[]; tokensSeen: number },
): TrainerState {
  return {
    best_global_step: null, best_metric: null, best_model_checkpoint: null, epoch: o.epoch, eval_steps: c.eval_steps ?? null,
    global_step: o.globalStep, is_hyper_param_search: false, is_local_process_zero: true, is_world_process_zero: true,
    log_history: o.logHistory, logging_steps: c.logging_steps, max_steps: o.plan.totalSteps, num_input_tokens_seen: o.tokensSeen,
    num_train_epochs: Math.ceil(o.plan.totalSteps / o.plan.stepsPerEpoch), save_steps: c.save_steps, stateful_callbacks: {}, total_flos: 0,
    train_batch_size: c.per_device_train_batch_size, trial_name: null, trial_params: null,
  };
}

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

/** What the trained weights are: a LoRA adapter, or full weights (with the base folder's small files). */
export type TrainedWeights =
  | { kind: 'lora'; adapter: LoraAdapter }
  | { kind: 'full'; weights: Map<string, { shape: number[]; data: Float32Array }>; modelFiles: Record<string, Uint8Array> };

/** The files of trained weights: PEFT adapter files, or model.safetensors plus config and tokenizer files. */
export function weightFiles(w: TrainedWeights): Record<string, Uint8Array | string> {
  if (w.kind === 'lora') return adapterFiles(w.adapter);
  const tensors = Object.fromEntries([...w.weights].map(([n, t]) => [n, t]));
  return { ...w.modelFiles, [CHECKPOINT_FILES.fullWeights]: writeSafetensors(tensors) };
}

/** The model folder files a full-weights output copies (everything but the weights). */
export const MODEL_SIDE_FILES = [
  'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json', 'chat_template.jinja',
] as const;

/** Read the small files of a model folder (to make a full-weights output loadable by itself). */
export async function modelSideFiles(src: FileSource): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of MODEL_SIDE_FILES) if (await src.has(f)) out[f] = await src.read(f);
  return out;
}

/** Everything a checkpoint holds. */
export interface CheckpointData {
  weights: TrainedWeights;
  /** AdamW first and second moments by parameter name. */
  moments: Map<string, { shape: number[]; m: Float32Array; v: Float32Array }>;
  state: TrainerState;
  rng: RngState;
  config: TrainConfig;
}

/** Write `checkpoint-<step>/` (every file) through the sink; returns the paths written. */
export async function writeCheckpoint(sink: OutputSink, dir: string, d: CheckpointData): Promise<string[]> {
  const files: Record<string, Uint8Array | string> = { ...weightFiles(d.weights) };
  const opt: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [n, t] of d.moments) {
    opt[`exp_avg.${n}`] = { shape: t.shape, data: t.m };
    opt[`exp_avg_sq.${n}`] = { shape: t.shape, data: t.v };
  }
  files[CHECKPOINT_FILES.optimizer] = writeSafetensors(opt, { format: 'prefstudio-adamw', step: String(d.state.global_step) });
  files[CHECKPOINT_FILES.trainerState] = json(d.state);
  files[CHECKPOINT_FILES.rngState] = json(d.rng);
  files[CHECKPOINT_FILES.trainingArgs] = json(d.config);
  const written: string[] = [];
  for (const [p, data] of Object.entries(files)) {
    await sink.write(`${dir}/${p}`, data);
    written.push(`${dir}/${p}`);
  }
  return written;
}

/** A checkpoint read back: the trained parameters by name, their moments, the states. */
export interface LoadedCheckpoint {
  /** LoRA: the adapter (its config replaces the run's lora_* settings). Full: null. */
  adapter: LoraAdapter | null;
  params: Map<string, Float32Array>;
  moments: Map<string, { m: Float32Array; v: Float32Array }>;
  state: TrainerState;
  rng: RngState;
}

/** Read a checkpoint folder for `paramNames` (LoRA keys or HF weight names); errors name the missing piece. */
export async function readCheckpoint(
  src: FileSource, o: { lora: boolean; linears: readonly LinearInfo[]; outputModule: string; paramNames?: readonly string[] },
): Promise<LoadedCheckpoint> {
  const state = (await readJson(src, CHECKPOINT_FILES.trainerState)) as TrainerState;
  if (typeof state?.global_step !== 'number') throw new Error(`${src.label}/${CHECKPOINT_FILES.trainerState}: no global_step`);
  const rng = (await readJson(src, CHECKPOINT_FILES.rngState)) as RngState;
  const params = new Map<string, Float32Array>();
  let adapter: LoraAdapter | null = null;
  if (o.lora) {
    adapter = await loadPeftAdapter(src, { linears: o.linears, outputModule: o.outputModule });
    for (const t of adapter.tensors()) params.set(t.key, t.data);
  } else {
    const store = await WeightStore.open(src, CHECKPOINT_FILES.fullWeights);
    for (const n of o.paramNames ?? store.names()) params.set(n, await store.readFloat32(n));
  }
  const opt = await WeightStore.open(src, CHECKPOINT_FILES.optimizer);
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const n of params.keys()) {
    if (!opt.has(`exp_avg.${n}`) || !opt.has(`exp_avg_sq.${n}`)) throw new Error(`${src.label}/${CHECKPOINT_FILES.optimizer}: no moments for '${n}'`);
    moments.set(n, { m: await opt.readFloat32(`exp_avg.${n}`), v: await opt.readFloat32(`exp_avg_sq.${n}`) });
  }
  return { adapter, params, moments, state, rng };
}

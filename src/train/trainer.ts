// The offline preference trainer (DPO, ORPO, ADPO, SFT) with HF Trainer / TRL semantics: epochs or
// max_steps, batch size, gradient accumulation, learning-rate schedule with warmup, clipping,
// weight decay, logging windows, checkpoints, resume, evaluation, one seed for everything.
//
// Shapes: every batch of a run is padded to ONE length bucket (the longest tokenized row over the
// training and evaluation examples, rounded up to a multiple of 16 and capped by max_length and the
// model's positions), and the row count is a symbolic dim, so a single session per graph serves the
// whole run, the smaller last batch of an epoch included.
//
// Reference log-probs (DPO, ADPO) come from the same weights with the adapter off (LoRA) or the
// initial weights (full fine-tuning). With `precompute_ref_log_probs` (default) they are computed
// once per example before training and fed as batch inputs; otherwise the training graph holds a
// second, gradient-free forward (on the same weight inputs for LoRA; on a frozen copy of the
// initial weights for full fine-tuning).
import { Graph, type Tensor, GraphSession, neg, readFloat, tensor, toDevice } from '../engine';
import { learningRate, type ScheduleConfig } from '../engine/optim/schedule';
import { type HostTensor, type OptimizerConfig, StepRunner, buildTrainStep, initialState, stateNames } from '../engine/train-step';
import { type LoraAdapter, loraDropoutMask } from '../models/lora';
import { type LoadedCheckpoint, type TrainedWeights, checkpointDir, modelSideFiles, readCheckpoint, trainerState, weightFiles, writeCheckpoint, CHECKPOINT_FILES } from './checkpoint';
import { type TrainConfig } from './config';
import {
  type BatchFeeds, type PreparedExample, FeatureSource, batchLayout, buildBatch, dataPlan, epochAfter, microBatchIndices,
  prepareExample, resolveDim, runLength, sequentialBatches,
} from './data';
import { type LossSetup, REF_INPUTS, type ReferenceMode, buildEvalGraph, buildReferenceGraph, refWeightName, trainSpec } from './graphs';
import { type LogEntry, type TrainExample, type TrainIo, collect } from './io';
import { needsReference, rowLayoutOf } from './objective';
import { adapterFor, frozenInFullFinetune, loadSetup, noWeightDecay } from './setup';

/** What a run reports when it returns. */
export interface TrainSummary {
  /** Optimizer steps completed (HF `global_step`). */
  globalStep: number;
  totalSteps: number;
  epoch: number;
  /** True when `shouldStop` ended the run early (after saving a checkpoint). */
  stopped: boolean;
  /** Mean loss over the steps this call ran (HF `train_loss`). */
  trainLoss: number;
  runtimeSeconds: number;
  /** Every logged entry (resumed runs start with the checkpoint's history), as trainer_state.json. */
  logHistory: LogEntry[];
  /** Paths written under output_dir. */
  files: string[];
  /** The run's fixed input length (positions per row). */
  length: number;
  trainableParameters: number;
  /** How the reference log-probs were obtained. */
  reference: ReferenceMode;
}

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;
const toTensor = (io: TrainIo, h: HostTensor): Tensor => tensor(io.ort, h.dtype, h.data, h.dims);

/** Run one training job: `config` as TRL/HF name it, I/O through `io`. */
export async function train(config: TrainConfig, io: TrainIo): Promise<TrainSummary> {
  // NOTE: onnxruntime-web creates its WebGPU device with the first WebGPU session, and frozen
  // weights are uploaded (toDevice) before this run's sessions exist: hold a trivial one open.
  let hold: GraphSession | null = null;
  if (io.backend === 'webgpu') {
    const g = new Graph('webgpu_device');
    g.output('y', neg(g.input('x', 'float32', [1])));
    hold = await GraphSession.create(io.ort, g, { backend: 'webgpu' });
  }
  try {
    return await runTraining(config, io);
  } finally {
    await hold?.release();
  }
}

async function runTraining(config: TrainConfig, io: TrainIo): Promise<TrainSummary> {
  const t0 = Date.now();
  const c = config;
  if (c.adapter_path && !io.adapter) throw new Error(`adapter_path '${c.adapter_path}' is set but no adapter folder was given (TrainIo.adapter)`);
  if (c.resume_from_checkpoint && !io.resume) throw new Error(`resume_from_checkpoint '${c.resume_from_checkpoint}' is set but no checkpoint folder was given (TrainIo.resume)`);
  const setup = await loadSetup(io.model, c);
  const rows = rowLayoutOf(c.trainer);
  const prepare = (xs: TrainExample[]) => xs.map((ex, i) => prepareExample(ex, i, setup, c, rows));
  const trainSet = prepare(await collect(io.examples));
  const evalSet = io.evalExamples && c.eval_steps ? prepare(await collect(io.evalExamples)) : [];
  const length = runLength([trainSet, evalSet], setup);
  const layout = batchLayout(rows, length, setup, [...trainSet, ...evalSet]);
  const plan = dataPlan(c, trainSet.length);
  const features = setup.whisper ? new FeatureSource(setup, io.loadAudio) : null;

  // What is trained: LoRA A/B (fresh, from --adapter_path, or from the checkpoint) or every weight.
  let resumed: LoadedCheckpoint | null = null;
  let adapter: LoraAdapter | null = null;
  if (io.resume) {
    const paramNames = c.use_peft ? undefined : setup.specs.filter((w) => !frozenInFullFinetune(w.name)).map((w) => w.name);
    resumed = await readCheckpoint(io.resume, { lora: c.use_peft, linears: setup.linears, outputModule: setup.outputModule, paramNames });
    adapter = resumed.adapter;
  } else if (c.use_peft) {
    adapter = await adapterFor(setup, c, io.adapter);
  }
  const trainable = new Map<string, HostTensor>();
  if (adapter) {
    for (const t of adapter.tensors()) trainable.set(t.key, { dtype: 'float32', data: Float32Array.from(t.data), dims: t.shape });
  } else {
    for (const w of setup.specs) {
      if (frozenInFullFinetune(w.name)) continue;
      const data = resumed?.params.get(w.name) ?? setup.weights.get(w.name)!;
      trainable.set(w.name, { dtype: 'float32', data: Float32Array.from(data), dims: w.shape });
    }
  }

  // Frozen inputs, uploaded once and shared by every session (reference, train, eval).
  const frozen: Record<string, Tensor> = {};
  for (const w of setup.specs) {
    if (trainable.has(w.name)) continue;
    frozen[w.name] = await toDevice(io.ort, io.backend, tensor(io.ort, 'float32', setup.weights.get(w.name)!, w.shape));
  }
  const wantRef = needsReference(c.trainer);
  const reference: ReferenceMode = !wantRef ? 'none' : c.precompute_ref_log_probs ? 'inputs' : adapter ? 'adapter-off' : 'weights';
  if (reference === 'weights') {
    for (const w of setup.specs) frozen[refWeightName(w.name)] = await toDevice(io.ort, io.backend, tensor(io.ort, 'float32', setup.weights.get(w.name)!, w.shape));
  }
  const loss: LossSetup = { model: setup.model, layout, objective: c, reference, adapter };

  // Reference log-probs, once per example (TRL's precompute_ref_log_probs).
  let refs: { train: RefLogps; eval: RefLogps } | null = null;
  if (reference === 'inputs') {
    const session = await GraphSession.create(io.ort, buildReferenceGraph(setup.model, setup.specs, layout), { backend: io.backend });
    try {
      // LoRA: the shared base weights (adapter off). Full fine-tuning: the initial weights, also
      // when resuming (the trainable copies in `trainable` may hold a checkpoint's values).
      const weightFeeds: Record<string, Tensor> = { ...frozen };
      const uploaded: Tensor[] = [];
      for (const [n, h] of trainable) {
        if (adapter) continue;
        const t = await toDevice(io.ort, io.backend, tensor(io.ort, 'float32', setup.weights.get(n)!, h.dims));
        weightFeeds[n] = t;
        uploaded.push(t);
      }
      const total = Math.ceil(trainSet.length / plan.batchSize) + Math.ceil(evalSet.length / plan.batchSize);
      let done = 0;
      const pass = async (set: PreparedExample[]): Promise<RefLogps> => {
        const out = { chosen: new Float32Array(set.length), rejected: new Float32Array(set.length) };
        for (const idx of sequentialBatches(set.length, plan.batchSize)) {
          const b = await buildBatch(set, idx, layout, setup.padId, features);
          const res = await session.run({ ...pick(session, weightFeeds), ...hostFeeds(io, b.feeds) });
          const lc = await readFloat(res[REF_INPUTS.chosen]);
          const lr = await readFloat(res[REF_INPUTS.rejected]);
          idx.forEach((e, k) => { out.chosen[e] = lc[k]; out.rejected[e] = lr[k]; });
          io.onProgress?.({ step: ++done, totalSteps: total, epoch: 0, phase: 'reference' });
        }
        return out;
      };
      refs = { train: await pass(trainSet), eval: await pass(evalSet) };
      for (const t of uploaded) if (t.location === 'gpu-buffer') t.dispose();
    } finally {
      await session.release();
    }
  }

  // The training step graphs and their runner.
  const shapes = new Map([...trainable].map(([n, h]) => [n, h.dims]));
  const { spec, dropoutInputs } = trainSpec(loss, setup.specs, shapes);
  const schedule: ScheduleConfig = { type: c.lr_scheduler_type, lr: c.learning_rate, totalSteps: plan.totalSteps, warmupSteps: c.warmup_steps, warmupRatio: c.warmup_ratio };
  const optimizer: OptimizerConfig = {
    schedule, beta1: c.adam_beta1, beta2: c.adam_beta2, eps: c.adam_epsilon, weightDecay: c.weight_decay,
    noDecay: adapter ? undefined : noWeightDecay, maxGradNorm: c.max_grad_norm, gradientAccumulationSteps: c.gradient_accumulation_steps,
  };
  const steps = buildTrainStep(spec, optimizer);
  const state = initialState(steps, Object.fromEntries(trainable));
  if (resumed) {
    for (const [n, mv] of resumed.moments) {
      if (!trainable.has(n)) continue;
      state[stateNames.m(n)] = { dtype: 'float32', data: mv.m, dims: trainable.get(n)!.dims };
      state[stateNames.v(n)] = { dtype: 'float32', data: mv.v, dims: trainable.get(n)!.dims };
    }
  }
  const startStep = resumed?.state.global_step ?? 0;
  const runner = await StepRunner.create(io.ort, steps, { backend: io.backend, state, frozen, startStep });
  const dropoutP = adapter?.config.loraDropout ?? 0;
  const drops = dropoutInputs();

  const logHistory: LogEntry[] = resumed ? [...resumed.state.log_history] : [];
  let tokensSeen = resumed?.state.num_input_tokens_seen ?? 0;
  const files: string[] = [];
  const write = async (path: string, data: Uint8Array | string) => { await io.output.write(path, data); files.push(path); };
  // metrics.jsonl starts empty, or from a resumed checkpoint's history (steps after it are redone).
  await write('metrics.jsonl', logHistory.filter(isStepLog).map((e) => `${JSON.stringify(e)}\n`).join(''));

  const modelFiles = adapter ? {} : await modelSideFiles(io.model);
  const trainedWeights = async (): Promise<TrainedWeights> => {
    const p = await runner.exportParams();
    if (adapter) return { kind: 'lora', adapter: adapter.withTensors(new Map(Object.entries(p).map(([k, h]) => [k, h.data as Float32Array]))) };
    const weights = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const w of setup.specs) weights.set(w.name, { shape: w.shape, data: (p[w.name]?.data as Float32Array | undefined) ?? setup.weights.get(w.name)! });
    return { kind: 'full', weights, modelFiles };
  };
  const rngState = (step: number) => ({
    seed: c.seed, global_step: step, gradient_accumulation_steps: c.gradient_accumulation_steps, per_device_train_batch_size: c.per_device_train_batch_size,
    epoch: Math.floor(step / plan.stepsPerEpoch), data_order: 'Rng(seed).fork(`data:${epoch}`).permutation(n); dropout: loraDropoutMask(seed, micro_step, input)',
  });
  const saveCheckpoint = async (step: number) => {
    io.onProgress?.({ step, totalSteps: plan.totalSteps, epoch: epochAfter(plan, step), phase: 'save' });
    const moments = new Map<string, { shape: number[]; m: Float32Array; v: Float32Array }>();
    for (const [n, h] of trainable) moments.set(n, { shape: h.dims, m: await runner.read(stateNames.m(n)), v: await runner.read(stateNames.v(n)) });
    const st = trainerState(c, { globalStep: step, epoch: epochAfter(plan, step), plan, logHistory, tokensSeen });
    files.push(...await writeCheckpoint(io.output, checkpointDir(step), { weights: await trainedWeights(), moments, state: st, rng: rngState(step), config: c }));
  };

  // Evaluation (every eval_steps when evaluation examples are given).
  const evalHolder: { s: { session: GraphSession; metricNames: string[] } | null } = { s: null };
  const evaluate = async (step: number): Promise<LogEntry> => {
    if (!evalHolder.s) {
      const { graph, metricNames } = buildEvalGraph(loss, setup.specs);
      evalHolder.s = { session: await GraphSession.create(io.ort, graph, { backend: io.backend }), metricNames };
    }
    const { session, metricNames } = evalHolder.s;
    const e0 = Date.now();
    const params: Record<string, Tensor> = {};
    for (const [n, h] of trainable) params[n] = tensor(io.ort, 'float32', await runner.read(stateNames.param(n)), h.dims);
    const sums: Record<string, number> = {};
    let lossSum = 0;
    let batches = 0;
    for (const idx of sequentialBatches(evalSet.length, plan.batchSize)) {
      const b = await buildBatch(evalSet, idx, layout, setup.padId, features);
      if (refs) addRefs(b, refs.eval, idx);
      const res = await session.run(pick(session, { ...frozen, ...params, ...hostFeeds(io, b.feeds) }));
      for (const n of metricNames) {
        const v = (await readFloat(res[n]))[0];
        if (n === 'loss') lossSum += v * idx.length; else sums[n] = (sums[n] ?? 0) + v;
      }
      batches++;
    }
    const secs = (Date.now() - e0) / 1000;
    const entry: LogEntry = { eval_loss: lossSum / evalSet.length };
    for (const n of metricNames) if (n !== 'loss') entry[`eval_${n}`] = sums[n] / batches;
    Object.assign(entry, {
      eval_runtime: secs, eval_samples_per_second: evalSet.length / Math.max(secs, 1e-9), eval_steps_per_second: batches / Math.max(secs, 1e-9),
      epoch: epochAfter(plan, step), step,
    });
    return entry;
  };

  // The loop.
  const microBatch = async (step: number, j: number): Promise<Record<string, HostTensor>> => {
    const { indices } = microBatchIndices(plan, c.seed, step, j);
    const b = await buildBatch(trainSet, indices, layout, setup.padId, features);
    if (refs) addRefs(b, refs.train, indices);
    const micro = step * plan.accumulation + j;
    for (const d of drops) {
      const dims = d.value.shape.map((x) => resolveDim(x, { batch: b.batch, rows: b.rows }));
      const size = dims.reduce((p, q) => p * q, 1);
      b.feeds[d.name] = { dtype: 'float32', data: loraDropoutMask(c.seed, micro, d.name, size, dropoutP), dims };
    }
    tokensSeen += b.tokens;
    return b.feeds;
  };
  const window = { steps: 0, loss: 0, metrics: {} as Record<string, number> };
  let runLossSum = 0;
  let runSteps = 0;
  let stopped = false;
  let step = startStep;
  try {
    while (step < plan.totalSteps) {
      const micro: Record<string, HostTensor>[] = [];
      for (let j = 0; j < plan.accumulation; j++) micro.push(await microBatch(step, j));
      const log = await runner.trainStep(micro);
      step = log.step;
      runLossSum += log.loss;
      runSteps++;
      window.steps++;
      window.loss += log.loss;
      for (const [k, v] of Object.entries(log.metrics)) if (k !== 'loss') window.metrics[k] = (window.metrics[k] ?? 0) + v;
      const epoch = epochAfter(plan, step);
      io.onProgress?.({ step, totalSteps: plan.totalSteps, epoch, phase: 'train' });
      if (step % c.logging_steps === 0) {
        const entry: LogEntry = { loss: window.loss / window.steps, grad_norm: log.grad_norm, learning_rate: learningRate(schedule, step) };
        for (const [k, v] of Object.entries(window.metrics)) entry[k] = v / window.steps;
        if (c.trainer === 'sft') entry.num_tokens = tokensSeen;
        entry.epoch = epoch;
        entry.step = step;
        logHistory.push(entry);
        await io.output.append('metrics.jsonl', `${JSON.stringify(entry)}\n`);
        io.onLog?.(entry);
        window.steps = 0;
        window.loss = 0;
        window.metrics = {};
      }
      if (evalSet.length && c.eval_steps && step % c.eval_steps === 0) {
        io.onProgress?.({ step, totalSteps: plan.totalSteps, epoch, phase: 'eval' });
        const entry = await evaluate(step);
        logHistory.push(entry);
        io.onLog?.(entry);
      }
      const last = step >= plan.totalSteps;
      const stop = !last && (io.shouldStop?.() ?? false);
      if (step % c.save_steps === 0 || last || stop) await saveCheckpoint(step);
      if (stop) { stopped = true; break; }
    }
    const epoch = epochAfter(plan, step);
    const runtime = (Date.now() - t0) / 1000;
    const trainLoss = runSteps ? runLossSum / runSteps : NaN;
    if (!stopped) {
      logHistory.push({
        train_runtime: runtime, train_samples_per_second: (plan.totalSteps * plan.batchSize * plan.accumulation) / Math.max(runtime, 1e-9),
        train_steps_per_second: plan.totalSteps / Math.max(runtime, 1e-9), total_flos: 0, train_loss: trainLoss, epoch, step,
      });
      // The final model in output_dir (trainer.save_model) and the run's state (trainer.save_state).
      for (const [p, d] of Object.entries(weightFiles(await trainedWeights()))) await write(p, d);
      await write(CHECKPOINT_FILES.trainingArgs, json(c));
    }
    await write(CHECKPOINT_FILES.trainerState, json(trainerState(c, { globalStep: step, epoch, plan, logHistory, tokensSeen })));
    return {
      globalStep: step, totalSteps: plan.totalSteps, epoch, stopped, trainLoss, runtimeSeconds: runtime, logHistory, files: [...new Set(files)],
      length, trainableParameters: [...trainable.values()].reduce((n, h) => n + h.data.length, 0), reference,
    };
  } finally {
    await runner.release();
    await evalHolder.s?.session.release();
    for (const t of Object.values(frozen)) if (t.location === 'gpu-buffer') t.dispose();
  }
}

/** Summed completion log-probs of every example under the reference (chosen and rejected rows). */
interface RefLogps { chosen: Float32Array; rejected: Float32Array }

function addRefs(b: BatchFeeds, r: RefLogps, indices: readonly number[]): void {
  b.feeds[REF_INPUTS.chosen] = { dtype: 'float32', data: Float32Array.from(indices, (i) => r.chosen[i]), dims: [indices.length] };
  b.feeds[REF_INPUTS.rejected] = { dtype: 'float32', data: Float32Array.from(indices, (i) => r.rejected[i]), dims: [indices.length] };
}

function hostFeeds(io: TrainIo, feeds: Record<string, HostTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([n, h]) => [n, toTensor(io, h)]));
}

/** The feeds a session takes (onnxruntime-web rejects unknown input names). */
function pick(s: GraphSession, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const want = new Set(s.session.inputNames);
  return Object.fromEntries(Object.entries(feeds).filter(([n]) => want.has(n)));
}

/** A training log entry (not an eval entry or the final summary). */
const isStepLog = (e: LogEntry): boolean => 'loss' in e && 'step' in e;

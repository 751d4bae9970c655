// Training-step graphs from a loss function: forward + gradients + (accumulate | clip + AdamW),
// with parameters, moments and accumulators as inputs and their updates as `<input>.next`
// outputs, so `runWithState` carries them (on WebGPU they stay on the GPU as gpu-buffer outputs).
import { type DType, type TensorData, allocData, isFloat } from './dtype';
import { gradients } from './autodiff';
import { Graph, type Shape, type Value } from './graph';
import { add, mul, zerosLike } from './ops';
import { adamwUpdate, clipByGlobalNorm, globalNorm, learningRate, learningRateGraph, type ScheduleConfig } from './optim';
import { type Backend, GraphSession, type Ort, type Tensor, parsePlacements, readFloat, runWithState, tensor, toDevice } from './session';

/** Plain tensor data (typed array + dims): crosses a worker boundary with postMessage. */
export interface HostTensor { dtype: DType; data: TensorData; dims: number[] }

/** The type of one graph input. */
export interface InputSpec { dtype: DType; shape: Shape }

/** What the loss function sees: graph values by name. */
export interface LossInputs {
  graph: Graph;
  params: Record<string, Value>;
  frozen: Record<string, Value>;
  batch: Record<string, Value>;
}

/** A scalar loss and optional named scalar metrics (computed from the same forward pass). */
export interface LossOutput { loss: Value; metrics?: Record<string, Value> }

/** The model side of a training step. */
export interface TrainStepSpec {
  /** Trainable float32 parameters with static shapes. */
  params: Record<string, InputSpec>;
  /** Inputs fed every step but never updated (frozen base weights). */
  frozen?: Record<string, InputSpec>;
  /** Per-step data (token ids, masks, targets); dims may be symbolic. */
  batch: Record<string, InputSpec>;
  loss: (x: LossInputs) => LossOutput;
}

/** The optimizer side, with HF TrainingArguments' meanings and defaults. */
export interface OptimizerConfig {
  /** Learning rate and its schedule (`learning_rate`, `lr_scheduler_type`, warmup). */
  schedule: ScheduleConfig;
  /** 'schedule': lr computed in the graph from `step`; 'input': fed as the scalar input `lr`. */
  lrFrom?: 'schedule' | 'input';
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Parameters exempt from weight decay (HF exempts biases and norm weights). */
  noDecay?: (name: string) => boolean;
  /** `max_grad_norm` (HF default 1); 0 disables clipping, `grad_norm` is still reported. */
  maxGradNorm?: number;
  /** `gradient_accumulation_steps`: micro-batches per optimizer step. */
  gradientAccumulationSteps?: number;
}

/** Input names of the optimizer state of parameter `name`. */
export const stateNames = {
  param: (name: string): string => `params.${name}`,
  m: (name: string): string => `adam_m.${name}`,
  v: (name: string): string => `adam_v.${name}`,
  acc: (name: string): string => `grad_acc.${name}`,
};

/** The output name that carries the next value of input `name`. */
export const nextName = (name: string): string => `${name}.next`;

/** One graph of a training step and how its state flows. */
export interface StepGraph {
  graph: Graph;
  /** output name -> input name, for `runWithState`. */
  carry: Record<string, string>;
  /** Outputs that are state (kept on the GPU on WebGPU). */
  stateOutputs: string[];
}

/** The graphs of a training step: one fused graph, or a micro-step and an apply graph. */
export type TrainStepGraphs = {
  paramNames: string[];
  /** Names of the metric outputs from the loss function ('loss' first). */
  metricNames: string[];
  optimizer: OptimizerConfig;
} & ({ kind: 'fused'; fused: StepGraph } | { kind: 'accumulate'; accumulation: number; micro: StepGraph; apply: StepGraph });

const RESERVED = new Set(['loss', 'grad_norm', 'learning_rate', 'step', 'lr']);

function declareInputs(g: Graph, specs: Record<string, InputSpec>, rename: (n: string) => string = (n) => n): Record<string, Value> {
  return Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, g.input(rename(n), s.dtype, s.shape)]));
}

function checkSpec(spec: TrainStepSpec): void {
  for (const [n, s] of Object.entries(spec.params)) {
    if (s.dtype !== 'float32') throw new Error(`trainable parameter '${n}' must be float32, got ${s.dtype}`);
    if (s.shape.some((d) => typeof d !== 'number')) throw new Error(`trainable parameter '${n}' needs a static shape`);
  }
  for (const n of [...Object.keys(spec.frozen ?? {}), ...Object.keys(spec.batch)]) {
    if (RESERVED.has(n)) throw new Error(`input name '${n}' is reserved by the training step`);
  }
}

/** Forward and backward: the loss, its metrics and the gradient of every parameter. */
function forwardBackward(g: Graph, spec: TrainStepSpec, params: Record<string, Value>) {
  const frozen = declareInputs(g, spec.frozen ?? {});
  const batch = declareInputs(g, spec.batch);
  const { loss, metrics = {} } = spec.loss({ graph: g, params, frozen, batch });
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new Error(`the loss must be a float scalar, got [${loss.shape}] ${loss.dtype}`);
  for (const n of Object.keys(metrics)) if (RESERVED.has(n)) throw new Error(`metric name '${n}' is reserved`);
  const names = Object.keys(params);
  const grads = gradients(loss, names.map((n) => params[n]));
  return { loss, metrics, grads };
}

/** Clip, then AdamW; emits params/m/v `.next` outputs, `grad_norm` and `learning_rate`. */
function optimizerStep(g: Graph, o: OptimizerConfig, names: string[], params: Record<string, Value>, grads: Value[]): string[] {
  const m = names.map((n) => g.input(stateNames.m(n), 'float32', params[n].shape));
  const v = names.map((n) => g.input(stateNames.v(n), 'float32', params[n].shape));
  const step = g.input('step', 'float32', []);
  const lr = (o.lrFrom ?? 'schedule') === 'schedule' ? learningRateGraph(o.schedule, step) : g.input('lr', 'float32', []);
  const maxNorm = o.maxGradNorm ?? 1;
  const clipped = maxNorm > 0 ? clipByGlobalNorm(grads, maxNorm) : { grads, norm: globalNorm(grads) };
  const wd = o.weightDecay ?? 0;
  const upd = adamwUpdate(names.map((n) => params[n]), clipped.grads, m, v, {
    lr, step: add(step, 1), beta1: o.beta1, beta2: o.beta2, eps: o.eps,
    weightDecay: names.map((n) => (o.noDecay?.(n) ? 0 : wd)),
  });
  const state: string[] = [];
  names.forEach((n, i) => {
    for (const [input, val] of [[stateNames.param(n), upd.params[i]], [stateNames.m(n), upd.m[i]], [stateNames.v(n), upd.v[i]]] as const) {
      g.output(nextName(input), val);
      state.push(nextName(input));
    }
  });
  g.output('grad_norm', clipped.norm);
  g.output('learning_rate', lr);
  return state;
}

function outputMetrics(g: Graph, loss: Value, metrics: Record<string, Value>): void {
  g.output('loss', loss);
  for (const [n, v] of Object.entries(metrics)) g.output(n, v);
}

function stepGraph(graph: Graph, stateOutputs: string[]): StepGraph {
  return { graph, stateOutputs, carry: Object.fromEntries(stateOutputs.map((o) => [o, o.slice(0, -'.next'.length)])) };
}

/** Build the training-step graph(s) for `spec` under optimizer config `o`. */
export function buildTrainStep(spec: TrainStepSpec, o: OptimizerConfig): TrainStepGraphs {
  checkSpec(spec);
  const names = Object.keys(spec.params);
  const accumulation = o.gradientAccumulationSteps ?? 1;
  if (!Number.isInteger(accumulation) || accumulation < 1) throw new Error(`gradientAccumulationSteps must be a positive integer, got ${accumulation}`);
  let metricNames: string[] = [];
  const base = { paramNames: names, optimizer: o };

  if (accumulation === 1) {
    const g = new Graph('train_step');
    const params = declareInputs(g, spec.params, stateNames.param);
    const { loss, metrics, grads } = forwardBackward(g, spec, params);
    metricNames = ['loss', ...Object.keys(metrics)];
    const state = optimizerStep(g, o, names, params, grads);
    outputMetrics(g, loss, metrics);
    return { ...base, metricNames, kind: 'fused', fused: stepGraph(g, state) };
  }

  // Micro-step: acc <- acc + grad. The apply graph averages, clips, steps and zeroes acc.
  const mg = new Graph('train_micro_step');
  const mParams = declareInputs(mg, spec.params, stateNames.param);
  const { loss, metrics, grads } = forwardBackward(mg, spec, mParams);
  metricNames = ['loss', ...Object.keys(metrics)];
  const microState = names.map((n, i) => {
    const acc = mg.input(stateNames.acc(n), 'float32', spec.params[n].shape);
    mg.output(nextName(acc.name), add(acc, grads[i]));
    return nextName(acc.name);
  });
  outputMetrics(mg, loss, metrics);

  const ag = new Graph('train_apply_step');
  const aParams = declareInputs(ag, spec.params, stateNames.param);
  const accs = names.map((n) => ag.input(stateNames.acc(n), 'float32', spec.params[n].shape));
  // NOTE: the mean of micro-batch gradients equals the gradient of the concatenated batch only
  // when every micro-batch has the same weight in the total loss (equal sizes, mean losses).
  const mean = accs.map((a) => mul(a, 1 / accumulation));
  const applyState = optimizerStep(ag, o, names, aParams, mean);
  for (const a of accs) {
    ag.output(nextName(a.name), zerosLike(a));
    applyState.push(nextName(a.name));
  }
  return { ...base, metricNames, kind: 'accumulate', accumulation, micro: stepGraph(mg, microState), apply: stepGraph(ag, applyState) };
}

/** Zero-filled host tensor. */
export function zerosHost(dims: number[], dtype: DType = 'float32'): HostTensor {
  return { dtype, dims: [...dims], data: allocData(dtype, dims.reduce((a, b) => a * b, 1)) };
}

/** The full initial state: the given parameters plus zero moments (and accumulators). */
export function initialState(steps: TrainStepGraphs, params: Record<string, HostTensor>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const n of steps.paramNames) {
    const p = params[n];
    if (!p) throw new Error(`initialState: no value for parameter '${n}'`);
    out[stateNames.param(n)] = p;
    out[stateNames.m(n)] = zerosHost(p.dims);
    out[stateNames.v(n)] = zerosHost(p.dims);
    if (steps.kind === 'accumulate') out[stateNames.acc(n)] = zerosHost(p.dims);
  }
  return out;
}

/** What one optimizer step reports (metrics are means over its micro-steps). */
export interface StepLog {
  /** Optimizer steps completed after this one (HF `global_step`). */
  step: number;
  loss: number;
  grad_norm: number;
  /** The learning rate this update used (HF logs the next one: `learningRate(schedule, step)`). */
  lr: number;
  metrics: Record<string, number>;
}

/** Options for `StepRunner.create`. */
export interface StepRunnerOptions {
  backend: Backend;
  /** Parameters, moments (and accumulators): see `initialState`. */
  state: Record<string, HostTensor>;
  /** Frozen inputs, uploaded once (GPU tensors on WebGPU). */
  frozen?: Record<string, HostTensor | Tensor>;
  /** Optimizer steps already taken (to resume). */
  startStep?: number;
  /** Ask ORT for its node-placement log (see `StepRunner.fallbacks`). */
  logPlacement?: boolean;
}

const isHost = (t: HostTensor | Tensor): t is HostTensor => 'dims' in t && !('location' in t);

/** Owns the sessions and the state of a training run; runs optimizer steps. */
export class StepRunner {
  private constructor(
    readonly ort: Ort,
    readonly steps: TrainStepGraphs,
    readonly backend: Backend,
    private readonly sessions: { graph: StepGraph; session: GraphSession }[],
    private readonly state: Map<string, Tensor>,
    private readonly frozen: Record<string, Tensor>,
    /** Optimizer steps taken so far. */
    public stepCount: number,
  ) {}

  /** Open the sessions (state outputs on the GPU when on WebGPU) and load the state. */
  static async create(ort: Ort, steps: TrainStepGraphs, o: StepRunnerOptions): Promise<StepRunner> {
    const graphs = steps.kind === 'fused' ? [steps.fused] : [steps.micro, steps.apply];
    const sessions = [];
    for (const graph of graphs) {
      sessions.push({ graph, session: await GraphSession.create(ort, graph.graph, { backend: o.backend, gpuOutputs: graph.stateOutputs, logPlacement: o.logPlacement }) });
    }
    const state = new Map<string, Tensor>();
    for (const name of new Set(graphs.flatMap((gr) => Object.values(gr.carry)))) {
      const h = o.state[name];
      if (!h) throw new Error(`StepRunner: initial state lacks '${name}'`);
      state.set(name, await toDevice(ort, o.backend, tensor(ort, h.dtype, h.data, h.dims)));
    }
    const frozen: Record<string, Tensor> = {};
    for (const [n, t] of Object.entries(o.frozen ?? {})) {
      frozen[n] = isHost(t) ? await toDevice(ort, o.backend, tensor(ort, t.dtype, t.data, t.dims)) : t;
    }
    return new StepRunner(ort, steps, o.backend, sessions, state, frozen, o.startStep ?? 0);
  }

  /** Run one graph: feeds only its inputs, carries its state outputs back into the state map. */
  private async runGraph(i: number, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const { graph, session } = this.sessions[i];
    const wanted = new Set(session.session.inputNames);
    // runWithState feeds the whole map it is given, and onnxruntime-web rejects unknown inputs:
    // hand it this graph's slice of the state and merge the result back.
    const view = new Map([...this.state].filter(([k]) => wanted.has(k)));
    const own = Object.fromEntries(Object.entries({ ...this.frozen, ...feeds }).filter(([k]) => wanted.has(k)));
    const out = await runWithState(session, own, view, graph.carry);
    for (const [k, t] of view) this.state.set(k, t);
    return out;
  }

  /** One optimizer step over `micro` batches (as many as gradientAccumulationSteps). */
  async trainStep(micro: Record<string, HostTensor>[]): Promise<StepLog> {
    const s = this.steps;
    const want = s.kind === 'fused' ? 1 : s.accumulation;
    if (micro.length !== want) throw new Error(`trainStep: expected ${want} micro-batches, got ${micro.length}`);
    const o = s.optimizer;
    const lr = learningRate(o.schedule, this.stepCount);
    const scalars: Record<string, Tensor> = { step: tensor(this.ort, 'float32', Float32Array.of(this.stepCount), []) };
    if (o.lrFrom === 'input') scalars.lr = tensor(this.ort, 'float32', Float32Array.of(lr), []);
    const sums: Record<string, number> = {};
    let last: Record<string, Tensor> = {};
    for (const b of micro) {
      const feeds = Object.fromEntries(Object.entries(b).map(([n, h]) => [n, tensor(this.ort, h.dtype, h.data, h.dims)]));
      const out = await this.runGraph(0, s.kind === 'fused' ? { ...feeds, ...scalars } : feeds);
      for (const n of s.metricNames) sums[n] = (sums[n] ?? 0) + (await readFloat(out[n]))[0];
      last = out;
    }
    if (s.kind === 'accumulate') last = await this.runGraph(1, scalars);
    this.stepCount++;
    const metrics = Object.fromEntries(s.metricNames.map((n) => [n, sums[n] / micro.length]));
    return { step: this.stepCount, loss: metrics.loss, grad_norm: (await readFloat(last.grad_norm))[0], lr, metrics };
  }

  /** Run `n` optimizer steps; `batchAt(step, micro)` gives each micro-batch. */
  async train(n: number, batchAt: (step: number, micro: number) => Record<string, HostTensor>): Promise<StepLog[]> {
    const per = this.steps.kind === 'fused' ? 1 : this.steps.accumulation;
    const logs: StepLog[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.stepCount;
      logs.push(await this.trainStep([...Array(per).keys()].map((j) => batchAt(k, j))));
    }
    return logs;
  }

  /** The current value of a state tensor (e.g. `params.w`), read back to the CPU. */
  async read(name: string): Promise<Float32Array> {
    const t = this.state.get(name);
    if (!t) throw new Error(`no state tensor '${name}'`);
    return readFloat(t);
  }

  /** Current parameters as host tensors, by parameter name. */
  async exportParams(): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const n of this.steps.paramNames) {
      const t = this.state.get(stateNames.param(n))!;
      out[n] = { dtype: 'float32', data: await readFloat(t), dims: [...t.dims] };
    }
    return out;
  }

  /** Nodes ORT placed off this runner's EP, per graph (needs `logPlacement`; DESIGN.md: a bug on WebGPU). */
  fallbacks(): Record<string, string[]> {
    return Object.fromEntries(this.sessions.map(({ graph, session }) => [graph.graph.name, session.fallbacks()]));
  }
  /** Placement groups ORT logged, per graph: zero means no log was captured, so `fallbacks` proves nothing. */
  placementGroups(): Record<string, number> {
    return Object.fromEntries(this.sessions.map(({ graph, session }) => [graph.graph.name, parsePlacements(session.log).length]));
  }


  /** Release the sessions and any GPU state. */
  async release(): Promise<void> {
    // NOTE: GPU outputs belong to their session's buffer manager: dispose them before releasing it.
    for (const t of this.state.values()) if (t.location === 'gpu-buffer') t.dispose();
    this.state.clear();
    for (const { session } of this.sessions) await session.release();
  }
}

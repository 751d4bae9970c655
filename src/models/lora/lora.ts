// LoRA with PEFT semantics on our graphs: y = W x + b + B(A dropout(x)) * s, attached through the
// model's linear hook, so base weights stay the graph inputs they were (no copy, no merge).
//
// Adapter off (the DPO reference model): build the graph WITHOUT the hook. Both graphs read the
// same base-weight inputs, so the same GPU tensors feed both sessions and nothing is duplicated.
// A training graph that needs policy and reference in one session calls the model builder twice
// on one graph, once with `attachLora(...).hook` and once without; the weight accessor hands both
// calls the same Values. (`gate` below is a second switch for one graph serving both roles.)
import { type Graph, type Value, add, matmul, mul, transposeLast } from '../../engine';
import { linear } from '../../engine/nn';
import { Rng } from '../../engine/random';
import { type LinearHook } from '../types';
import { type LoraConfig, ALL_LINEAR, matchesTarget, moduleHyper } from './config';

/** A linear layer of a model, as its hook sees it. */
export interface LinearInfo {
  /** HF module path (`model.decoder.layers.0.self_attn.q_proj`). */
  name: string;
  inFeatures: number;
  outFeatures: number;
}

/** One adapted module: its shape, rank and scale. */
export interface LoraModule extends LinearInfo {
  r: number;
  alpha: number;
  /** alpha / r, or alpha / sqrt(r) with rslora. */
  scale: number;
}

/** A module's trainable pair: A [r, in] and B [out, r], row-major. */
export interface LoraPair { A: Float32Array; B: Float32Array }

/** PEFT's state-dict key of a module's A or B (adapter name `default` stripped, as PEFT saves). */
export const peftKey = (module: string, which: 'A' | 'B'): string => `base_model.model.${module}.lora_${which}.weight`;

/**
 * Every linear layer a graph builder sends through its hook, in call order (each once). The
 * builder runs on a scratch graph; pass it the hook in its BuildContext.
 */
export function traceLinears(build: (hook: LinearHook) => void): LinearInfo[] {
  const seen = new Map<string, LinearInfo>();
  build((name, x, weight, bias) => {
    const [out, inF] = weight.shape;
    if (typeof out !== 'number' || typeof inF !== 'number') throw new Error(`traceLinears: '${name}' has a weight of unknown shape`);
    if (!seen.has(name)) seen.set(name, { name, inFeatures: inF, outFeatures: out });
    return linear(x, weight, bias);
  });
  return [...seen.values()];
}

/** Options for creating a fresh adapter. */
export interface CreateOptions {
  /** Drives A's init: each module's A comes from `Rng(seed).fork('lora_A:' + name)`. */
  seed: number;
  /**
   * The output head `all-linear` leaves out (PEFT excludes `get_output_embeddings()`). Default:
   * `lm_head` or `proj_out`, whichever the model has.
   */
  outputModule?: string | null;
}

/** The modules `cfg` adapts among `linears`; throws when target_modules matches none (as PEFT does). */
export function selectModules(cfg: LoraConfig, linears: readonly LinearInfo[], outputModule?: string | null): LoraModule[] {
  const head = outputModule !== undefined ? outputModule
    : (linears.find((l) => l.name === 'lm_head' || l.name === 'proj_out')?.name ?? null);
  const picked = linears.filter((l) => matchesTarget(cfg.targetModules, l.name, head));
  if (!picked.length) {
    const t = typeof cfg.targetModules === 'string' ? cfg.targetModules : cfg.targetModules.join(', ');
    throw new Error(`lora: target_modules (${t}) matches no linear layer of the model (e.g. ${linears.slice(0, 3).map((l) => l.name).join(', ')})`);
  }
  return picked.map((l) => ({ ...l, ...moduleHyper(cfg, l.name) }));
}

/** A LoRA adapter: config, adapted modules and their A/B weights (CPU copies). */
export class LoraAdapter {
  private readonly byName: Map<string, LoraModule>;

  constructor(readonly config: LoraConfig, readonly modules: readonly LoraModule[], readonly weights: Map<string, LoraPair>) {
    this.byName = new Map(modules.map((m) => [m.name, m]));
    for (const m of modules) {
      const w = weights.get(m.name);
      if (!w) throw new Error(`lora: no weights for module '${m.name}'`);
      if (w.A.length !== m.r * m.inFeatures) throw new Error(`lora: '${peftKey(m.name, 'A')}' has ${w.A.length} values, expected [${m.r}, ${m.inFeatures}]`);
      if (w.B.length !== m.outFeatures * m.r) throw new Error(`lora: '${peftKey(m.name, 'B')}' has ${w.B.length} values, expected [${m.outFeatures}, ${m.r}]`);
    }
  }

  /**
   * A fresh adapter as PEFT initializes one (`init_lora_weights=True`): A ~ kaiming_uniform(a=sqrt 5)
   * = U(-1/sqrt(in), 1/sqrt(in)), B = 0, so the adapted model starts equal to the base.
   */
  static create(cfg: LoraConfig, linears: readonly LinearInfo[], opts: CreateOptions): LoraAdapter {
    const modules = selectModules(cfg, linears, opts.outputModule);
    const root = new Rng(opts.seed);
    const weights = new Map<string, LoraPair>();
    for (const m of modules) {
      const bound = 1 / Math.sqrt(m.inFeatures);
      weights.set(m.name, { A: root.fork(`lora_A:${m.name}`).uniformArray(m.r * m.inFeatures, -bound, bound), B: new Float32Array(m.outFeatures * m.r) });
    }
    return new LoraAdapter(cfg, modules, weights);
  }

  /** The adapted module named `name`, or undefined. */
  module(name: string): LoraModule | undefined { return this.byName.get(name); }

  /** Tensors by PEFT key with shapes, in module order (A then B): what adapter_model.safetensors holds. */
  tensors(): { key: string; shape: number[]; data: Float32Array }[] {
    return this.modules.flatMap((m) => {
      const w = this.weights.get(m.name)!;
      return [
        { key: peftKey(m.name, 'A'), shape: [m.r, m.inFeatures], data: w.A },
        { key: peftKey(m.name, 'B'), shape: [m.outFeatures, m.r], data: w.B },
      ];
    });
  }

  /** A copy with new A/B values by PEFT key (e.g. read back from a training session). */
  withTensors(values: ReadonlyMap<string, Float32Array>): LoraAdapter {
    const weights = new Map<string, LoraPair>();
    for (const m of this.modules) {
      const A = values.get(peftKey(m.name, 'A')) ?? this.weights.get(m.name)!.A;
      const B = values.get(peftKey(m.name, 'B')) ?? this.weights.get(m.name)!.B;
      weights.set(m.name, { A: Float32Array.from(A), B: Float32Array.from(B) });
    }
    return new LoraAdapter(this.config, this.modules, weights);
  }

  /** Adapted module names, as PEFT resolves `all-linear` in a saved config. */
  get targetNames(): string[] { return this.modules.map((m) => m.name); }

  /** True when the config targets every linear (PEFT's shorthand). */
  get isAllLinear(): boolean { return typeof this.config.targetModules === 'string' && this.config.targetModules.toLowerCase() === ALL_LINEAR; }
}

/** `W + s * B @ A` for one module ([out, in] row-major): the merged weight PEFT's merge_and_unload gives. */
export function mergedWeight(adapter: LoraAdapter, module: string, weight: Float32Array): Float32Array {
  const m = adapter.module(module);
  if (!m) throw new Error(`lora: module '${module}' is not adapted`);
  if (weight.length !== m.outFeatures * m.inFeatures) throw new Error(`lora: '${module}.weight' has ${weight.length} values, expected [${m.outFeatures}, ${m.inFeatures}]`);
  const { A, B } = adapter.weights.get(module)!;
  const out = Float32Array.from(weight);
  for (let o = 0; o < m.outFeatures; o++) {
    for (let k = 0; k < m.r; k++) {
      const b = B[o * m.r + k] * m.scale;
      if (b === 0) continue;
      const row = o * m.inFeatures;
      const arow = k * m.inFeatures;
      for (let i = 0; i < m.inFeatures; i++) out[row + i] += b * A[arow + i];
    }
  }
  return out;
}

/** A dropout-mask input the hook declared: feed it `loraDropoutMask(...)` each step. */
export interface DropoutInput {
  /** Graph input name, `lora_dropout.<module>.<call>`. */
  name: string;
  module: string;
  /** The input's shape, as x's (symbolic dims resolved by the caller at feed time). */
  value: Value;
}

/** Options for attaching an adapter to one graph. */
export interface AttachOptions {
  /**
   * `inputs` (default): A and B become graph inputs named by their PEFT keys (trainable; fed from
   * the optimizer state). `constants`: baked in as initializers (evaluation, generation). A
   * function supplies each Value itself (called once per key and graph).
   */
  params?: 'inputs' | 'constants' | ((key: string, shape: number[]) => Value);
  /**
   * Training graphs: apply `lora_dropout` through mask inputs (one per module call, shaped like
   * the layer input, values 0 or 1/(1-p)). Default false (evaluation). No masks when p = 0.
   */
  dropout?: boolean;
  /** A scalar multiplying every LoRA branch: feed 0 to switch the adapter off in the same session. */
  gate?: Value | null;
}

/** The adapter wired into one graph. */
export interface LoraAttachment {
  /** Pass as BuildContext.linearHook. */
  hook: LinearHook;
  /** A/B Values by PEFT key, in creation order (the gradient targets when `params: 'inputs'`). */
  params: Map<string, Value>;
  /** Dropout-mask inputs the hook declared (training graphs). */
  dropoutInputs: DropoutInput[];
}

/** Attach `adapter` to `graph`: the returned hook adds `B(A dropout(x)) * s` on adapted modules. */
export function attachLora(adapter: LoraAdapter, graph: Graph, opts: AttachOptions = {}): LoraAttachment {
  const params = new Map<string, Value>();
  const dropoutInputs: DropoutInput[] = [];
  const calls = new Map<string, number>();
  const p = adapter.config.loraDropout;
  const param = (m: LoraModule, which: 'A' | 'B'): Value => {
    const key = peftKey(m.name, which);
    let v = params.get(key);
    if (!v) {
      const shape = which === 'A' ? [m.r, m.inFeatures] : [m.outFeatures, m.r];
      const w = adapter.weights.get(m.name)!;
      if (typeof opts.params === 'function') v = opts.params(key, shape);
      else if (opts.params === 'constants') v = graph.constant({ dtype: 'float32', shape, data: which === 'A' ? w.A : w.B }, key);
      else v = graph.input(key, 'float32', shape);
      params.set(key, v);
    }
    return v;
  };
  const hook: LinearHook = (name, x, weight, bias) => {
    const base = linear(x, weight, bias);
    const m = adapter.module(name);
    if (!m) return base;
    if (weight.shape[0] !== m.outFeatures || weight.shape[1] !== m.inFeatures) {
      throw new Error(`lora: '${name}' has weight [${weight.shape.join(', ')}] in this model but the adapter expects [${m.outFeatures}, ${m.inFeatures}]`);
    }
    let h = x;
    if (opts.dropout && p > 0) {
      const k = calls.get(name) ?? 0;
      calls.set(name, k + 1);
      const mask = graph.input(`lora_dropout.${name}.${k}`, 'float32', x.shape);
      dropoutInputs.push({ name: mask.name, module: name, value: mask });
      h = mul(x, mask);
    }
    let delta = mul(matmul(matmul(h, transposeLast(param(m, 'A'))), transposeLast(param(m, 'B'))), m.scale);
    if (opts.gate) delta = mul(delta, opts.gate);
    return add(base, delta);
  };
  return { hook, params, dropoutInputs };
}

/**
 * The dropout mask for one input at one step: 0 with probability p, else 1/(1-p), from
 * `Rng(seed).fork('lora_dropout:<step>:<input name>')`, so a resumed run draws the same masks.
 */
export function loraDropoutMask(seed: number, step: number, inputName: string, size: number, p: number): Float32Array {
  return new Rng(seed).fork(`lora_dropout:${step}:${inputName}`).dropoutMask(size, p);
}

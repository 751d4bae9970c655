// A small causal transformer LM (GPT-2 layout: learned positions, pre-LN blocks, GELU MLP) and
// a copy task: the second half of each sequence repeats the first, so predicting it needs
// attention to the token half a sequence back. Shared by the engine tests, the benchmark and
// the browser e2e test (plain data in and out, so it works inside a Web Worker).
import { type Graph, type Value } from '../graph';
import { attention, causalMask, crossEntropy, gelu, layerNorm, linear } from '../nn';
import { add, cast, equal, matmul, range, reshape, transpose, unsqueeze } from '../ops';
import { Rng } from '../random';
import { type Backend, type Ort } from '../session';
import {
  type HostTensor, type InputSpec, type OptimizerConfig, type TrainStepGraphs, type TrainStepSpec,
  StepRunner, buildTrainStep, initialState,
} from '../train-step';

/** Model and batch sizes. */
export interface TransformerConfig {
  vocab: number;
  dModel: number;
  nHeads: number;
  nLayers: number;
  dFF: number;
  seq: number;
  batch: number;
}

/** The tiny config the tests train: vocab 16, d_model 32, one block, sequences of 8. */
export const tinyTransformer: TransformerConfig = { vocab: 16, dModel: 32, nHeads: 2, nLayers: 1, dFF: 128, seq: 8, batch: 16 };

/** A config big enough for timings to mean something. */
export const benchTransformer: TransformerConfig = { vocab: 256, dModel: 256, nHeads: 4, nLayers: 2, dFF: 1024, seq: 64, batch: 8 };

/** The default optimizer of the example (HF-style AdamW, clipping at 1, constant lr). */
export const transformerOptimizer: OptimizerConfig = {
  schedule: { type: 'constant', lr: 1e-2 }, weightDecay: 0.01, maxGradNorm: 1,
  noDecay: (n) => n.endsWith('.bias') || n.includes('ln_'),
};

const f32 = (shape: number[]): InputSpec => ({ dtype: 'float32', shape });

/** Parameter names and shapes (HF GPT-2-like names). */
export function transformerParams(c: TransformerConfig): Record<string, InputSpec> {
  const p: Record<string, InputSpec> = { wte: f32([c.vocab, c.dModel]), wpe: f32([c.seq, c.dModel]) };
  const lin = (name: string, out: number, inp: number) => { p[`${name}.weight`] = f32([out, inp]); p[`${name}.bias`] = f32([out]); };
  const ln = (name: string) => { p[`${name}.weight`] = f32([c.dModel]); p[`${name}.bias`] = f32([c.dModel]); };
  for (let i = 0; i < c.nLayers; i++) {
    ln(`h.${i}.ln_1`);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) lin(`h.${i}.attn.${proj}`, c.dModel, c.dModel);
    ln(`h.${i}.ln_2`);
    lin(`h.${i}.mlp.fc1`, c.dFF, c.dModel);
    lin(`h.${i}.mlp.fc2`, c.dModel, c.dFF);
  }
  ln('ln_f');
  p['lm_head.weight'] = f32([c.vocab, c.dModel]);
  return p;
}

/** [B, T, D] -> [B, H, T, D/H]. */
function heads(x: Value, c: TransformerConfig): Value {
  return transpose(reshape(x, [c.batch, c.seq, c.nHeads, c.dModel / c.nHeads]), [0, 2, 1, 3]);
}

/** Logits [B, T, V] for token ids [B, T] (int32). */
export function transformerLogits(g: Graph, p: Record<string, Value>, tokens: Value, c: TransformerConfig): Value {
  // NOTE: the embedding is a one-hot matmul, not Gather: Gather's VJP scatters with ScatterND,
  // whose indices must be int64, and int64 work is what WebGPU leaves to the CPU. A one-hot
  // (Equal(Range, ids), the OneHot decomposition of DESIGN.md) keeps forward and backward in
  // MatMuls; fine for small vocabularies.
  const oneHot = cast(equal(unsqueeze(tokens, [-1]), range(g, c.vocab, 'int32')), 'float32');
  let x = add(matmul(oneHot, p.wte), p.wpe);
  const mask = causalMask(g, c.seq);
  for (let i = 0; i < c.nLayers; i++) {
    const a = (n: string) => p[`h.${i}.${n}`];
    const h = layerNorm(x, a('ln_1.weight'), a('ln_1.bias'));
    const proj = (n: string, v: Value) => linear(v, a(`attn.${n}.weight`), a(`attn.${n}.bias`));
    const att = attention(heads(proj('q_proj', h), c), heads(proj('k_proj', h), c), heads(proj('v_proj', h), c), mask);
    const merged = reshape(transpose(att, [0, 2, 1, 3]), [c.batch, c.seq, c.dModel]);
    x = add(x, proj('out_proj', merged));
    const h2 = layerNorm(x, a('ln_2.weight'), a('ln_2.bias'));
    x = add(x, linear(gelu(linear(h2, a('mlp.fc1.weight'), a('mlp.fc1.bias'))), a('mlp.fc2.weight'), a('mlp.fc2.bias')));
  }
  return linear(layerNorm(x, p['ln_f.weight'], p['ln_f.bias']), p['lm_head.weight']);
}

/** The training spec: next-token cross-entropy over the masked (predictable) positions. */
export function transformerSpec(c: TransformerConfig): TrainStepSpec {
  return {
    params: transformerParams(c),
    batch: {
      tokens: { dtype: 'int32', shape: [c.batch, c.seq] },
      targets: { dtype: 'int32', shape: [c.batch, c.seq] },
      mask: { dtype: 'float32', shape: [c.batch, c.seq] },
    },
    loss: ({ graph, params, batch }) => ({ loss: crossEntropy(transformerLogits(graph, params, batch.tokens, c), batch.targets, batch.mask) }),
  };
}

/** GPT-2 init: weights ~ N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0. */
export function transformerInit(seed: number, c: TransformerConfig): Record<string, HostTensor> {
  const root = new Rng(seed).fork('transformer.init');
  const out: Record<string, HostTensor> = {};
  for (const [name, s] of Object.entries(transformerParams(c))) {
    const dims = s.shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.includes('ln_')) data = new Float32Array(n).fill(name.endsWith('.weight') ? 1 : 0);
    else if (name.endsWith('.bias')) data = new Float32Array(n);
    else data = root.fork(name).normalArray(n, 0, 0.02);
    out[name] = { dtype: 'float32', data, dims };
  }
  return out;
}

/**
 * Batch `step` of the copy task: the first half of each row is random tokens, the second half
 * repeats it. Targets are the next tokens; the mask keeps only predictions of the second half.
 */
export function copyTaskBatch(seed: number, step: number, c: TransformerConfig): Record<string, HostTensor> {
  const r = new Rng(seed).fork('copy.data').fork(step);
  const half = Math.floor(c.seq / 2);
  const n = c.batch * c.seq;
  const tokens = new Int32Array(n);
  const targets = new Int32Array(n);
  const mask = new Float32Array(n);
  for (let b = 0; b < c.batch; b++) {
    const row = b * c.seq;
    for (let t = 0; t < half; t++) tokens[row + t] = r.int(c.vocab);
    for (let t = half; t < c.seq; t++) tokens[row + t] = tokens[row + t - half];
    for (let t = 0; t + 1 < c.seq; t++) {
      targets[row + t] = tokens[row + t + 1];
      mask[row + t] = t + 1 >= half ? 1 : 0;
    }
  }
  const dims = [c.batch, c.seq];
  return { tokens: { dtype: 'int32', data: tokens, dims }, targets: { dtype: 'int32', data: targets, dims }, mask: { dtype: 'float32', data: mask, dims } };
}

/** Everything a run needs, as graphs and plain data (built again inside a worker from the seed). */
export interface TransformerExample {
  config: TransformerConfig;
  steps: TrainStepGraphs;
  /** Parameters and zero AdamW moments, by state input name. */
  state: Record<string, HostTensor>;
  /** The deterministic batch of optimizer step `step`. */
  batchAt: (step: number) => Record<string, HostTensor>;
}

/** Build the example from a seed. */
export function transformerExample(seed: number, c: TransformerConfig = tinyTransformer, o: OptimizerConfig = transformerOptimizer): TransformerExample {
  const steps = buildTrainStep(transformerSpec(c), o);
  return { config: c, steps, state: initialState(steps, transformerInit(seed, c)), batchAt: (k) => copyTaskBatch(seed, k, c) };
}

/** Train the example for `n` steps with the given ORT module and backend; returns the losses. */
export async function runTransformerExample(
  ort: Ort, backend: Backend, n: number, seed: number, c: TransformerConfig = tinyTransformer, o: OptimizerConfig = transformerOptimizer,
): Promise<number[]> {
  const ex = transformerExample(seed, c, o);
  const runner = await StepRunner.create(ort, ex.steps, { backend, state: ex.state });
  try {
    const logs = await runner.train(n, (k) => ex.batchAt(k));
    return logs.map((l) => l.loss);
  } finally {
    await runner.release();
  }
}

// One DPO training step (policy forward + reference log-probs + DPO loss + backward + clip + AdamW)
// of the trainer's own graphs, on two realistic shapes with random weights:
//   whisper-tiny: d_model 384, 4+4 layers, 6 heads, 80 mels, vocab 51865; LoRA r 16 on q,v;
//                 4 pairs, 10 s audio (1000 frames), 32-token transcripts (+ 4 prompt tokens)
//   lm-100m:      Llama shape, hidden 768, 12 layers, 12 heads, SwiGLU 2048, vocab 32000 (tied),
//                 LoRA r 16 on q,v; 2 pairs of 128 tokens
// onnxruntime-web's WASM EP against onnxruntime-node's CPU EP on the same ONNX bytes, and the
// memory the trainer's choices save, each variant measured in its own child process (peak RSS):
//   shared:     the encoder runs once per pair (chosen and rejected decode against it); refs fed
//   separate:   the encoder runs on each row's own copy of the audio (2B encoder rows)
//   ref-graph:  reference log-probs computed in the step graph (adapter off) instead of fed
// Env: BENCH_THREADS (1), BENCH_TRAIN_MODELS (whisper,lm), BENCH_TRAIN_RUNS (whisper 2, lm 1),
// BENCH_TRAIN_LM_LAYERS (12), BENCH_TRAIN_LM_PAIRS (2), BENCH_TRAIN_PAIRS (whisper, 4),
// BENCH_TRAIN_FRAMES (1000), BENCH_TRAIN_VARIANTS (shared,separate,ref-graph), BENCH_TRAIN_RUNTIMES (web,node).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Graph } from '../src/engine';
import { toOnnx } from '../src/engine/onnx/serialize';
import { Rng } from '../src/engine/random';
import { type HostTensor, buildTrainStep, initialState } from '../src/engine/train-step';
import { weightInputs } from '../src/models/io';
import { type LlamaConfig, llamaFamilyDef, llamaWeightNames } from '../src/models/llama';
import { tinyLlamaWeights } from '../src/models/llama/tiny';
import { LoraAdapter, loraConfig, traceLinears } from '../src/models/lora';
import { type WhisperConfig, tinyWhisperWeights, whisperDef, whisperLinears, whisperWeightNames } from '../src/models/whisper';
import { type BuildContext, type WeightSpec } from '../src/models/types';
import { type LossSetup, REF_INPUTS, type ReferenceMode, trainSpec } from '../src/train/graphs';
import { parseTrainConfig } from '../src/train/config';
import { INPUT_NAMES, type BatchLayout, type PolicyModel } from '../src/train/policy';
import { type BenchContext, median, printTable, writeResult } from './harness';

type ModelName = 'whisper' | 'lm';
type Variant = 'shared' | 'separate' | 'ref-graph';
type Runtime = 'web' | 'node';
interface Job { model: ModelName; variant: Variant; runtime: Runtime; threads: number; warmup: number; runs: number }
interface Result extends Job {
  stepMs: number[];
  medianMs: number;
  baselineRssMB: number;
  peakRssMB: number;
  /** Peak RSS above the baseline taken after weights and graph were built: session + activations + copies. */
  stepPeakMB: number;
  sessionMs: number;
  onnxMB: number;
  params: number;
  trainable: number;
  losses: number[];
  shape: string;
}

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const list = <T extends string>(k: string, d: T[]): T[] => (process.env[k] ? (process.env[k]!.split(',') as T[]) : d);

function whisperConfig(frames: number): WhisperConfig {
  return {
    modelType: 'whisper', dModel: 384, encoderLayers: 4, decoderLayers: 4, encoderAttentionHeads: 6, decoderAttentionHeads: 6,
    encoderFfnDim: 1536, decoderFfnDim: 1536, numMelBins: 80, maxSourcePositions: Math.max(1500, frames / 2), maxTargetPositions: 448,
    vocabSize: 51865, activationFunction: 'gelu', scaleEmbedding: false, tieWordEmbeddings: true,
    padTokenId: 50257, bosTokenId: 50257, eosTokenId: 50257, decoderStartTokenId: 50258,
  };
}

function lmConfig(layers: number): LlamaConfig {
  return {
    modelType: 'llama', vocabSize: 32000, hiddenSize: 768, intermediateSize: 2048, numLayers: layers, numHeads: 12, numKvHeads: 12,
    headDim: 64, rmsNormEps: 1e-6, ropeTheta: 10000, maxPositions: 2048, tieWordEmbeddings: true, qkvBias: false, oBias: false, mlpBias: false,
  };
}

/** Everything one step needs: graph bytes, state, frozen weights, one batch. */
function buildJob(job: Job) {
  const rng = new Rng(1234);
  let model: PolicyModel;
  let specs: WeightSpec[];
  let weights: Map<string, Float32Array>;
  let adapter: LoraAdapter;
  let layout: BatchLayout;
  let pairs: number;
  let rows: { prompt: number; completion: number };
  const lora = loraConfig({ r: 16, loraAlpha: 32, loraDropout: 0, targetModules: ['q_proj', 'v_proj'] });
  if (job.model === 'whisper') {
    const frames = env('BENCH_TRAIN_FRAMES', 1000);
    const c = whisperConfig(frames);
    model = { def: whisperDef, config: c };
    specs = whisperWeightNames(c);
    weights = tinyWhisperWeights(c, 7);
    adapter = LoraAdapter.create(lora, whisperLinears(c), { seed: 1 });
    pairs = env('BENCH_TRAIN_PAIRS', 4);
    rows = { prompt: 4, completion: 32 };
    layout = { rows: 'pairs', length: 48, features: { mels: 80, frames, perRow: job.variant === 'separate' } };
  } else {
    const c = lmConfig(env('BENCH_TRAIN_LM_LAYERS', 12));
    const def = llamaFamilyDef('llama');
    model = { def, config: c };
    specs = llamaWeightNames(c);
    weights = tinyLlamaWeights(c, 7);
    const linears = traceLinears((linearHook) => {
      const g = new Graph('trace');
      const ctx: BuildContext = { graph: g, weight: weightInputs(g, specs), linearHook };
      def.forward(ctx, c, { inputIds: g.input('ids', 'int32', [1, 1]) });
    });
    adapter = LoraAdapter.create(lora, linears, { seed: 1 });
    pairs = env('BENCH_TRAIN_LM_PAIRS', 2);
    rows = { prompt: 64, completion: 64 };
    layout = { rows: 'pairs', length: 128 };
  }
  // The adapter starts with B != 0 (a step into training), so rewards and gradients are generic.
  const trained = adapter.withTensors(new Map(adapter.tensors().filter((t) => t.key.endsWith('lora_B.weight')).map((t) => [t.key, rng.normalArray(t.data.length, 0, 0.01)])));
  const reference: ReferenceMode = job.variant === 'ref-graph' ? 'adapter-off' : 'inputs';
  const objective = parseTrainConfig({ model_name_or_path: 'bench', dataset_name: 'bench', output_dir: 'bench', trainer: 'dpo' });
  const setup: LossSetup = { model, layout, objective, reference, adapter: trained };
  const trainable = new Map(trained.tensors().map((t) => [t.key, t.shape]));
  const { spec } = trainSpec(setup, specs, trainable);
  const steps = buildTrainStep(spec, { schedule: { type: 'constant', lr: 1e-4 }, maxGradNorm: 1 });
  if (steps.kind !== 'fused') throw new Error('expected a fused step');
  const bytes = toOnnx(steps.fused.graph);
  const state = initialState(steps, Object.fromEntries(trained.tensors().map((t) => [t.key, { dtype: 'float32', data: t.data, dims: t.shape } as HostTensor])));
  const frozen: Record<string, HostTensor> = Object.fromEntries(specs.map((w) => [w.name, { dtype: 'float32', data: weights.get(w.name)!, dims: w.shape } as HostTensor]));
  // One batch: chosen rows then rejected rows, right-padded to the layout's length.
  const R = 2 * pairs;
  const T = layout.length;
  const vocab = job.model === 'whisper' ? 50257 : 32000;
  const ids = new Int32Array(R * T);
  const labels = new Int32Array(R * T);
  const attn = new Float32Array(R * T);
  const comp = new Float32Array(R * T);
  const n = rows.prompt + rows.completion - 1;
  for (let r = 0; r < R; r++) {
    for (let t = 0; t < n; t++) {
      ids[r * T + t] = rng.int(vocab);
      labels[r * T + t] = rng.int(vocab);
      attn[r * T + t] = 1;
      comp[r * T + t] = t + 1 >= rows.prompt ? 1 : 0;
    }
  }
  const batch: Record<string, HostTensor> = {
    [INPUT_NAMES.inputIds]: { dtype: 'int32', data: ids, dims: [R, T] },
    [INPUT_NAMES.attentionMask]: { dtype: 'float32', data: attn, dims: [R, T] },
    [INPUT_NAMES.labels]: { dtype: 'int32', data: labels, dims: [R, T] },
    [INPUT_NAMES.completionMask]: { dtype: 'float32', data: comp, dims: [R, T] },
  };
  if (layout.features) {
    const { mels, frames, perRow } = layout.features;
    const one = rng.normalArray(pairs * mels * frames, 0, 0.5);
    // `separate`: every row its own copy of its pair's audio (chosen rows, then rejected rows).
    const data = perRow ? Float32Array.from({ length: 2 * one.length }, (_, i) => one[i % one.length]) : one;
    batch[INPUT_NAMES.inputFeatures] = { dtype: 'float32', data, dims: [perRow ? R : pairs, mels, frames] };
  }
  if (reference === 'inputs') {
    batch[REF_INPUTS.chosen] = { dtype: 'float32', data: Float32Array.from({ length: pairs }, () => -60 + rng.normal()), dims: [pairs] };
    batch[REF_INPUTS.rejected] = { dtype: 'float32', data: Float32Array.from({ length: pairs }, () => -60 + rng.normal()), dims: [pairs] };
  }
  const params = specs.reduce((s, w) => s + w.shape.reduce((p, q) => p * q, 1), 0);
  const nTrain = [...trainable.values()].reduce((s, sh) => s + sh.reduce((p, q) => p * q, 1), 0);
  const shape = job.model === 'whisper'
    ? `${pairs} pairs, ${layout.features!.frames} frames, T ${T}, ${job.variant === 'separate' ? 2 * pairs : pairs} encoder rows`
    : `${pairs} pairs, T ${T}, ${(model.config as LlamaConfig).numLayers} layers`;
  return { bytes, carry: steps.fused.carry, state, frozen, batch, params, trainable: nTrain, shape };
}

/** Child process: one runtime, one variant; reports step times and peak RSS. */
async function child(job: Job): Promise<Result> {
  const built = buildJob(job);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  type AnyTensor = { data: unknown; dims: readonly number[] };
  interface Sess { run(f: Record<string, AnyTensor>): Promise<Record<string, AnyTensor>>; release(): Promise<void> }
  const t0 = performance.now();
  let make: (h: HostTensor) => AnyTensor;
  let session: Sess;
  if (job.runtime === 'web') {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = job.threads;
    ort.env.logLevel = 'error';
    make = (h) => new ort.Tensor(h.dtype, h.data as Float32Array, h.dims);
    session = (await ort.InferenceSession.create(built.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })) as unknown as Sess;
  } else {
    const ort = await import('onnxruntime-node');
    make = (h) => new ort.Tensor(h.dtype, h.data as Float32Array, h.dims);
    session = (await ort.InferenceSession.create(built.bytes, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: job.threads, interOpNumThreads: 1,
    })) as unknown as Sess;
  }
  const sessionMs = performance.now() - t0;
  const state = new Map(Object.entries(built.state).map(([n, h]) => [n, make(h)]));
  const frozen = Object.fromEntries(Object.entries(built.frozen).map(([n, h]) => [n, make(h)]));
  const batch = Object.fromEntries(Object.entries(built.batch).map(([n, h]) => [n, make(h)]));
  const times: number[] = [];
  const losses: number[] = [];
  for (let k = 0; k < job.warmup + job.runs; k++) {
    const feeds = { ...frozen, ...batch, ...Object.fromEntries(state), step: make({ dtype: 'float32', data: Float32Array.of(k), dims: [] }) };
    const s0 = performance.now();
    const out = await session.run(feeds);
    const dt = performance.now() - s0;
    for (const [o, i] of Object.entries(built.carry)) state.set(i, out[o]);
    losses.push((out.loss.data as Float32Array)[0]);
    if (k >= job.warmup) times.push(dt);
  }
  await session.release();
  const peak = process.resourceUsage().maxRSS * 1024;
  const MB = 1024 * 1024;
  return {
    ...job, stepMs: times, medianMs: median(times), baselineRssMB: baseline / MB, peakRssMB: peak / MB, stepPeakMB: (peak - baseline) / MB,
    sessionMs, onnxMB: built.bytes.byteLength / MB, params: built.params, trainable: built.trainable, losses, shape: built.shape,
  };
}

function runChild(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=8192'],
      env: { ...process.env, TRAIN_BENCH_CHILD: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let got: Result | null = null;
    p.on('message', (m) => { got = m as Result; });
    p.on('exit', (code) => (got ? resolve(got) : reject(new Error(`${job.model}/${job.variant}/${job.runtime}: child exited with ${code}`))));
  });
}

/** `npm run bench train`: the table of step times and memory; results in bench/out/train.json. */
export default async function bench(ctx?: BenchContext): Promise<void> {
  const threads = env('BENCH_THREADS', 1);
  const models = list<ModelName>('BENCH_TRAIN_MODELS', ['whisper', 'lm']);
  const variants = list<Variant>('BENCH_TRAIN_VARIANTS', ['shared', 'separate', 'ref-graph']);
  const runtimes = list<Runtime>('BENCH_TRAIN_RUNTIMES', ['web', 'node']);
  const results: Result[] = [];
  for (const model of models) {
    const runs = env('BENCH_TRAIN_RUNS', ctx?.quick ? 1 : model === 'whisper' ? 2 : 1);
    for (const variant of variants) {
      if (model === 'lm' && variant === 'separate') continue; // no encoder
      for (const runtime of runtimes) {
        const job: Job = { model, variant, runtime, threads, warmup: 1, runs };
        console.log(`running ${model} ${variant} on ${runtime === 'web' ? 'onnxruntime-web WASM' : 'onnxruntime-node CPU'} (1 warm-up + ${runs} timed)...`);
        results.push(await runChild(job));
      }
    }
  }
  const MB = (x: number) => x.toFixed(0);
  const find = (m: ModelName, v: Variant, r: Runtime) => results.find((x) => x.model === m && x.variant === v && x.runtime === r);
  const rows: (string | number)[][] = [];
  for (const r of results.filter((x) => x.runtime === 'web' || !find(x.model, x.variant, 'web'))) {
    const web = find(r.model, r.variant, 'web');
    const node = find(r.model, r.variant, 'node');
    rows.push([
      `${r.model} ${r.variant}`, r.shape, (r.params / 1e6).toFixed(1), (r.trainable / 1e6).toFixed(2),
      web ? `${web.medianMs.toFixed(0)} (${Math.min(...web.stepMs).toFixed(0)})` : '-', node ? `${node.medianMs.toFixed(0)} (${Math.min(...node.stepMs).toFixed(0)})` : '-',
      web && node ? `${(Math.min(...web.stepMs) / Math.min(...node.stepMs)).toFixed(2)}x` : '-',
      web ? `${MB(web.stepPeakMB)} / ${MB(web.peakRssMB)}` : '-', node ? `${MB(node.stepPeakMB)} / ${MB(node.peakRssMB)}` : '-',
      web && node ? Math.abs(web.losses[0] - node.losses[0]).toExponential(1) : '-',
    ]);
  }
  printTable(
    `DPO train step (policy + ref + loss + backward + clip + AdamW), median (min) ms, ratio of mins, ${threads} thread(s); memory = peak RSS above baseline / peak RSS (MB)`,
    ['model variant', 'batch', 'params M', 'LoRA M', 'web WASM ms', 'node CPU ms', 'WASM / native', 'WASM MB', 'native MB', '|d loss|'],
    rows,
  );
  const savings: (string | number)[][] = [];
  for (const model of models) {
    for (const runtime of runtimes) {
      const shared = find(model, 'shared', runtime);
      for (const [v, what] of [['separate', 'encoder once per pair vs per row'], ['ref-graph', 'precomputed ref log-probs vs ref in the step']] as const) {
        const other = find(model, v, runtime);
        if (!shared || !other) continue;
        const saved = other.stepPeakMB - shared.stepPeakMB;
        savings.push([`${model} ${runtime}`, what, MB(other.stepPeakMB), MB(shared.stepPeakMB), `${MB(saved)} (${((100 * saved) / other.stepPeakMB).toFixed(0)}%)`,
          `${other.medianMs.toFixed(0)} -> ${shared.medianMs.toFixed(0)}`]);
      }
    }
  }
  if (savings.length) printTable('Memory saved by the trainer\'s choices (peak RSS above baseline, MB)', ['model runtime', 'saving', 'without MB', 'with MB', 'saved MB', 'step ms'], savings);
  if (ctx) console.log(`wrote ${writeResult(ctx, 'train', { date: new Date().toISOString(), threads, results })}`);
}

if (process.env.TRAIN_BENCH_CHILD) {
  const job = JSON.parse(process.env.TRAIN_BENCH_CHILD) as Job;
  child(job).then((r) => { process.send?.(r); process.exit(0); }, (e: unknown) => { console.error(e); process.exit(1); });
}

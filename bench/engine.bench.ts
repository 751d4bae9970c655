// One training step (forward + backward + clip + AdamW, state carried step to step) of the
// causal transformer example: onnxruntime-web's WASM EP in Node against onnxruntime-node's
// native CPU EP, on the same ONNX bytes, timed in alternation (the machine may be shared).
// Threads: BENCH_THREADS (default 1, for both).
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import {
  type TransformerConfig, benchTransformer, tinyTransformer, transformerExample,
} from '../src/engine/examples/one-block-transformer';
import { toOnnx } from '../src/engine/onnx/serialize';
import { type HostTensor } from '../src/engine/train-step';
import { type Bench, median, printTable, timeInterleaved, writeResult } from './harness';

type OrtModule = typeof ortWeb | typeof ortNode;
type AnyTensor = ortWeb.Tensor | ortNode.Tensor;

/** A session plus the state it carries from step to step. */
async function stepper(ort: OrtModule, bytes: Uint8Array, backend: 'wasm' | 'cpu', threads: number, ex: ReturnType<typeof transformerExample>) {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  if (ex.steps.kind !== 'fused') throw new Error('the benchmark times the fused step');
  const carry = ex.steps.fused.carry;
  const toT = (h: HostTensor): AnyTensor => new ort.Tensor(h.dtype, h.data as Float32Array, h.dims);
  const state = new Map<string, AnyTensor>(Object.entries(ex.state).map(([n, h]) => [n, toT(h)]));
  const batches = [0, 1, 2, 3].map((k) => Object.fromEntries(Object.entries(ex.batchAt(k)).map(([n, h]) => [n, toT(h)])));
  const losses: number[] = [];
  let k = 0;
  const step = async () => {
    const feeds: Record<string, AnyTensor> = { ...Object.fromEntries(state), ...batches[k % batches.length] };
    feeds.step = new ort.Tensor('float32', Float32Array.of(k), []);
    const out = (await session.run(feeds as never)) as Record<string, AnyTensor>;
    for (const [o, i] of Object.entries(carry)) state.set(i, out[o]);
    losses.push((out.loss.data as Float32Array)[0]);
    k++;
  };
  return { step, losses, release: () => session.release() };
}

/** Parameter count of a config (for the table). */
function paramCount(ex: ReturnType<typeof transformerExample>): number {
  return ex.steps.paramNames.reduce((n, p) => n + ex.state[`params.${p}`].data.length, 0);
}

const bench: Bench = async (ctx) => {
  const threads = Number(process.env.BENCH_THREADS ?? 1);
  ortWeb.env.wasm.numThreads = threads;
  const configs: [string, TransformerConfig, { warmup: number; runs: number; warmupMs: number }][] = [
    ['tiny (V16 d32 L1 T8 B16)', tinyTransformer, ctx.quick ? { warmup: 2, runs: 5, warmupMs: 0 } : { warmup: 20, runs: 100, warmupMs: 3000 }],
    ['bench (V256 d256 L2 T64 B8)', benchTransformer, ctx.quick ? { warmup: 1, runs: 3, warmupMs: 0 } : { warmup: 3, runs: 15, warmupMs: 3000 }],
  ];
  const rows: (string | number)[][] = [];
  const results = [];
  for (const [label, cfg, runs] of configs) {
    const ex = transformerExample(0, cfg);
    if (ex.steps.kind !== 'fused') throw new Error('expected a fused step');
    const bytes = toOnnx(ex.steps.fused.graph);
    const web = await stepper(ortWeb, bytes, 'wasm', threads, ex);
    const node = await stepper(ortNode, bytes, 'cpu', threads, ex);
    const [tWeb, tNode] = await timeInterleaved([web.step, node.step], runs);
    // Same bytes, same start, same batches: the two runtimes must agree on every loss.
    const dLoss = Math.max(...web.losses.map((l, i) => Math.abs(l - node.losses[i])));
    await web.release();
    await node.release();
    const ratio = tWeb.median / tNode.median;
    rows.push([label, (paramCount(ex) / 1e6).toFixed(3), (bytes.byteLength / 1e6).toFixed(2), tWeb.median.toFixed(2), tNode.median.toFixed(2), `${ratio.toFixed(2)}x`, dLoss.toExponential(1)]);
    results.push({
      config: label, ...cfg, params: paramCount(ex), onnxBytes: bytes.byteLength, threads, ...runs,
      wasmMs: { median: tWeb.median, min: tWeb.min }, nodeCpuMs: { median: tNode.median, min: tNode.min },
      ratio, maxLossDiff: dLoss, firstLoss: web.losses[0], lastLoss: web.losses.at(-1), medianAll: median([...tWeb.times, ...tNode.times]),
    });
  }
  printTable(
    `Transformer train step (fwd+bwd+clip+AdamW), median ms, ${threads} thread(s), onnxruntime ${ortWeb.env.versions.web}`,
    ['config', 'params (M)', 'onnx MB', 'web WASM ms', 'node CPU ms', 'WASM / native', 'max |d loss|'],
    rows,
  );
  console.log(`wrote ${writeResult(ctx, 'engine', { date: new Date().toISOString(), results })}`);
};

export default bench;

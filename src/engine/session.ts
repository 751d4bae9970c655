// Running built graphs on ONNX Runtime (web: WebGPU or WASM EP; node: CPU EP), with state kept
// where it lives: gpu-buffer outputs are fed straight back as the next run's inputs.
import type * as OrtCommon from 'onnxruntime-common';
import { type DType, type TensorData } from './dtype';
import { type Graph } from './graph';
import { toOnnx } from './onnx/serialize';

/** The ONNX Runtime module in use (onnxruntime-web in browsers and tests, onnxruntime-node for benches). */
export type Ort = Pick<typeof OrtCommon, 'InferenceSession' | 'Tensor' | 'env'>;
export type Tensor = OrtCommon.Tensor;
export type Backend = 'webgpu' | 'wasm' | 'cpu';

export interface SessionOptions {
  backend: Backend;
  /** Outputs to leave on the GPU (WebGPU only): state fed back next step. */
  gpuOutputs?: string[];
  /** Ask ORT to log node placement (see `placements`). */
  logPlacement?: boolean;
}

/** One ORT session over one built graph. */
export class GraphSession {
  private constructor(
    readonly ort: Ort,
    readonly session: OrtCommon.InferenceSession,
    readonly backend: Backend,
    /** Lines ORT printed while building the session (placement logs when asked). */
    readonly log: string[],
  ) {}

  /** Serialize `graph` and open a session on `backend`. */
  static async create(ort: Ort, graph: Graph | Uint8Array, opts: SessionOptions): Promise<GraphSession> {
    const bytes = graph instanceof Uint8Array ? graph : toOnnx(graph);
    const options: OrtCommon.InferenceSession.SessionOptions = {
      executionProviders: [opts.backend],
      graphOptimizationLevel: 'all',
    };
    if (opts.backend === 'webgpu' && opts.gpuOutputs?.length) {
      options.preferredOutputLocation = Object.fromEntries(opts.gpuOutputs.map((n) => [n, 'gpu-buffer' as const]));
    }
    const log: string[] = [];
    if (opts.logPlacement) {
      options.logSeverityLevel = 0;
      options.logVerbosityLevel = 0;
    }
    const session = opts.logPlacement
      ? await captureConsole(log, () => ort.InferenceSession.create(bytes, options))
      : await ort.InferenceSession.create(bytes, options);
    return new GraphSession(ort, session, opts.backend, log);
  }

  /** Run with the given feeds; returns every output. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    return (await this.session.run(feeds)) as Record<string, Tensor>;
  }

  /** Nodes ORT placed on an EP other than this session's (parsed from the placement log). */
  fallbacks(): string[] {
    return parsePlacements(this.log).filter((p) => p.ep !== providerName[this.backend]).flatMap((p) => p.nodes);
  }

  release(): Promise<void> { return this.session.release(); }
}

const providerName: Record<Backend, string> = { webgpu: 'WebGpuExecutionProvider', wasm: 'CPUExecutionProvider', cpu: 'CPUExecutionProvider' };

/**
 * Parse ORT's verbose placement log (session_state.cc "Node placements") into EP -> nodes.
 * Groups read " All nodes placed on [EP]. Number of nodes: N" or " Node(s) placed on [EP]. Number
 * of nodes: N" followed by one "  OpType (node_name)" line per node; the WebGPU EP also says
 * "webgpu kernel not found in registries for Op type: X node name: Y", kept as a node line.
 */
export function parsePlacements(lines: string[]): { ep: string; nodes: string[] }[] {
  const out: { ep: string; nodes: string[] }[] = [];
  const missing: string[] = [];
  let current: { ep: string; nodes: string[] } | null = null;
  for (const raw of lines.flatMap((l) => l.split('\n'))) {
    const body = raw.replace(/^.*?\] /, ''); // drop "2026-... [V:onnxruntime:, file.cc:123 Func] "
    const group = /(All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(body);
    if (group) {
      current = { ep: group[2], nodes: [] };
      out.push(current);
      if (group[1] === 'All nodes') current.nodes.push(`all ${group[3]} nodes`);
      continue;
    }
    const noKernel = /kernel not found in registries for Op type: (\w+) node name: (\S+)/.exec(body);
    if (noKernel) { missing.push(`${noKernel[1]} (${noKernel[2]}): no WebGPU kernel`); continue; }
    const node = /^\s+(\w+) \(([^)]*)\)\s*$/.exec(body);
    if (current && node) current.nodes.push(`${node[1]} (${node[2]})`);
    else if (!/^\s/.test(body)) current = null;
  }
  // Say why a node left the GPU where ORT said so.
  for (const g of out) if (g.ep !== 'WebGpuExecutionProvider' && missing.length) g.nodes.push(...missing);
  return out;
}

const tapped = ['log', 'warn', 'error', 'info', 'debug'] as const;
const sinks = new Set<string[]>();
let tapInstalled = false;

/**
 * Route console output into the active sinks while a capture runs.
 * NOTE: ORT's WASM runtime keeps the console function it saw when it initialized, so the tap is
 * installed once, for good, and forwards to the real console whenever no capture is active.
 */
function installConsoleTap(): void {
  if (tapInstalled || typeof console === 'undefined') return;
  tapInstalled = true;
  for (const m of tapped) {
    const original = console[m].bind(console);
    console[m] = (...args: unknown[]) => {
      if (!sinks.size) return original(...args);
      const line = args.map(String).join(' ');
      for (const sink of sinks) sink.push(line);
    };
  }
}
installConsoleTap();

async function captureConsole<T>(sink: string[], fn: () => Promise<T>): Promise<T> {
  installConsoleTap();
  sinks.add(sink);
  try { return await fn(); } finally { sinks.delete(sink); }
}

/** A CPU tensor from typed data. */
export function tensor(ort: Ort, dtype: DType, data: TensorData, dims: readonly number[]): Tensor {
  return new ort.Tensor(dtype, data as Float32Array, dims);
}

/** Minimal view of the WebGPU device ORT exposes (the DOM lib's types are not assumed). */
interface GpuDeviceLike {
  createBuffer(d: { size: number; usage: number }): { destroy(): void };
  queue: { writeBuffer(b: unknown, offset: number, data: ArrayBufferView): void };
}

/**
 * Copy a CPU tensor into a GPU buffer owned by ORT's device, once; every session can then take
 * it as an input without another upload. On CPU backends the tensor is returned as it is.
 */
export async function toDevice(ort: Ort, backend: Backend, t: Tensor): Promise<Tensor> {
  if (backend !== 'webgpu') return t;
  const device = (await ort.env.webgpu.device) as unknown as GpuDeviceLike;
  const data = t.data as Float32Array;
  const size = Math.ceil(data.byteLength / 4) * 4;
  const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08;
  const buffer = device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return ort.Tensor.fromGpuBuffer(buffer as never, {
    dataType: t.type as OrtCommon.Tensor.GpuBufferDataTypes,
    dims: t.dims,
    dispose: () => buffer.destroy(),
  });
}

/** Read any tensor (CPU or GPU) back as a Float32Array. */
export async function readFloat(t: Tensor): Promise<Float32Array> {
  const data = t.location === 'cpu' ? t.data : await t.getData();
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}

/**
 * Run one step of a stateful graph: `state` feeds the inputs named by `carry`'s values and is
 * replaced by the outputs named by its keys. Replaced GPU tensors are disposed.
 */
export async function runWithState(
  s: GraphSession,
  feeds: Record<string, Tensor>,
  state: Map<string, Tensor>,
  carry: Record<string, string>,
): Promise<Record<string, Tensor>> {
  // Feed only this session's inputs: onnxruntime-web rejects unknown ones, and one state map may
  // serve several sessions (micro-step and apply graphs).
  const wanted = new Set(s.session.inputNames);
  const out = await s.run(Object.fromEntries(Object.entries({ ...feeds, ...Object.fromEntries(state) }).filter(([k]) => wanted.has(k))));
  for (const [outName, inName] of Object.entries(carry)) {
    const old = state.get(inName);
    state.set(inName, out[outName]);
    if (old && old.location === 'gpu-buffer') old.dispose();
  }
  return out;
}

/** Sessions built once per shape bucket (DESIGN.md: static shapes reuse WebGPU pipelines). */
export class SessionCache<K> {
  private cache = new Map<string, Promise<GraphSession>>();
  constructor(private build: (key: K) => Promise<GraphSession>) {}

  /** The session for `key`, built on first use. */
  get(key: K): Promise<GraphSession> {
    const k = JSON.stringify(key);
    let s = this.cache.get(k);
    if (!s) { s = this.build(key); this.cache.set(k, s); }
    return s;
  }

  get size(): number { return this.cache.size; }

  async releaseAll(): Promise<void> {
    for (const s of this.cache.values()) await (await s).release();
    this.cache.clear();
  }
}

// ONNX Runtime for engine tests: onnxruntime-web's WASM EP in Node, one thread (CI cores are shared).
import * as ortWeb from 'onnxruntime-web';
import { type DType, dataFrom } from '../dtype';
import { type Graph } from '../graph';
import { toOnnx } from '../onnx/serialize';
import { type Ort, type Tensor } from '../session';

let ready: Ort | null = null;

/** The onnxruntime-web module configured for tests (single-threaded WASM, quiet logs). */
export function testOrt(): Ort {
  if (!ready) {
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.logLevel = 'error';
    ready = ortWeb;
  }
  return ready;
}

/** A test tensor: concrete dims, plain numbers, dtype (float32 unless given). */
export interface HostTensor { dims: number[]; data: ArrayLike<number>; dtype?: DType }

/** An ORT CPU tensor from plain numbers. */
export function toTensor(t: HostTensor, ort: Ort = testOrt()): Tensor {
  const dtype = t.dtype ?? 'float32';
  return new ort.Tensor(dtype, dataFrom(dtype, t.data) as Float32Array, t.dims);
}

/** A graph output read back: dims and values as plain numbers (int64 converted). */
export interface Fetched { dims: number[]; data: number[] }

/** Plain numbers from an ORT tensor of any numeric type. */
export function fromTensor(t: Tensor): Fetched {
  const d = t.data as ArrayLike<number | bigint>;
  const data = new Array<number>(d.length);
  for (let i = 0; i < d.length; i++) data[i] = Number(d[i]);
  return { dims: [...t.dims], data };
}

/** An open WASM session over a graph, fed and read with plain numbers. */
export interface TestSession {
  run(feeds: Record<string, HostTensor | Tensor>): Promise<Record<string, Fetched>>;
  release(): Promise<void>;
}

/** Serialize `g`, open it on the WASM EP, and wrap it for plain-number feeds. */
export async function openSession(g: Graph, ort: Ort = testOrt()): Promise<TestSession> {
  const session = await ort.InferenceSession.create(toOnnx(g), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    async run(feeds) {
      const ortFeeds: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = v instanceof ort.Tensor ? v : toTensor(v as HostTensor, ort);
      const out = await session.run(ortFeeds);
      const res: Record<string, Fetched> = {};
      for (const [k, v] of Object.entries(out)) res[k] = fromTensor(v as Tensor);
      return res;
    },
    release: () => session.release(),
  };
}

/** Build, run once and release: the forward values of every graph output. */
export async function runOnce(g: Graph, feeds: Record<string, HostTensor>): Promise<Record<string, Fetched>> {
  const s = await openSession(g);
  try { return await s.run(feeds); } finally { await s.release(); }
}

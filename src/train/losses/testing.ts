// Test support: run a built graph once on ONNX Runtime's WASM EP (Node tests) and read outputs.
import * as ort from 'onnxruntime-web';
import { type Graph, GraphSession, type Ort, tensor, readFloat } from '../../engine';

/** Feed for one float32 input: data and dims. */
export interface FloatFeed { data: ArrayLike<number>; dims: number[] }

let configured = false;
/** onnxruntime-web set up for Node: one thread, no proxy worker. */
export function wasmOrt(): Ort {
  if (!configured) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    configured = true;
  }
  return ort as unknown as Ort;
}

/** Build a session for `g` on the WASM EP, run it with float32 feeds, return every output as numbers. */
export async function runGraph(g: Graph, feeds: Record<string, FloatFeed>): Promise<Record<string, number[]>> {
  const o = wasmOrt();
  const s = await GraphSession.create(o, g, { backend: 'wasm' });
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, f]) => [k, tensor(o, 'float32', Float32Array.from(f.data), f.dims)]),
    );
    const out = await s.run(inputs);
    const res: Record<string, number[]> = {};
    for (const [k, t] of Object.entries(out)) res[k] = Array.from(await readFloat(t));
    return res;
  } finally {
    await s.release();
  }
}

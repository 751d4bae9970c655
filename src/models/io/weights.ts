// Weight accessors for graph builders: weights as graph inputs (fed once, e.g. as GPU tensors
// shared by every session) or as initializers baked into the model (tests, tiny models).
import { type Graph, type Value } from '../../engine';
import { type WeightAccessor, type WeightSpec } from '../types';
import { type WeightStore } from './safetensors';

/** An accessor that makes each weight once, on first use, from its HF name and shape. */
function lazyAccessor(specs: readonly WeightSpec[], make: (name: string, shape: readonly number[] | undefined) => Value): WeightAccessor {
  const shapes = new Map(specs.map((s) => [s.name, s.shape]));
  const made = new Map<string, Value>();
  return (name) => {
    let v = made.get(name);
    if (!v) {
      v = make(name, shapes.get(name));
      made.set(name, v);
    }
    return v;
  };
}

/**
 * An accessor that declares each weight as a float32 graph input named by its HF name, on first
 * use (so only weights the graph reads become inputs). Unknown names throw.
 */
export function weightInputs(g: Graph, specs: readonly WeightSpec[]): WeightAccessor {
  return lazyAccessor(specs, (name, shape) => {
    if (!shape) throw new Error(`weight '${name}' is not among this model's weights`);
    return g.input(name, 'float32', shape);
  });
}

/** An accessor over weights held in memory, emitted as initializers on first use. */
export function weightConstants(g: Graph, specs: readonly WeightSpec[], data: ReadonlyMap<string, Float32Array>): WeightAccessor {
  return lazyAccessor(specs, (name, shape) => {
    const d = data.get(name);
    if (!shape || !d) throw new Error(`weight '${name}' is not among the loaded weights`);
    return g.constant({ dtype: 'float32', shape: [...shape], data: d }, name);
  });
}

/** Read every weight in `specs` as float32, checking shapes; names the first missing ones. */
export async function readWeights(store: WeightStore, specs: readonly WeightSpec[]): Promise<Map<string, Float32Array>> {
  const missing = specs.filter((s) => !store.has(s.name)).map((s) => s.name);
  if (missing.length) {
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw new Error(`checkpoint lacks ${missing.length} weight(s): ${missing.slice(0, 5).join(', ')}${more}`);
  }
  const out = new Map<string, Float32Array>();
  for (const s of specs) out.set(s.name, await store.readFloat32(s.name, s.shape));
  return out;
}

import { type DType } from '../dtype';
import { type Attrs, type Dim, type OpSpec, type Shape, Value, graphOf } from '../graph';

/** A tensor or a plain number (lifted to a scalar constant of the other operand's dtype). */
export type Operand = Value | number;

/** Emit `spec` with the given inputs; returns every output. */
export function apply(spec: OpSpec, inputs: (Value | null)[], attrs: Attrs = {}): Value[] {
  return graphOf(...inputs).emit(spec, inputs, attrs);
}

/** Emit a single-output op. */
export function apply1(spec: OpSpec, inputs: (Value | null)[], attrs: Attrs = {}): Value {
  return apply(spec, inputs, attrs)[0];
}

/** Turn numbers into scalar constants typed like the first Value operand. */
export function lift(xs: Operand[]): Value[] {
  const like = xs.find((x): x is Value => x instanceof Value);
  if (!like) throw new Error('at least one operand must be a Value');
  return xs.map((x) => (x instanceof Value ? x : like.graph.scalar(x, like.dtype)));
}

/** Numpy broadcasting of shapes; symbolic dims are assumed to match fixed ones. */
export function broadcastShapes(...shapes: Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1).filter((d) => d !== 1);
    const fixed = dims.filter((d): d is number => typeof d === 'number');
    if (new Set(fixed).size > 1) {
      throw new Error(`cannot broadcast shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')}`);
    }
    out.push(fixed[0] ?? dims[0] ?? 1);
  }
  return out;
}

/** Normalize a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Output type equal to input `i`'s. */
export const sameAs = (i = 0) => (inputs: (Value | null)[]) => [{ dtype: inputs[i]!.dtype, shape: inputs[i]!.shape }];

/** Output of a broadcasting elementwise op of dtype `dtype` (default: the first input's). */
export const broadcastOut = (dtype?: DType) => (inputs: (Value | null)[]) => [{
  dtype: dtype ?? inputs[0]!.dtype,
  shape: broadcastShapes(...inputs.map((x) => x!.shape)),
}];

/** Product of fixed dims, or null when any is symbolic. */
export function staticSize(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) { if (typeof d !== 'number') return null; n *= d; }
  return n;
}

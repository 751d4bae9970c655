// Shape and layout primitives with their VJPs.
import { type DType, isFloat, onnxDataType } from '../dtype';
import { type Dim, type OpSpec, type Shape, Value } from '../graph';
import { apply, apply1, normAxis, sameAs, staticSize } from './core';

/** The runtime shape of `x` as an int64 tensor: a constant when every dim is fixed. */
export function shapeOf(x: Value): Value {
  const fixed = staticSize(x.shape) !== null;
  return fixed ? x.graph.ints(x.shape as number[]) : apply1(ShapeOp, [x]);
}

/** A tensor of `fill` shaped like `x`. */
export function fullLike(x: Value, fill: number, dtype: DType = x.dtype): Value {
  return expandAs(x.graph.scalar(fill, dtype), x);
}

/** Zeros shaped like `x`. */
export const zerosLike = (x: Value): Value => fullLike(x, 0);

const ShapeOp: OpSpec = { type: 'Shape', infer: ([x]) => [{ dtype: 'int64', shape: [x!.rank] }] };

const Identity: OpSpec = { type: 'Identity', infer: sameAs(0), vjp: ([dy]) => [dy] };

const Cast: OpSpec = {
  type: 'Cast',
  infer: ([x], a) => [{ dtype: a._dtype as DType, shape: x!.shape }],
  vjp: ([dy], [x]) => [isFloat(x!.dtype) ? cast(dy!, x!.dtype) : null],
};

/** Static result of an ONNX Reshape target (0 copies a dim, -1 infers one). */
function reshapeDims(input: Shape, target: number[]): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 ? input[i] : d));
  const hole = out.indexOf(-1);
  if (hole >= 0) {
    const total = staticSize(input);
    const rest = staticSize(out.filter((_, i) => i !== hole));
    out[hole] = total !== null && rest !== null ? total / rest : `(${input.join('*')})/(${out.filter((_, i) => i !== hole).join('*')})`;
  }
  return out;
}

const Reshape: OpSpec = {
  type: 'Reshape',
  infer: ([x], a) => [{ dtype: x!.dtype, shape: a._dims as Dim[] }],
  vjp: ([dy], [x]) => [reshapeTo(dy!, x!), null],
};

const Transpose: OpSpec = {
  type: 'Transpose',
  infer: ([x], a) => [{ dtype: x!.dtype, shape: (a.perm as number[]).map((p) => x!.shape[p]) }],
  vjp: ([dy], _x, _y, a) => {
    const perm = a.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(dy!, inverse)];
  },
};

const Unsqueeze: OpSpec = {
  type: 'Unsqueeze',
  infer: ([x], a) => {
    const axes = a._axes as number[];
    const rank = x!.rank + axes.length;
    const out: Dim[] = [];
    const norm = axes.map((ax) => normAxis(ax, rank));
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : x!.shape[j++]);
    return [{ dtype: x!.dtype, shape: out }];
  },
  vjp: ([dy], _x, _y, a) => [squeeze(dy!, a._axes as number[]), null],
};

const Squeeze: OpSpec = {
  type: 'Squeeze',
  infer: ([x], a) => {
    const axes = (a._axes as number[]).map((ax) => normAxis(ax, x!.rank));
    return [{ dtype: x!.dtype, shape: x!.shape.filter((_, i) => !axes.includes(i)) }];
  },
  vjp: ([dy], [x], _y, a) => [unsqueeze(dy!, (a._axes as number[]).map((ax) => normAxis(ax, x!.rank))), null],
};

// Expand's VJP is the reverse pass's unbroadcast of dy to the input's shape.
const Expand: OpSpec = {
  type: 'Expand',
  infer: ([x], a) => [{ dtype: x!.dtype, shape: a._dims as Dim[] }],
  vjp: ([dy]) => [dy, null],
};

const Concat: OpSpec = {
  type: 'Concat',
  infer: (xs, a) => {
    const axis = normAxis(a.axis as number, xs[0]!.rank);
    const shape = [...xs[0]!.shape];
    const sizes = xs.map((x) => x!.shape[axis]);
    shape[axis] = sizes.every((d) => typeof d === 'number') ? (sizes as number[]).reduce((p, q) => p + q, 0) : sizes.join('+');
    return [{ dtype: xs[0]!.dtype, shape }];
  },
  vjp: ([dy], xs, _y, a) => {
    const axis = normAxis(a.axis as number, xs[0]!.rank);
    const sizes = xs.map((x) => x!.shape[axis]);
    if (!sizes.every((d) => typeof d === 'number')) throw new Error('Concat VJP needs fixed sizes along the concat axis');
    return split(dy!, sizes as number[], axis);
  },
};

const Split: OpSpec = {
  type: 'Split',
  infer: ([x], a) => {
    const axis = normAxis(a.axis as number, x!.rank);
    return (a._sizes as number[]).map((n) => {
      const shape = [...x!.shape];
      shape[axis] = n;
      return { dtype: x!.dtype, shape };
    });
  },
  vjp: (dys, _x, ys, a) => [concat(dys.map((d, i) => d ?? zerosLike(ys[i])), a.axis as number), null],
};

/** Resolve slice bounds against a fixed dim, as ONNX clamps them (step 1). */
function sliceBounds(dim: Dim, start: number, end: number): [number, number] {
  if (typeof dim !== 'number') throw new Error('Slice needs a fixed size on each sliced axis');
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = clamp(start);
  return [s, Math.max(clamp(end), s)];
}

const Slice: OpSpec = {
  type: 'Slice',
  infer: ([x], a) => {
    const shape = [...x!.shape];
    const { _starts: starts, _ends: ends, _axes: axes } = a as { _starts: number[]; _ends: number[]; _axes: number[] };
    axes.forEach((ax, i) => {
      const k = normAxis(ax, x!.rank);
      const [s, e] = sliceBounds(shape[k], starts[i], ends[i]);
      shape[k] = e - s;
    });
    return [{ dtype: x!.dtype, shape }];
  },
  // The gradient of a slice is dy padded with zeros back to the input's extent.
  vjp: ([dy], [x], _y, a) => {
    const { _starts: starts, _ends: ends, _axes: axes } = a as { _starts: number[]; _ends: number[]; _axes: number[] };
    const before = new Array(x!.rank).fill(0);
    const after = new Array(x!.rank).fill(0);
    axes.forEach((ax, i) => {
      const k = normAxis(ax, x!.rank);
      const [s, e] = sliceBounds(x!.shape[k], starts[i], ends[i]);
      before[k] = s;
      after[k] = (x!.shape[k] as number) - e;
    });
    return [pad(dy!, [...before, ...after]), null, null, null];
  },
};

const Pad: OpSpec = {
  type: 'Pad',
  infer: ([x], a) => {
    const pads = a._pads as number[];
    const r = x!.rank;
    const shape = x!.shape.map((d, i) => (pads[i] === 0 && pads[i + r] === 0 ? d : typeof d === 'number' ? d + pads[i] + pads[i + r] : `${d}+${pads[i] + pads[i + r]}`));
    return [{ dtype: x!.dtype, shape }];
  },
  // Constant padding's gradient is the interior slice of dy.
  vjp: ([dy], [x], _y, a) => {
    const pads = a._pads as number[];
    const r = x!.rank;
    const axes = [...Array(r).keys()].filter((i) => pads[i] !== 0 || pads[i + r] !== 0);
    const starts = axes.map((i) => pads[i]);
    const ends = axes.map((i) => {
      const d = dy!.shape[i];
      if (typeof d !== 'number') throw new Error('Pad VJP needs fixed sizes on padded axes');
      return d - pads[i + r];
    });
    return [slice(dy!, starts, ends, axes), null, null];
  },
};

/** Identity (a copy, or a rename at graph outputs). */
export const identity = (x: Value): Value => apply1(Identity, [x]);
/** Convert element type. */
export const cast = (x: Value, to: DType): Value => (x.dtype === to ? x : apply1(Cast, [x], { to: onnxDataType[to], _dtype: to }));
/** Reshape to fixed dims (0 keeps an input dim, -1 infers one). */
export function reshape(x: Value, dims: number[]): Value {
  return apply1(Reshape, [x, x.graph.ints(dims)], { _dims: reshapeDims(x.shape, dims) });
}
/** Reshape `x` to the (possibly symbolic) shape of `like`. */
export function reshapeTo(x: Value, like: Value): Value {
  return apply1(Reshape, [x, shapeOf(like)], { _dims: like.shape });
}
/** Permute axes (default: reverse them). */
export const transpose = (x: Value, perm?: number[]): Value =>
  apply1(Transpose, [x], { perm: perm ?? [...Array(x.rank).keys()].reverse() });
/** Swap the last two axes. */
export function transposeLast(x: Value): Value {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}
/** Insert size-1 axes. */
export const unsqueeze = (x: Value, axes: number[]): Value => apply1(Unsqueeze, [x, x.graph.ints(axes)], { _axes: axes });
/** Remove size-1 axes. */
export const squeeze = (x: Value, axes: number[]): Value => apply1(Squeeze, [x, x.graph.ints(axes)], { _axes: axes });
/** Broadcast to fixed dims. */
export const expand = (x: Value, dims: number[]): Value => apply1(Expand, [x, x.graph.ints(dims)], { _dims: dims });
/** Broadcast to the (possibly symbolic) shape of `like`. */
export const expandAs = (x: Value, like: Value): Value => apply1(Expand, [x, shapeOf(like)], { _dims: like.shape });
/** Join along an axis. */
export const concat = (xs: Value[], axis: number): Value => apply1(Concat, xs, { axis });
/** Cut along an axis into pieces of the given sizes. */
export const split = (x: Value, sizes: number[], axis: number): Value[] => apply(Split, [x, x.graph.ints(sizes)], { axis, _sizes: sizes });
/** x[starts:ends] on the given axes (step 1). */
export function slice(x: Value, starts: number[], ends: number[], axes: number[]): Value {
  const g = x.graph;
  return apply1(Slice, [x, g.ints(starts), g.ints(ends), g.ints(axes)], { _starts: starts, _ends: ends, _axes: axes });
}
/** Zero padding: pads = [begin_0..begin_r, end_0..end_r]. */
export const pad = (x: Value, pads: number[]): Value => apply1(Pad, [x, x.graph.ints(pads)], { _pads: pads, mode: 'constant' });

// Shape and layout primitives with their VJPs.
import { type DType, isFloat, onnxDataType } from '../dtype';
import { type Dim, type OpSpec, type Shape, Value } from '../graph';
import { apply, apply1, broadcastShapes, normAxis, sameAs, staticSize } from './core';

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

const ShapeOp: OpSpec = { type: 'Shape', infer: ([x], a) => [{ dtype: 'int64', shape: [(a._n as number | undefined) ?? x!.rank] }] };

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
  if (hole >= 0) out[hole] = quotient(input, out.filter((_, i) => i !== hole));
  return out;
}

/** prod(num) / prod(den) with symbols cancelled: a number, a symbol, or a symbolic product. */
function quotient(num: Shape, den: Shape): Dim {
  const syms = num.filter((d): d is string => typeof d === 'string');
  let n = 1;
  let m = 1;
  for (const d of num) if (typeof d === 'number') n *= d;
  const rest: string[] = [];
  for (const d of den) {
    if (typeof d === 'number') { m *= d; continue; }
    const k = syms.indexOf(d);
    if (k >= 0) syms.splice(k, 1); else rest.push(d);
  }
  if (!syms.length && !rest.length && n % m === 0) return n / m;
  const top = [...syms, ...(n === 1 ? [] : [String(n)])].join('*') || '1';
  if (!rest.length && m === 1) return top;
  if (!rest.length && n % m === 0 && syms.length) return [...syms, ...(n / m === 1 ? [] : [String(n / m)])].join('*');
  return `(${top})/(${[...rest, ...(m === 1 ? [] : [String(m)])].join('*')})`;
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

// Expand broadcasts x against the target (ONNX: the output may keep x's larger dims or rank).
// Its VJP is the reverse pass's unbroadcast of dy to the input's shape.
const Expand: OpSpec = {
  type: 'Expand',
  infer: ([x], a) => [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, a._dims as Dim[]) }],
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
    if (sizes.every((d) => typeof d === 'number')) return split(dy!, sizes as number[], axis);
    // Symbolic sizes: the split sizes are read from the inputs' runtime shapes.
    const g = dy!.graph;
    const parts = xs.map((x, i) => (typeof sizes[i] === 'number' ? g.ints([sizes[i] as number]) : gatherShape(x!, axis)));
    return apply(Split, [dy!, concat(parts, 0)], { axis, _sizes: sizes });
  },
};

/** x's runtime size along `axis` as an int64 [1] tensor (Shape with start/end, opset 15). */
const gatherShape = (x: Value, axis: number): Value => apply1(ShapeOp, [x], { start: axis, end: axis + 1, _n: 1 });

const Split: OpSpec = {
  type: 'Split',
  infer: ([x], a) => {
    const axis = normAxis(a.axis as number, x!.rank);
    return (a._sizes as Dim[]).map((n) => {
      const shape = [...x!.shape];
      shape[axis] = n;
      return { dtype: x!.dtype, shape };
    });
  },
  vjp: (dys, _x, ys, a) => [concat(dys.map((d, i) => d ?? zerosLike(ys[i])), a.axis as number), null],
};

/** Ends at or past this mean "to the end of the axis". */
const TO_END = 2 ** 31;

/**
 * Resolved bounds of x[start:end] on one axis (step 1). On a fixed dim they are clamped as ONNX
 * does; on a symbolic dim `size` is symbolic unless both bounds count from the same side, and
 * `before`/`after` (the elements cut off at each side) are null where they depend on the dim.
 */
function sliceBounds(dim: Dim, start: number, end: number): { start: number; end: number; size: Dim; before: number | null; after: number | null } {
  if (typeof dim === 'number') {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const s = clamp(start);
    const e = Math.max(clamp(end), s);
    return { start: s, end: e, size: e - s, before: s, after: dim - e };
  }
  const toEnd = end >= TO_END;
  const e = toEnd ? TO_END : end;
  let size: Dim;
  if (toEnd) size = start < 0 ? -start : start === 0 ? dim : `${dim}-${start}`;
  else if ((start < 0) === (end < 0)) size = Math.max(end - start, 0);
  else size = start >= 0 ? `${dim}-${start - end}` : `${end}-(${dim}${start})`;
  return { start, end: e, size, before: start >= 0 ? start : null, after: toEnd ? 0 : end < 0 ? -end : null };
}

type SliceAttrs = { _starts: number[]; _ends: number[]; _axes: number[] };

const Slice: OpSpec = {
  type: 'Slice',
  infer: ([x], a) => {
    const shape = [...x!.shape];
    const { _starts: starts, _ends: ends, _axes: axes } = a as SliceAttrs;
    axes.forEach((ax, i) => {
      const k = normAxis(ax, x!.rank);
      shape[k] = sliceBounds(shape[k], starts[i], ends[i]).size;
    });
    return [{ dtype: x!.dtype, shape }];
  },
  // The gradient of a slice is dy padded with zeros back to the input's extent.
  vjp: ([dy], [x], _y, a) => {
    const { _starts: starts, _ends: ends, _axes: axes } = a as SliceAttrs;
    const r = x!.rank;
    const pads: (number | Value)[] = new Array(2 * r).fill(0);
    axes.forEach((ax, i) => {
      const k = normAxis(ax, r);
      const b = sliceBounds(x!.shape[k], starts[i], ends[i]);
      // On a symbolic dim a side that depends on the size is computed from the runtime shape
      // (a small int64 computation; bounds are assumed to lie inside the axis).
      pads[k] = b.before ?? addInt(gatherShape(x!, k), starts[i]);
      pads[k + r] = b.after ?? addInt(gatherShape(x!, k), -ends[i]);
    });
    if (pads.every((p) => typeof p === 'number')) return [pad(dy!, pads as number[]), null, null, null];
    const g = dy!.graph;
    const padsT = concat(pads.map((p) => (typeof p === 'number' ? g.ints([p]) : p)), 0);
    return [apply1(Pad, [dy!, padsT], { mode: 'constant', _pads: pads.map((p) => (typeof p === 'number' ? p : 0)), _shape: x!.shape }), null, null, null];
  },
};

const AddInt: OpSpec = { type: 'Add', infer: sameAs(0) };
/** int64 v + c (shape arithmetic). */
const addInt = (v: Value, c: number): Value => apply1(AddInt, [v, v.graph.ints([c])]);

const Pad: OpSpec = {
  type: 'Pad',
  infer: ([x], a) => {
    if (a._shape) return [{ dtype: x!.dtype, shape: a._shape as Dim[] }]; // pads computed at run time
    const pads = a._pads as number[];
    const r = x!.rank;
    const shape = x!.shape.map((d, i) => (pads[i] === 0 && pads[i + r] === 0 ? d : typeof d === 'number' ? d + pads[i] + pads[i + r] : `${d}+${pads[i] + pads[i + r]}`));
    return [{ dtype: x!.dtype, shape }];
  },
  // Constant padding's gradient is the interior slice of dy.
  vjp: ([dy], [x], _y, a) => {
    if (a._shape) throw new Error('Pad VJP: pads computed at run time are not differentiable (second order)');
    const pads = a._pads as number[];
    const r = x!.rank;
    const axes = [...Array(r).keys()].filter((i) => pads[i] !== 0 || pads[i + r] !== 0);
    const starts = axes.map((i) => pads[i]);
    const ends = axes.map((i) => (pads[i + r] > 0 ? -pads[i + r] : TO_END));
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
/** Permute axes (default: reverse them); negative entries count from the end. */
export function transpose(x: Value, perm?: number[]): Value {
  const p = perm ? perm.map((ax) => normAxis(ax, x.rank)) : [...Array(x.rank).keys()].reverse();
  if (p.length !== x.rank || new Set(p).size !== p.length) throw new Error(`transpose: perm [${perm}] is not a permutation of rank ${x.rank}`);
  return apply1(Transpose, [x], { perm: p });
}
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
/**
 * x[starts:ends] on the given axes (step 1). Negative bounds count from the end; an end of
 * Infinity (or any end >= 2^31) means "to the end". Fixed dims get bounds resolved at build time.
 */
export function slice(x: Value, starts: number[], ends: number[], axes: number[]): Value {
  const g = x.graph;
  const b = axes.map((ax, i) => sliceBounds(x.shape[normAxis(ax, x.rank)], starts[i], ends[i]));
  return apply1(Slice, [x, g.ints(b.map((v) => v.start)), g.ints(b.map((v) => v.end)), g.ints(axes)], { _starts: starts, _ends: ends, _axes: axes });
}
/** Zero padding: pads = [begin_0..begin_r, end_0..end_r]. */
export const pad = (x: Value, pads: number[]): Value => apply1(Pad, [x, x.graph.ints(pads)], { _pads: pads, mode: 'constant' });

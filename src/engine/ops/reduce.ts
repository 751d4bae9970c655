// Reductions (opset 17: ReduceSum takes axes as an input, the others as an attribute).
import { type Dim, type OpSpec, type Value } from '../graph';
import { apply1, normAxis, sameAs } from './core';
import { cast, expandAs, shapeOf, unsqueeze } from './shape';
import { div, equal, exp, mul, sub } from './elementwise';
import { gather } from './indexing';

function reducedShape(x: Value, axes: number[], keepdims: boolean): Dim[] {
  const norm = axes.map((a) => normAxis(a, x.rank));
  return keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
}

const reduceSpec = (type: string, vjp: OpSpec['vjp']): OpSpec => ({
  type,
  infer: ([x], a) => [{ dtype: x!.dtype, shape: reducedShape(x!, a._axes as number[], a.keepdims === 1) }],
  vjp,
});

/** dy (and y) with the reduced axes restored as size 1, ready to broadcast against x. */
function keep(v: Value, x: Value, axes: number[], keepdims: boolean): Value {
  return keepdims ? v : unsqueeze(v, axes.map((a) => normAxis(a, x.rank)).sort((p, q) => p - q));
}

/** Number of elements reduced over, as a float scalar (a graph value when dims are symbolic). */
function count(x: Value, axes: number[]): Value | number {
  const dims = axes.map((a) => x.shape[normAxis(a, x.rank)]);
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((p, q) => p * q, 1);
  const picked = gather(shapeOf(x), x.graph.ints(axes.map((a) => normAxis(a, x.rank))), 0);
  return reduceProd(cast(picked, x.dtype), [0]);
}

const ReduceSum = reduceSpec('ReduceSum', ([dy], [x], _y, a) =>
  [expandAs(keep(dy!, x!, a._axes as number[], a.keepdims === 1), x!), null]);

const ReduceMean = reduceSpec('ReduceMean', ([dy], [x], _y, a) => {
  const axes = a._axes as number[];
  return [div(expandAs(keep(dy!, x!, axes, a.keepdims === 1), x!), count(x!, axes))];
});

// Ties share the gradient equally (as PyTorch's amax does).
const ReduceMax = reduceSpec('ReduceMax', ([dy], [x], [y], a) => {
  const axes = a._axes as number[];
  const k = a.keepdims === 1;
  const mask = cast(equal(x!, keep(y, x!, axes, k)), x!.dtype);
  const share = div(mask, reduceSum(mask, axes, true));
  return [mul(share, keep(dy!, x!, axes, k))];
});

// d/dx log sum exp x = softmax(x) = exp(x - y)
const ReduceLogSumExp = reduceSpec('ReduceLogSumExp', ([dy], [x], [y], a) => {
  const axes = a._axes as number[];
  const k = a.keepdims === 1;
  return [mul(keep(dy!, x!, axes, k), exp(sub(x!, keep(y, x!, axes, k))))];
});

const ReduceProd = reduceSpec('ReduceProd', undefined);

// NOTE: an explicitly empty axes list is a no-op here; ONNX would read it as "reduce all".
/** Sum over axes (all axes when none are given; none when `axes` is []). */
export function reduceSum(x: Value, axes?: number[], keepdims = false): Value {
  const ax = axes ?? [...Array(x.rank).keys()];
  if (ax.length === 0) return x;
  return apply1(ReduceSum, [x, x.graph.ints(ax)], { keepdims: keepdims ? 1 : 0, _axes: ax });
}
const attrReduce = (spec: OpSpec) => (x: Value, axes?: number[], keepdims = false): Value => {
  const ax = axes ?? [...Array(x.rank).keys()];
  if (ax.length === 0) return x;
  return apply1(spec, [x], { axes: ax, keepdims: keepdims ? 1 : 0, _axes: ax });
};
/** Mean over axes. */
export const reduceMean = attrReduce(ReduceMean);
/** Max over axes. */
export const reduceMax = attrReduce(ReduceMax);
/** log(sum(exp(x))) over axes, computed stably by ONNX Runtime. */
export const reduceLogSumExp = attrReduce(ReduceLogSumExp);
/** Product over axes (no gradient: used for element counts). */
export const reduceProd = attrReduce(ReduceProd);

/** Softmax along an axis. */
const Softmax: OpSpec = {
  type: 'Softmax',
  infer: sameAs(0),
  // dx = y * (dy - sum(dy * y))
  vjp: ([dy], _x, [y], a) => [mul(y, sub(dy!, reduceSum(mul(dy!, y), [a.axis as number], true)))],
};
/** Softmax along `axis` (ONNX Softmax, any axis since opset 13). */
export const softmax = (x: Value, axis = -1): Value => apply1(Softmax, [x], { axis });

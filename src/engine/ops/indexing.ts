// Gathers, scatters and selection.
import { type Dim, type OpSpec, type Value } from '../graph';
import { apply1, broadcastOut, normAxis, sameAs } from './core';
import { cast, transpose, unsqueeze, zerosLike } from './shape';

const Gather: OpSpec = {
  type: 'Gather',
  infer: ([data, idx], a) => {
    const k = normAxis(a.axis as number, data!.rank);
    return [{ dtype: data!.dtype, shape: [...data!.shape.slice(0, k), ...idx!.shape, ...data!.shape.slice(k + 1)] }];
  },
  // Scatter-add dy back into zeros of data's shape: embedding rows used twice sum their gradients.
  vjp: ([dy], [data, idx], _y, a) => {
    const k = normAxis(a.axis as number, data!.rank);
    if (k === 0) return [scatterNDAdd(zerosLike(data!), unsqueeze(idx!, [-1]), dy!), null];
    // Move the gathered axis to the front, scatter, and move it back.
    const r = data!.rank;
    const ri = idx!.rank;
    const perm = [k, ...[...Array(r).keys()].filter((i) => i !== k)];
    const dyPerm = [...Array(ri).keys()].map((i) => k + i);
    for (let i = 0; i < dy!.rank; i++) if (i < k || i >= k + ri) dyPerm.push(i);
    const front = scatterNDAdd(zerosLike(transpose(data!, perm)), unsqueeze(idx!, [-1]), transpose(dy!, dyPerm));
    return [transpose(front, perm.map((_, i) => perm.indexOf(i))), null];
  },
};

const GatherElements: OpSpec = {
  type: 'GatherElements',
  infer: ([data, idx]) => [{ dtype: data!.dtype, shape: idx!.shape }],
  vjp: ([dy], [data, idx], _y, a) => [scatterElementsAdd(zerosLike(data!), idx!, dy!, a.axis as number), null],
};

const ScatterND: OpSpec = { type: 'ScatterND', infer: sameAs(0) };
const ScatterElements: OpSpec = { type: 'ScatterElements', infer: sameAs(0) };

const Where: OpSpec = {
  type: 'Where',
  infer: (xs) => broadcastOut(xs[1]!.dtype)(xs),
  vjp: ([dy], [c]) => {
    const zero = dy!.graph.scalar(0, dy!.dtype);
    return [null, where(c!, dy!, zero), where(c!, zero, dy!)];
  },
};

// Trilu is linear and keeps a fixed set of entries: its VJP keeps the same entries of dy.
const Trilu: OpSpec = { type: 'Trilu', infer: sameAs(0), vjp: ([dy], [, k], _y, a) => [apply1(Trilu, [dy!, k], a), null] };

const Range: OpSpec = {
  type: 'Range',
  infer: ([start], a) => [{ dtype: start!.dtype, shape: [a._n as Dim] }],
};

/** data.take(indices, axis). */
export const gather = (data: Value, indices: Value, axis = 0): Value => apply1(Gather, [data, indices], { axis });
/** torch.gather: pick data[..., indices[...], ...] elementwise along `axis`. */
export const gatherElements = (data: Value, indices: Value, axis: number): Value =>
  apply1(GatherElements, [data, indices], { axis: normAxis(axis, data.rank) });
/** data with updates added at index tuples (duplicates accumulate). */
export const scatterNDAdd = (data: Value, indices: Value, updates: Value): Value =>
  // NOTE: ONNX ScatterND takes int64 indices only (Gather also takes int32).
  apply1(ScatterND, [data, cast(indices, 'int64'), updates], { reduction: 'add' });
/** data with updates added elementwise at indices along `axis`. */
export const scatterElementsAdd = (data: Value, indices: Value, updates: Value, axis: number): Value =>
  apply1(ScatterElements, [data, indices, updates], { axis: normAxis(axis, data.rank), reduction: 'add' });
/** cond ? a : b with broadcasting. */
export const where = (cond: Value, a: Value, b: Value): Value => apply1(Where, [cond, a, b]);
/** Keep the lower (upper=0) or upper triangle relative to diagonal `k`. */
export const trilu = (x: Value, upper: boolean, k = 0): Value =>
  apply1(Trilu, [x, x.graph.scalar(k, 'int64')], { upper: upper ? 1 : 0 });
/** 0, 1, ..., n-1 of the given dtype. */
export function range(g: Value['graph'], n: number, dtype: 'int32' | 'int64' | 'float32' = 'int32'): Value {
  return apply1(Range, [g.scalar(0, dtype), g.scalar(n, dtype), g.scalar(1, dtype)], { _n: n });
}

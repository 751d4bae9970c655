// Matrix products and convolution.
import { type OpSpec, type Value } from '../graph';
import { apply1, broadcastShapes } from './core';
import { transposeLast } from './shape';
import { mul } from './elementwise';

const MatMul: OpSpec = {
  type: 'MatMul',
  infer: ([a, b]) => {
    if (a!.rank < 2 || b!.rank < 2) throw new Error('matmul needs operands of rank >= 2');
    const batch = broadcastShapes(a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return [{ dtype: a!.dtype, shape: [...batch, a!.shape[a!.rank - 2], b!.shape[b!.rank - 1]] }];
  },
  // dA = dy B^T, dB = A^T dy; the reverse pass sums broadcast batch dims.
  vjp: ([dy], [a, b]) => [matmul(dy!, transposeLast(b!)), matmul(transposeLast(a!), dy!)],
};

const Gemm: OpSpec = {
  type: 'Gemm',
  infer: ([a, b], at) => {
    const m = at.transA ? a!.shape[1] : a!.shape[0];
    const n = at.transB ? b!.shape[0] : b!.shape[1];
    return [{ dtype: a!.dtype, shape: [m, n] }];
  },
  // y = alpha op(A) op(B) + beta C; each case below is that product rule with the transposes folded in.
  vjp: ([dy], [a, b, c], _y, at) => {
    const alpha = (at.alpha as { float: number } | undefined)?.float ?? 1;
    const beta = (at.beta as { float: number } | undefined)?.float ?? 1;
    const tA = at.transA === 1;
    const tB = at.transB === 1;
    const dA = tA ? gemm(b!, dy!, { transA: tB, transB: true, alpha }) : gemm(dy!, b!, { transB: !tB, alpha });
    const dB = tB ? gemm(dy!, a!, { transA: true, transB: tA, alpha }) : gemm(a!, dy!, { transA: !tA, alpha });
    const dC = c ? (beta === 1 ? dy! : mul(dy!, beta)) : null;
    return [dA, dB, dC];
  },
};

const Conv: OpSpec = {
  type: 'Conv',
  infer: ([x, w], a) => {
    const k = w!.shape[2] as number;
    const stride = (a.strides as number[])[0];
    const [p0, p1] = a.pads as number[];
    const len = x!.shape[2];
    const out = typeof len === 'number' ? Math.floor((len + p0 + p1 - k) / stride) + 1 : `conv(${len})`;
    return [{ dtype: x!.dtype, shape: [x!.shape[0], w!.shape[0], out] }];
  },
};

/** Batched matrix product with broadcasting of leading dims. */
export const matmul = (a: Value, b: Value): Value => apply1(MatMul, [a, b]);

/** ONNX Gemm on 2-D operands. */
export function gemm(a: Value, b: Value, o: { c?: Value; alpha?: number; beta?: number; transA?: boolean; transB?: boolean } = {}): Value {
  return apply1(Gemm, [a, b, o.c ?? null], {
    alpha: { float: o.alpha ?? 1 }, beta: { float: o.beta ?? 1 }, transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0,
  });
}

/** 1-D convolution [B, Cin, T] * [Cout, Cin, K] (+ bias), forward only (Whisper's stem). */
export function conv1d(x: Value, w: Value, bias: Value | null, stride = 1, padding = 0): Value {
  return apply1(Conv, [x, w, bias], { kernel_shape: [w.shape[2] as number], strides: [stride], pads: [padding, padding], dilations: [1], group: 1 });
}

/** Element types the engine emits; GPU-friendly ones first (DESIGN.md section 2). */
export type DType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8';

/** ONNX TensorProto.DataType codes. */
export const onnxDataType: Record<DType, number> = {
  float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10,
};

/** Typed arrays that carry tensor data on the CPU. */
export type TensorData =
  | Float32Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** True for the types gradients flow through. */
export const isFloat = (t: DType): boolean => t === 'float32' || t === 'float16';

/** Bytes per element. */
export const byteSize: Record<DType, number> = {
  float32: 4, float16: 2, int32: 4, int64: 8, bool: 1, uint8: 1, int8: 1,
};

/** A typed array of `n` zeros of dtype `t` (float16 is stored as raw Uint16 bits). */
export function allocData(t: DType, n: number): TensorData {
  switch (t) {
    case 'float32': return new Float32Array(n);
    case 'float16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'bool': case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
  }
}

/** Fill a typed array of dtype `t` from plain numbers. */
export function dataFrom(t: DType, values: ArrayLike<number>): TensorData {
  const out = allocData(t, values.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]));
  else if (t === 'float16') for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]);
  else (out as Float32Array).set(values);
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/**
 * Number -> float16 bits, round to nearest even (overflow to inf, NaN kept quiet).
 * NOTE: x is first rounded to float32; when that lands exactly halfway between two halves but
 * x itself was not halfway, the tie is broken by x (no double-rounding error for float64 input).
 */
export function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const e = (b >>> 23) & 0xff;
  let m = b & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  const exp = e - 127 + 15;
  if (exp >= 31) return sign | 0x7c00;
  // > 0: x lies above its float32 rounding (in magnitude), < 0 below, 0: x is a float32.
  const side = Math.abs(x) - Math.abs(f32[0]);
  const roundUp = (rem: number, halfway: number, h: number) =>
    rem > halfway || (rem === halfway && (side > 0 || (side === 0 && (h & 1) === 1)));
  if (exp <= 0) {
    if (exp < -10) return sign;
    m |= 0x800000; // the implicit leading bit becomes explicit in a subnormal
    const shift = 14 - exp;
    let h = m >>> shift;
    if (roundUp(m & ((1 << shift) - 1), 1 << (shift - 1), h)) h++;
    return sign | h;
  }
  let h = (exp << 10) | (m >>> 13);
  if (roundUp(m & 0x1fff, 0x1000, h)) h++; // a carry into the exponent is correct rounding
  return sign | h;
}

/** float16 bits -> number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits -> number (safetensors BF16 weights). */
export function fromBfloat16(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

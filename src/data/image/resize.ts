// Image resizing as Pillow's Image.resize: separable convolution whose kernel widens by the
// downscale factor (antialiasing), horizontal pass first, then vertical.
//
// Two numeric paths share the coefficients: 'uint8' reproduces Pillow's 8-bit arithmetic (22-bit
// fixed-point coefficients, round and clip to 0..255 after each pass), so it equals PIL on uint8
// images, which is what HF image processors feed in; 'float' keeps full precision.
import { ImageError, type RawImage } from './types';

/** Pillow's resample codes: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
export type ResampleCode = 0 | 1 | 2 | 3 | 4 | 5;

interface Kernel { support: number; f: (x: number) => number }

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const KERNELS: Record<Exclude<ResampleCode, 0>, Kernel> = {
  1: { support: 3, f: (x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0) },
  2: { support: 1, f: (x) => Math.max(0, 1 - Math.abs(x)) },
  3: {
    support: 2,
    f: (x) => { // Keys cubic, a = -0.5 (Pillow's choice)
      const a = -0.5, t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  4: { support: 0.5, f: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0) },
  5: { support: 1, f: (x) => { const t = Math.abs(x); return t >= 1 ? 0 : t === 0 ? 1 : sinc(t) * (0.54 + 0.46 * Math.cos(Math.PI * t)); } },
};

/** Per output index: first input index and normalized weights. */
interface Taps { start: Int32Array; weights: Float64Array[] }

function taps(inSize: number, outSize: number, code: ResampleCode): Taps {
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  const scale = inSize / outSize;
  if (code === 0) { // nearest: the input pixel whose cell holds the output centre
    for (let i = 0; i < outSize; i++) { start[i] = Math.min(inSize - 1, Math.floor((i + 0.5) * scale)); weights.push(Float64Array.of(1)); }
    return { start, weights };
  }
  const k = KERNELS[code];
  const fs = Math.max(scale, 1); // widen the kernel when shrinking
  const support = k.support * fs;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    const w = new Float64Array(Math.max(0, hi - lo));
    let sum = 0;
    for (let j = lo; j < hi; j++) { w[j - lo] = k.f((j - center + 0.5) / fs); sum += w[j - lo]; }
    if (sum !== 0) for (let j = 0; j < w.length; j++) w[j] /= sum;
    start[i] = lo;
    weights.push(w);
  }
  return { start, weights };
}

const PRECISION_BITS = 22; // Pillow: 32 - 8 - 2
const ONE = 2 ** PRECISION_BITS;

/** Pillow's fixed-point coefficients: round half away from zero. */
function fixedPoint(t: Taps): Taps {
  return { start: t.start, weights: t.weights.map((w) => w.map((v) => (v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE)))) };
}

/** One separable pass along x (`horizontal`) or y over HWC data with c channels. */
function pass<T extends Float32Array | Uint8Array>(
  src: T, w: number, h: number, c: number, t: Taps, horizontal: boolean, out: T, quantize: boolean,
): void {
  const outW = horizontal ? t.start.length : w, outH = horizontal ? h : t.start.length;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const i = horizontal ? x : y;
      const s0 = t.start[i], wt = t.weights[i];
      for (let ch = 0; ch < c; ch++) {
        let acc = quantize ? ONE / 2 : 0; // + 0.5 in fixed point: round to nearest
        for (let j = 0; j < wt.length; j++) {
          const p = horizontal ? (y * w + s0 + j) * c + ch : ((s0 + j) * w + x) * c + ch;
          acc += src[p] * wt[j];
        }
        // NOTE: in the uint8 path acc is an exact integer (< 2^53), so floor(acc / 2^22) is Pillow's >> 22.
        out[(y * outW + x) * c + ch] = quantize ? Math.min(255, Math.max(0, Math.floor(acc / ONE))) : acc;
      }
    }
  }
}

function check(w: number, h: number, outW: number, outH: number, name: string): void {
  if (!(Number.isInteger(outW) && outW >= 1 && Number.isInteger(outH) && outH >= 1)) {
    throw new ImageError(name, `cannot resize to ${outW}x${outH}: sizes must be positive integers`);
  }
  if (w < 1 || h < 1) throw new ImageError(name, `cannot resize an empty ${w}x${h} image`);
}

/** Resize 8-bit pixels exactly as Pillow's Image.resize((outW, outH), resample). */
export function resizeUint8(img: RawImage, outW: number, outH: number, resample: ResampleCode = 3, name = 'image'): RawImage {
  const { width: w, height: h, channels: c } = img;
  check(w, h, outW, outH, name);
  let data = img.data;
  if (outW !== w) {
    const t = resample === 0 ? taps(w, outW, 0) : fixedPoint(taps(w, outW, resample));
    const out = new Uint8Array(outW * h * c);
    pass(data, w, h, c, t, true, out, resample !== 0);
    data = out;
  }
  if (outH !== h) {
    const t = resample === 0 ? taps(h, outH, 0) : fixedPoint(taps(h, outH, resample));
    const out = new Uint8Array(outW * outH * c);
    pass(data, outW, h, c, t, false, out, resample !== 0);
    data = out;
  }
  return { width: outW, height: outH, channels: c, data: data === img.data ? data.slice() : data };
}

/** Resize float HWC pixels with the same kernels, no rounding or clipping. */
export function resizeFloat(data: Float32Array, w: number, h: number, c: number, outW: number, outH: number, resample: ResampleCode = 3): Float32Array {
  check(w, h, outW, outH, 'image');
  let cur = data;
  if (outW !== w) { const out = new Float32Array(outW * h * c); pass(cur, w, h, c, taps(w, outW, resample), true, out, false); cur = out; }
  if (outH !== h) { const out = new Float32Array(outW * outH * c); pass(cur, outW, h, c, taps(h, outH, resample), false, out, false); cur = out; }
  return cur === data ? data.slice() : cur;
}

// HF image-processor pipeline: RGB -> (cap) -> resize -> center crop -> rescale -> normalize -> CHW.
import type { ImageProcessorConfig, SizeSpec } from './processor-config';
import { resizeUint8 } from './resize';
import { toRgb } from './rgb';
import { ImageError, type ImageTensor, type RawImage } from './types';

/** Output (height, width) for `size`, as HF get_resize_output_image_size (int() truncation). */
export function resizeOutputSize(height: number, width: number, size: SizeSpec): [number, number] {
  if ('height' in size) return [size.height, size.width];
  if ('shortestEdge' in size) {
    const [short, long] = height <= width ? [height, width] : [width, height];
    let newShort = size.shortestEdge;
    let newLong = Math.trunc((newShort * long) / short);
    if (size.longestEdge !== undefined && newLong > size.longestEdge) {
      newShort = Math.trunc((size.longestEdge * newShort) / newLong);
      newLong = size.longestEdge;
    }
    return height <= width ? [newShort, newLong] : [newLong, newShort];
  }
  // longest_edge alone: the long side becomes L, the short one keeps the aspect ratio.
  const scale = size.longestEdge / Math.max(height, width);
  return height >= width
    ? [size.longestEdge, Math.max(1, Math.trunc(width * scale))]
    : [Math.max(1, Math.trunc(height * scale)), size.longestEdge];
}

/** Crop (h, w) from the centre, zero-padding a smaller image (HF center_crop). */
function centerCrop(img: RawImage, h: number, w: number): RawImage {
  const out = new Uint8Array(h * w * img.channels);
  const top = Math.floor((img.height - h) / 2), left = Math.floor((img.width - w) / 2);
  for (let y = 0; y < h; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= img.width) continue;
      for (let c = 0; c < img.channels; c++) out[(y * w + x) * img.channels + c] = img.data[(sy * img.width + sx) * img.channels + c];
    }
  }
  return { width: w, height: h, channels: img.channels, data: out };
}

/** Options beyond the processor config. */
export interface PreprocessOptions {
  /** Seed 002's `--max_image_size`: first shrink (same filter) so the longer side is at most this. */
  maxImageSize?: number;
  /** File name for error messages. */
  name?: string;
}

/** Run the processor pipeline on decoded pixels; returns float32 CHW (3 channels). */
export function preprocessImage(img: RawImage, config: ImageProcessorConfig, { maxImageSize, name = 'image' }: PreprocessOptions = {}): ImageTensor {
  if (img.width < 1 || img.height < 1) throw new ImageError(name, `image has no pixels (${img.width}x${img.height})`);
  if (img.data.length !== img.width * img.height * img.channels) {
    throw new ImageError(name, `pixel buffer holds ${img.data.length} bytes, expected ${img.width}x${img.height}x${img.channels}`);
  }
  let x = img;
  if (config.doConvertRgb || x.channels !== 3) x = toRgb(x, config.alpha);
  if (maxImageSize !== undefined) {
    if (!(Number.isInteger(maxImageSize) && maxImageSize >= 1)) throw new ImageError(name, `max_image_size must be a positive integer, got ${maxImageSize}`);
    if (Math.max(x.width, x.height) > maxImageSize) {
      const [h, w] = resizeOutputSize(x.height, x.width, { longestEdge: maxImageSize });
      x = resizeUint8(x, w, h, config.resample, name);
    }
  }
  if (config.doResize) {
    const [h, w] = resizeOutputSize(x.height, x.width, config.size);
    if (h !== x.height || w !== x.width) x = resizeUint8(x, w, h, config.resample, name);
  }
  if (config.doCenterCrop && config.cropSize) x = centerCrop(x, config.cropSize.height, config.cropSize.width);
  const { width: w, height: h } = x;
  const out = new Float32Array(3 * h * w);
  const scale = config.doRescale ? config.rescaleFactor : 1;
  for (let c = 0; c < 3; c++) {
    const mean = config.doNormalize ? config.imageMean[c] : 0, std = config.doNormalize ? config.imageStd[c] : 1;
    for (let i = 0; i < h * w; i++) out[c * h * w + i] = (x.data[i * 3 + c] * scale - mean) / std;
  }
  return { data: out, channels: 3, height: h, width: w };
}

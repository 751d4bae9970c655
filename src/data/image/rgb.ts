// Any decoded image to 3-channel RGB (HF `do_convert_rgb`).
import type { RawImage } from './types';

/**
 * How alpha is removed: 'white' composites over white (Idefics3/SmolVLM's convert_to_rgb),
 * 'drop' discards it (PIL `convert("RGB")`, used by CLIP-style processors).
 */
export type AlphaMode = 'white' | 'drop';

/** RGB pixels (HWC, 3 channels); gray is replicated, alpha handled per `alpha`. */
export function toRgb(img: RawImage, alpha: AlphaMode = 'white'): RawImage {
  const { width, height, channels: c, data } = img;
  if (c === 3) return img;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const gray = c <= 2;
    const r = data[i * c], g = gray ? r : data[i * c + 1], b = gray ? r : data[i * c + 2];
    const a = c === 2 ? data[i * 2 + 1] : c === 4 ? data[i * 4 + 3] : 255;
    if (alpha === 'drop' || a === 255) {
      out[i * 3] = r; out[i * 3 + 1] = g; out[i * 3 + 2] = b;
    } else {
      // c * a + 255 * (1 - a), rounded to the nearest level.
      out[i * 3] = Math.round((r * a + 255 * (255 - a)) / 255);
      out[i * 3 + 1] = Math.round((g * a + 255 * (255 - a)) / 255);
      out[i * 3 + 2] = Math.round((b * a + 255 * (255 - a)) / 255);
    }
  }
  return { width, height, channels: 3, data: out };
}

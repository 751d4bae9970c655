// Browser and Worker image decoding: createImageBitmap + OffscreenCanvas (PNG, JPEG, GIF, WebP, BMP).
import { ImageError, sniffImage, type RawImage } from './types';

/** Decode with the browser's codecs to RGBA pixels (the first frame of an animation). */
export async function decodeImageBrowser(bytes: Uint8Array, name: string): Promise<RawImage> {
  const format = sniffImage(bytes, name);
  let bitmap: ImageBitmap;
  try {
    // No colour-space conversion and no premultiplication: the file's own 8-bit values.
    bitmap = await createImageBitmap(new Blob([bytes.slice().buffer], { type: `image/${format}` }), {
      colorSpaceConversion: 'none', premultiplyAlpha: 'none',
    });
  } catch (e) {
    throw new ImageError(name, `the browser could not decode this ${format.toUpperCase()}: ${(e as Error).message}`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageError(name, 'no 2D canvas context available');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  // NOTE: canvases store premultiplied alpha, so colours of nearly transparent pixels lose bits.
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

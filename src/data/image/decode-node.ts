// Node-only image decoding (pngjs needs node:zlib): PNG via pngjs, JPEG via jpeg-js.
// The browser and Worker use decode-browser.ts instead.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageError, sniffImage, type RawImage } from './types';

/** Decode PNG or JPEG bytes to RGBA (PNG) or RGB (JPEG) pixels. */
export function decodeImageNode(bytes: Uint8Array, name: string): RawImage {
  const format = sniffImage(bytes, name);
  if (format === 'png') {
    try {
      // NOTE: 16-bit PNGs are reduced to 8 bits by pngjs (high byte), as Pillow does for RGB(A).
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (e) {
      throw new ImageError(name, `invalid or truncated PNG: ${(e as Error).message}`);
    }
  }
  if (format === 'jpeg') {
    // jpeg-js decodes a cut file silently (grey rows); a JPEG must end with the EOI marker.
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--; // tolerate zero padding after EOI
    if (end < 4 || bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) throw new ImageError(name, 'truncated JPEG: no end-of-image marker (the file was cut)');
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false });
      return { width: img.width, height: img.height, channels: 3, data: img.data };
    } catch (e) {
      throw new ImageError(name, `invalid JPEG: ${(e as Error).message ?? String(e)}`);
    }
  }
  throw new ImageError(name, `${format.toUpperCase()} images are not supported in Node; convert to PNG or JPEG`);
}

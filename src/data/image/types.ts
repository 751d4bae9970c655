// Shared shapes and the error type of the image pipeline.

/** 8-bit pixels, row-major HWC: `data[(y * width + x) * channels + c]`. */
export interface RawImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

/** Model input: float32 CHW, `data[(c * height + y) * width + x]`. */
export interface ImageTensor {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** An image decoding or validation failure; the message always names the file. */
export class ImageError extends Error {
  /** `file` is the name given by the caller. */
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ImageError';
  }
}

/** Image containers recognized from magic bytes. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

/** The container of `bytes`; throws ImageError when empty or unknown. */
export function sniffImage(bytes: Uint8Array, name: string): ImageFormat {
  if (bytes.length === 0) throw new ImageError(name, 'the file is empty (0 bytes)');
  const s = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
  if (bytes[0] === 0x89 && s(1, 3) === 'PNG') return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (s(0, 4) === 'GIF8') return 'gif';
  if (s(0, 4) === 'RIFF' && s(8, 4) === 'WEBP') return 'webp';
  if (s(0, 2) === 'BM') return 'bmp';
  const hex = Array.from(bytes.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new ImageError(name, `unrecognized image format (first bytes: ${hex}); expected PNG or JPEG`);
}

// Public API of the image pipeline, browser- and Worker-safe. Node decoding (pngjs needs
// node:zlib) is in `./decode-node`, imported directly by Node code only.
export type { RawImage, ImageTensor, ImageFormat } from './types';
export { ImageError, sniffImage } from './types';
export { decodeImageBrowser } from './decode-browser';
export type { AlphaMode } from './rgb';
export { toRgb } from './rgb';
export type { ResampleCode } from './resize';
export { resizeUint8, resizeFloat } from './resize';
export type { SizeSpec, ImageProcessorConfig } from './processor-config';
export { imageProcessorConfigFromHf } from './processor-config';
export type { PreprocessOptions } from './preprocess';
export { preprocessImage, resizeOutputSize } from './preprocess';

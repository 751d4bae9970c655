// Image settings from an HF preprocessor_config.json (BaseImageProcessor fields).
import { z } from 'zod';
import type { ResampleCode } from './resize';
import type { AlphaMode } from './rgb';
import { ImageError } from './types';

/** Target size: exact, or aspect-preserving by one edge. */
export type SizeSpec =
  | { height: number; width: number }
  | { shortestEdge: number; longestEdge?: number }
  | { longestEdge: number };

/** Everything `preprocessImage` needs. */
export interface ImageProcessorConfig {
  doConvertRgb: boolean;
  alpha: AlphaMode;
  doResize: boolean;
  size: SizeSpec;
  resample: ResampleCode;
  doCenterCrop: boolean;
  cropSize?: { height: number; width: number };
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
}

const posInt = z.number().int().positive();
const triple = z.union([z.number(), z.array(z.number()).length(3)]);
const sizeSchema = z.union([
  posInt,
  z.object({ height: posInt, width: posInt }),
  z.object({ shortest_edge: posInt, longest_edge: posInt.optional() }),
  z.object({ longest_edge: posInt }),
]);
const schema = z.object({
  do_convert_rgb: z.boolean().optional(),
  do_resize: z.boolean().optional(),
  size: sizeSchema.optional(),
  resample: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]).optional(),
  do_center_crop: z.boolean().optional(),
  crop_size: z.union([posInt, z.object({ height: posInt, width: posInt })]).optional(),
  do_rescale: z.boolean().optional(),
  rescale_factor: z.number().positive().optional(),
  do_normalize: z.boolean().optional(),
  image_mean: triple.optional(),
  image_std: triple.optional(),
});

const toTriple = (v: number | number[]): [number, number, number] => (typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);

/**
 * Read an image preprocessor_config.json (parsed JSON); unknown keys are ignored. Defaults
 * where a field is missing: resize to 224x224 bilinear (2), rescale 1/255, normalize with 0.5/0.5
 * (IMAGENET_STANDARD), convert to RGB with alpha over white (`alpha` option).
 */
export function imageProcessorConfigFromHf(json: unknown, name = 'preprocessor_config.json', alpha: AlphaMode = 'white'): ImageProcessorConfig {
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ImageError(name, `invalid ${i.path.join('.') || 'config'}: ${i.message}`);
  }
  const c = r.data;
  const s = c.size ?? { height: 224, width: 224 };
  let size: SizeSpec;
  if (typeof s === 'number') size = { height: s, width: s }; // legacy int: a square
  else if ('height' in s) size = { height: s.height, width: s.width };
  else if ('shortest_edge' in s) size = { shortestEdge: s.shortest_edge, longestEdge: s.longest_edge };
  else size = { longestEdge: s.longest_edge };
  const crop = c.crop_size === undefined ? undefined : typeof c.crop_size === 'number' ? { height: c.crop_size, width: c.crop_size } : c.crop_size;
  if (c.do_center_crop && !crop) throw new ImageError(name, 'do_center_crop is true but crop_size is missing');
  const std = toTriple(c.image_std ?? 0.5);
  if (std.some((v) => v === 0)) throw new ImageError(name, 'image_std has a zero entry');
  return {
    doConvertRgb: c.do_convert_rgb ?? true, alpha, doResize: c.do_resize ?? true, size, resample: c.resample ?? 2,
    doCenterCrop: c.do_center_crop ?? false, cropSize: crop, doRescale: c.do_rescale ?? true, rescaleFactor: c.rescale_factor ?? 1 / 255,
    doNormalize: c.do_normalize ?? true, imageMean: toTriple(c.image_mean ?? 0.5), imageStd: std,
  };
}

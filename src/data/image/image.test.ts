import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImageNode } from './decode-node';
import { preprocessImage, resizeOutputSize } from './preprocess';
import { imageProcessorConfigFromHf } from './processor-config';
import { resizeFloat, resizeUint8, type ResampleCode } from './resize';
import { toRgb } from './rgb';
import { ImageError, sniffImage } from './types';

const fixtures = new URL('../../../tests/fixtures/images/', import.meta.url);
const golden = new URL('../../../tests/golden/features/', import.meta.url);
const bytes = (f: string, dir = fixtures) => new Uint8Array(readFileSync(new URL(f, dir)));
const f32 = (f: string) => { const b = bytes(f, golden); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
/** Pixels as Pillow decoded them (tests/fixtures/images/gen.py), RGB. */
const pillowRgb = (f: string) => {
  const rgba = bytes(f.replace(/\.\w+$/, '.rgba'));
  return Uint8Array.from({ length: (rgba.length / 4) * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
};

describe('decoding (Node: pngjs, jpeg-js)', () => {
  it('PNG RGB, RGBA, gray and palette decode to the same pixels as Pillow', () => {
    for (const f of ['rgb-40x30.png', 'rgba-37x23.png', 'gray-31x17.png', 'palette-16x16.png']) {
      const img = decodeImageNode(bytes(f), f);
      expect(maxDiff(toRgb(img, 'drop').data, pillowRgb(f))).toBe(0);
    }
    const rgba = decodeImageNode(bytes('rgba-37x23.png'), 'a');
    expect([rgba.width, rgba.height, rgba.channels]).toEqual([37, 23, 4]);
  });

  it('JPEG (gray, 4:4:4, 4:2:0) decodes close to libjpeg', () => {
    // NOTE: jpeg-js differs from libjpeg in IDCT rounding and upsamples chroma by replication
    // (libjpeg interpolates). Measured max/mean |diff| in levels: gray 1/0.05, 4:4:4 3/0.55,
    // 4:2:0 11/2.5 on this smooth image (more at sharp colour edges). The browser path uses the
    // browser's libjpeg-turbo instead.
    const bounds: [string, number, number][] = [['gray-16x16.jpg', 1, 0.1], ['photo444-48x32.jpg', 3, 0.6], ['photo-48x32.jpg', 12, 2.6]];
    for (const [f, max, mean] of bounds) {
      const img = toRgb(decodeImageNode(bytes(f), f));
      const ref = pillowRgb(f);
      let sum = 0;
      for (let i = 0; i < ref.length; i++) sum += Math.abs(img.data[i] - ref[i]);
      expect(maxDiff(img.data, ref)).toBeLessThanOrEqual(max);
      expect(sum / ref.length).toBeLessThan(mean);
    }
  });

  it('rejects empty, truncated and unsupported files by name', () => {
    expect(() => decodeImageNode(new Uint8Array(0), 'e.png')).toThrow('e.png: the file is empty (0 bytes)');
    const png = bytes('rgb-40x30.png');
    expect(() => decodeImageNode(png.subarray(0, png.length - 20), 'cut.png')).toThrow(/cut\.png: invalid or truncated PNG/);
    const jpg = bytes('photo-48x32.jpg');
    expect(() => decodeImageNode(jpg.subarray(0, jpg.length >> 1), 'cut.jpg')).toThrow(/cut\.jpg: truncated JPEG/);
    expect(() => decodeImageNode(Uint8Array.from('GIF89a\0\0', (c) => c.charCodeAt(0)), 'a.gif')).toThrow(/a\.gif: GIF images are not supported in Node/);
    expect(() => decodeImageNode(Uint8Array.of(1, 2, 3, 4), 'x.bin')).toThrow(ImageError);
    expect(sniffImage(bytes('photo-48x32.jpg'), 'j')).toBe('jpeg');
  });
});

describe('toRgb', () => {
  it('composites alpha over white or drops it; replicates gray', () => {
    const rgba = { width: 2, height: 1, channels: 4 as const, data: Uint8Array.of(200, 100, 0, 0, 10, 20, 30, 128) };
    expect(Array.from(toRgb(rgba, 'white').data)).toEqual([255, 255, 255, 132, 137, 142]); // round(c a/255 + 255 (1 - a/255))
    expect(Array.from(toRgb(rgba, 'drop').data)).toEqual([200, 100, 0, 10, 20, 30]);
    expect(Array.from(toRgb({ width: 1, height: 1, channels: 2, data: Uint8Array.of(50, 255) }).data)).toEqual([50, 50, 50]);
  });
});

describe('resize against the NumPy reference (tests/golden/features/gen_image.py)', () => {
  const manifest = JSON.parse(readFileSync(new URL('image-manifest.json', golden), 'utf8')) as {
    cases: { name: string; image: string; config: unknown; max_image_size: number | null; shape: number[]; file: string }[];
    float: { resample: ResampleCode; width: number; height: number; file: string }[];
  };

  for (const c of manifest.cases) {
    it(`processor pipeline ${c.name}: equal within 1e-6 (uint8 resize bit-exact with Pillow)`, () => {
      const cfg = imageProcessorConfigFromHf(c.config);
      const out = preprocessImage(decodeImageNode(bytes(c.image), c.image), cfg, { maxImageSize: c.max_image_size ?? undefined, name: c.image });
      expect([out.channels, out.height, out.width]).toEqual(c.shape);
      // The reference resizes are asserted equal to PIL.Image.resize in the generator; any uint8
      // difference here would show as >= 1/255/std, so 1e-6 means identical pixels.
      expect(maxDiff(out.data, f32(c.file))).toBeLessThan(1e-6);
    });
  }

  for (const c of manifest.float) {
    it(`float resize, resample ${c.resample} to ${c.width}x${c.height}: within 1e-4`, () => {
      const img = toRgb(decodeImageNode(bytes('rgb-40x30.png'), 'rgb'));
      const out = resizeFloat(Float32Array.from(img.data), img.width, img.height, 3, c.width, c.height, c.resample);
      const ref = f32(c.file);
      expect(maxDiff(out, ref)).toBeLessThan(1e-4); // measured ~3e-5 (float32 storage of values up to 255)
    });
  }

  it('nearest picks the source pixel under each output centre; equal size is a copy', () => {
    const img = { width: 4, height: 1, channels: 1 as const, data: Uint8Array.of(0, 10, 20, 30) };
    expect(Array.from(resizeUint8(img, 2, 1, 0).data)).toEqual([10, 30]);
    expect(Array.from(resizeUint8(img, 8, 1, 0).data)).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
    const same = resizeUint8(img, 4, 1, 3);
    expect(same.data).toEqual(img.data);
    expect(same.data).not.toBe(img.data);
    expect(() => resizeUint8(img, 0, 1)).toThrow(/sizes must be positive integers/);
  });
});

describe('processor config', () => {
  it('HF size rules: {height,width}, shortest_edge (+longest_edge cap), longest_edge', () => {
    expect(resizeOutputSize(30, 40, { height: 7, width: 9 })).toEqual([7, 9]);
    expect(resizeOutputSize(30, 40, { shortestEdge: 24 })).toEqual([24, 32]);
    expect(resizeOutputSize(40, 30, { shortestEdge: 24 })).toEqual([32, 24]);
    expect(resizeOutputSize(100, 1000, { shortestEdge: 50, longestEdge: 200 })).toEqual([20, 200]);
    expect(resizeOutputSize(30, 40, { longestEdge: 20 })).toEqual([15, 20]);
  });

  it('reads a CLIP config and defaults; names the file on bad input', () => {
    const c = imageProcessorConfigFromHf({
      crop_size: 224, do_center_crop: true, do_normalize: true, do_resize: true, feature_extractor_type: 'CLIPFeatureExtractor',
      image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711], resample: 3, size: 224,
    });
    expect(c.size).toEqual({ height: 224, width: 224 });
    expect(c.cropSize).toEqual({ height: 224, width: 224 });
    expect(c.resample).toBe(3);
    expect(c.rescaleFactor).toBeCloseTo(1 / 255, 12);
    expect(() => imageProcessorConfigFromHf({ resample: 7 }, 'vlm/preprocessor_config.json')).toThrow(/vlm\/preprocessor_config\.json: invalid resample/);
    expect(() => imageProcessorConfigFromHf({ image_std: [1, 0, 1] }, 'p.json')).toThrow(/p\.json: image_std has a zero entry/);
    expect(() => imageProcessorConfigFromHf({ do_center_crop: true }, 'p.json')).toThrow(/crop_size is missing/);
  });

  it('max_image_size caps the longer side before the processor resize; rejects bad pixel buffers', () => {
    const cfg = imageProcessorConfigFromHf({ do_resize: false, do_normalize: false });
    const img = decodeImageNode(bytes('rgb-40x30.png'), 'rgb');
    const out = preprocessImage(img, cfg, { maxImageSize: 20 });
    expect([out.height, out.width]).toEqual([15, 20]);
    expect(Math.max(...out.data)).toBeLessThanOrEqual(1);
    expect(() => preprocessImage({ width: 2, height: 2, channels: 3, data: new Uint8Array(5) }, cfg, { name: 'bad.png' })).toThrow(/bad\.png: pixel buffer holds 5 bytes/);
  });
});

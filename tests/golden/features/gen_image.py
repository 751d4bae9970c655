"""Golden image-processor outputs for src/data/image; run with /usr/bin/python3 (numpy, Pillow).

The reference is written here in NumPy from Pillow's documented resampling semantics (a separable
convolution whose kernel widens by the downscale factor; 22-bit fixed-point coefficients, round
and clip to uint8 after each pass, horizontal pass first). Pillow itself is used only as a
cross-check: every uint8 resize below is asserted equal to PIL.Image.resize.
The HF processor steps (convert RGB, resize, center crop, rescale, normalize, CHW) follow
transformers' BaseImageProcessor order. Inputs come from tests/fixtures/images (its gen.py).
Writes image-<case>.f32 (float32 CHW) and image-manifest.json.
"""
import json
import math
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, '..', '..', 'fixtures', 'images')


def sinc(x):
    return np.sinc(x)  # sin(pi x) / (pi x)


def bicubic(x):
    a, t = -0.5, np.abs(x)
    return np.where(t < 1, ((a + 2) * t - (a + 3)) * t * t + 1, np.where(t < 2, (((t - 5) * t + 8) * t - 4) * a, 0.0))


KERNELS = {
    1: (3.0, lambda x: np.where(np.abs(x) < 3, sinc(x) * sinc(x / 3), 0.0)),
    2: (1.0, lambda x: np.maximum(0.0, 1 - np.abs(x))),
    3: (2.0, bicubic),
    4: (0.5, lambda x: ((x >= -0.5) & (x < 0.5)).astype(np.float64)),
    5: (1.0, lambda x: np.where(np.abs(x) < 1, sinc(x) * (0.54 + 0.46 * np.cos(np.pi * x)), 0.0)),
}


def weights(in_size, out_size, code):
    """Dense [out, in] matrix of normalized taps."""
    support, f = KERNELS[code]
    scale = in_size / out_size
    fs = max(scale, 1.0)
    sup = support * fs
    m = np.zeros((out_size, in_size))
    for i in range(out_size):
        center = (i + 0.5) * scale
        lo = max(int(center - sup + 0.5), 0)
        hi = min(int(center + sup + 0.5), in_size)
        j = np.arange(lo, hi)
        w = f((j - center + 0.5) / fs)
        if w.sum() != 0:
            w = w / w.sum()
        m[i, lo:hi] = w
    return m


def fixed(m):
    one = 1 << 22
    return np.where(m < 0, np.trunc(-0.5 + m * one), np.trunc(0.5 + m * one)).astype(np.int64)


def resize_u8(img, out_w, out_h, code):
    x = img.astype(np.int64)
    if out_w != x.shape[1]:
        k = fixed(weights(x.shape[1], out_w, code))
        x = np.clip(((1 << 21) + np.einsum('ow,hwc->hoc', k, x)) >> 22, 0, 255)
    if out_h != x.shape[0]:
        k = fixed(weights(x.shape[0], out_h, code))
        x = np.clip(((1 << 21) + np.einsum('oh,hwc->owc', k, x)) >> 22, 0, 255)
    return x.astype(np.uint8)


def resize_float(img, out_w, out_h, code):
    x = img.astype(np.float64)
    if out_w != x.shape[1]:
        x = np.einsum('ow,hwc->hoc', weights(x.shape[1], out_w, code), x)
    if out_h != x.shape[0]:
        x = np.einsum('oh,hwc->owc', weights(x.shape[0], out_h, code), x)
    return x


def load_rgb(name, alpha='white'):
    im = Image.open(os.path.join(IMAGES, name))
    rgba = np.asarray(im.convert('RGBA')).astype(np.float64)
    rgb, a = rgba[..., :3], rgba[..., 3:] / 255.0
    if alpha == 'white':
        rgb = np.floor(rgb * a + 255 * (1 - a) + 0.5)  # round half up; exact for a = 255
    return rgb.astype(np.uint8)


def output_size(h, w, size):
    if 'height' in size:
        return size['height'], size['width']
    if 'shortest_edge' in size:
        short, long = (h, w) if h <= w else (w, h)
        ns, nl = size['shortest_edge'], int(size['shortest_edge'] * long / short)
        if 'longest_edge' in size and nl > size['longest_edge']:
            ns, nl = int(size['longest_edge'] * ns / nl), size['longest_edge']
        return (ns, nl) if h <= w else (nl, ns)
    L = size['longest_edge']
    return (L, max(1, int(w * L / max(h, w)))) if h >= w else (max(1, int(h * L / max(h, w))), L)


def check_pil(img, out_w, out_h, code, mine):
    pil = np.asarray(Image.fromarray(img).resize((out_w, out_h), resample=code))
    assert np.array_equal(pil, mine), f'NumPy reference differs from Pillow (max {np.abs(pil.astype(int) - mine).max()})'


def preprocess(name, cfg, max_image_size=None):
    x = load_rgb(name)
    code = cfg.get('resample', 2)
    if max_image_size is not None and max(x.shape[:2]) > max_image_size:
        h, w = output_size(x.shape[0], x.shape[1], {'longest_edge': max_image_size})
        y = resize_u8(x, w, h, code)
        check_pil(x, w, h, code, y)
        x = y
    h, w = output_size(x.shape[0], x.shape[1], cfg['size'])
    if (h, w) != x.shape[:2]:
        y = resize_u8(x, w, h, code)
        check_pil(x, w, h, code, y)
        x = y
    if cfg.get('do_center_crop'):
        ch, cw = cfg['crop_size']['height'], cfg['crop_size']['width']
        top, left = (x.shape[0] - ch) // 2, (x.shape[1] - cw) // 2
        x = x[top:top + ch, left:left + cw]
    x = x.astype(np.float64) * cfg.get('rescale_factor', 1 / 255)
    if cfg.get('do_normalize', True):
        x = (x - np.array(cfg['image_mean'])) / np.array(cfg['image_std'])
    return x.transpose(2, 0, 1)


CLIP = {'size': {'shortest_edge': 24}, 'resample': 3, 'do_center_crop': True, 'crop_size': {'height': 20, 'width': 20},
        'rescale_factor': 1 / 255, 'image_mean': [0.48145466, 0.4578275, 0.40821073], 'image_std': [0.26862954, 0.26130258, 0.27577711]}
CASES = [
    ('clip-rgb', 'rgb-40x30.png', CLIP, None),
    ('siglip-rgba', 'rgba-37x23.png', {'size': {'height': 16, 'width': 16}, 'resample': 2, 'image_mean': [0.5] * 3, 'image_std': [0.5] * 3}, None),
    ('upscale-gray', 'gray-31x17.png', {'size': {'height': 29, 'width': 45}, 'resample': 3, 'do_normalize': False}, None),
    ('lanczos-mixed', 'rgb-40x30.png', {'size': {'height': 12, 'width': 57}, 'resample': 1, 'image_mean': [0.5] * 3, 'image_std': [0.5] * 3}, None),
    ('cap-hamming', 'rgb-40x30.png', {'size': {'shortest_edge': 10}, 'resample': 5, 'image_mean': [0.5] * 3, 'image_std': [0.5] * 3}, 25),
    ('longest-box', 'palette-16x16.png', {'size': {'longest_edge': 7}, 'resample': 4, 'image_mean': [0.5] * 3, 'image_std': [0.5] * 3}, None),
]


def main():
    manifest = {'cases': [], 'float': []}
    for case, image, cfg, cap in CASES:
        y = preprocess(image, cfg, cap)
        np.ascontiguousarray(y, dtype='<f4').tofile(os.path.join(HERE, f'image-{case}.f32'))
        manifest['cases'].append({'name': case, 'image': image, 'config': cfg, 'max_image_size': cap, 'shape': list(y.shape), 'file': f'image-{case}.f32'})
    # Float resizes (no rounding) of the RGB pattern, for resizeFloat.
    x = load_rgb('rgb-40x30.png')
    for code, (w, h) in [(3, (17, 11)), (2, (44, 33)), (1, (40, 13))]:
        y = resize_float(x, w, h, code)
        f = f'image-float-{code}-{w}x{h}.f32'
        np.ascontiguousarray(y, dtype='<f4').tofile(os.path.join(HERE, f))
        manifest['float'].append({'resample': code, 'width': w, 'height': h, 'file': f})
    with open(os.path.join(HERE, 'image-manifest.json'), 'w') as fh:
        json.dump(manifest, fh, indent=1)
    print('all uint8 resizes equal PIL.Image.resize')


if __name__ == '__main__':
    main()

import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import fixture from '../../../tests/golden/engine/optim.json';
import { Graph } from '../graph';
import { GraphSession, tensor } from '../session';
import { clipByGlobalNorm } from './clip';

async function clip(c: typeof fixture.clip_above) {
  const g = new Graph('clip');
  const xs = c.shapes.map((s, i) => g.input(`g${i}`, 'float32', s));
  const { grads, norm } = clipByGlobalNorm(xs, c.max_norm);
  grads.forEach((x, i) => g.output(`c${i}`, x));
  g.output('norm', norm);
  const s = await GraphSession.create(ort, g, { backend: 'wasm' });
  return s.run(Object.fromEntries(c.grads.map((x, i) => [`g${i}`, tensor(ort, 'float32', Float32Array.from(x), c.shapes[i])])));
}

describe('clipByGlobalNorm', () => {
  for (const key of ['clip_above', 'clip_below'] as const) {
    it(`matches torch clip_grad_norm_ with the norm ${key.slice(5)} the threshold and reports the pre-clip norm`, async () => {
      const c = fixture[key];
      const out = await clip(c);
      const norm = (out.norm.data as Float32Array)[0];
      expect(norm).toBeCloseTo(c.norm, 5);
      expect(norm > c.max_norm).toBe(key === 'clip_above');
      c.clipped.forEach((want, i) => {
        const got = out[`c${i}`].data as Float32Array;
        want.forEach((w, j) => expect(got[j]).toBeCloseTo(w, 6));
      });
      // Above the threshold the result has norm max_norm (up to the 1e-6 guard); below, it is unchanged.
      const after = Math.hypot(...c.clipped.flat());
      if (key === 'clip_above') expect(after).toBeCloseTo(c.max_norm, 5);
      else c.grads.forEach((x, i) => expect(out[`c${i}`].data).toEqual(Float32Array.from(x)));
    });
  }
});

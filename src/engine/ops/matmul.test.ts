// MatMul and Gemm VJPs against finite differences; Conv1d forward against torch goldens.
import { describe, expect, it } from 'vitest';
import golden from '../../../tests/golden/engine/composites.json';
import { Graph } from '../graph';
import { conv1d, gemm, matmul } from './index';
import { checkGradients, runOnce, uniform } from '../testing';

const rnd = (dims: number[], seed: number) => ({ dims, data: uniform(dims.reduce((a, b) => a * b, 1), seed) });

describe('MatMul VJP (dA = dy B^T, dB = A^T dy, broadcast batch dims summed)', () => {
  it('MatMul: 2-D [3,4]x[4,5]', async () => {
    await checkGradients(({ a, b }) => matmul(a, b), { a: rnd([3, 4], 1), b: rnd([4, 5], 2) });
  });
  it('MatMul: batched [2,3,4]x[2,4,5]', async () => {
    await checkGradients(({ a, b }) => matmul(a, b), { a: rnd([2, 3, 4], 3), b: rnd([2, 4, 5], 4) });
  });
  it('MatMul: broadcast weight [B,T,D]x[D,E]', async () => {
    await checkGradients(({ a, b }) => matmul(a, b), { a: rnd([2, 3, 4], 5), b: rnd([4, 2], 6) });
  });
  it('MatMul: broadcast size-1 batch [1,T,D]x[B,D,E]', async () => {
    await checkGradients(({ a, b }) => matmul(a, b), { a: rnd([1, 3, 4], 7), b: rnd([2, 4, 2], 8) });
  });
  it('MatMul: 4-D attention-shaped [B,H,T,d]x[1,H,d,T] with a symbolic batch', async () => {
    await checkGradients(({ a, b }) => matmul(a, b), {
      a: { ...rnd([2, 2, 3, 2], 9), shape: ['B', 2, 3, 2] }, b: rnd([1, 2, 2, 3], 10),
    });
  });
});

describe('Gemm VJP (y = alpha op(A) op(B) + beta C)', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`Gemm: transA=${transA} transB=${transB}, alpha 0.7, beta 1.3, C [M,N]`, async () => {
        const [m, k, n] = [3, 4, 2];
        await checkGradients(({ a, b, c }) => gemm(a, b, { c, alpha: 0.7, beta: 1.3, transA, transB }), {
          a: rnd(transA ? [k, m] : [m, k], 11), b: rnd(transB ? [n, k] : [k, n], 12), c: rnd([m, n], 13),
        });
      });
    }
  }
  it('Gemm: C broadcast as a row [N], a column [M,1] and a scalar', async () => {
    for (const cDims of [[2], [3, 1], []]) {
      await checkGradients(({ a, b, c }) => gemm(a, b, { c, beta: -0.5, transB: true }), {
        a: rnd([3, 4], 14), b: rnd([2, 4], 15), c: rnd(cDims, 16),
      });
    }
  });
  it('Gemm: without C, forward equals alpha A B', async () => {
    const a = rnd([2, 3], 17);
    const b = rnd([3, 2], 18);
    const r = await checkGradients(({ a: x, b: y }) => gemm(x, y, { alpha: 2 }), { a, b });
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let t = 0; t < 3; t++) s += Math.fround(a.data[i * 3 + t]) * Math.fround(b.data[t * 2 + j]);
      expect(r.outputs[0].data[i * 2 + j]).toBeCloseTo(2 * s, 5);
    }
  });
});

describe('Conv1d forward (Whisper stem) against torch.nn.functional.conv1d', () => {
  for (const c of golden.conv1d) {
    it(`Conv: k3 stride ${c.stride} padding ${c.padding}`, async () => {
      const g = new Graph();
      const x = g.input('x', 'float32', c.x.dims);
      const w = g.input('w', 'float32', c.w.dims);
      const b = g.input('b', 'float32', c.b.dims);
      const y = g.output('y', conv1d(x, w, b, c.stride, c.padding));
      expect(y.shape).toEqual(c.y.dims);
      const out = await runOnce(g, { x: c.x, w: c.w, b: c.b });
      expect(out.y.dims).toEqual(c.y.dims);
      out.y.data.forEach((v, i) => expect(Math.abs(v - c.y.data[i])).toBeLessThan(1e-5));
    });
  }
});

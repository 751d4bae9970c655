import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { GraphSession, tensor } from '../session';
import { StepRunner, stateNames } from '../train-step';
import {
  copyTaskBatch, runTransformerExample, tinyTransformer, transformerExample, transformerInit, transformerLogits, transformerParams,
} from './one-block-transformer';

const c = tinyTransformer;

describe('one-block causal transformer example', () => {
  it('learns the copy task: CE < 0.05 after 200 steps on fresh batches (chance: ln 16 = 2.77)', async () => {
    const losses = await runTransformerExample(ort, 'wasm', 200, 0);
    expect(losses[0]).toBeGreaterThan(Math.log(c.vocab) - 0.3);
    expect(Math.min(...losses.slice(-10))).toBeLessThan(0.05);
    expect(losses.at(-1)!).toBeLessThan(0.05);
  });

  it('is deterministic: the same seed gives bit-identical losses and weights over 5 steps', async () => {
    const run = async (seed: number) => {
      const ex = transformerExample(seed);
      const r = await StepRunner.create(ort, ex.steps, { backend: 'wasm', state: ex.state });
      const losses = (await r.train(5, ex.batchAt)).map((l) => l.loss);
      const w = await r.read(stateNames.param('h.0.attn.q_proj.weight'));
      const v = await r.read(stateNames.v('wte'));
      await r.release();
      return { losses, w, v };
    };
    const [a, b, other] = [await run(7), await run(7), await run(8)];
    expect(b.losses).toEqual(a.losses);
    expect(b.w).toEqual(a.w);
    expect(b.v).toEqual(a.v);
    expect(other.losses).not.toEqual(a.losses);
    expect(a.losses[4]).toBeLessThan(a.losses[0]);
  });

  it('is causal: logits at a position do not depend on later tokens', async () => {
    const g = new Graph('logits');
    const params = Object.fromEntries(Object.entries(transformerParams(c)).map(([n, s]) => [n, g.input(n, s.dtype, s.shape)]));
    const tokens = g.input('tokens', 'int32', [c.batch, c.seq]);
    g.output('logits', transformerLogits(g, params, tokens, c));
    const s = await GraphSession.create(ort, g, { backend: 'wasm' });
    const init = transformerInit(3, c);
    const feeds = Object.fromEntries(Object.entries(init).map(([n, h]) => [n, tensor(ort, h.dtype, h.data, h.dims)]));
    const t1 = copyTaskBatch(0, 0, c).tokens.data as Int32Array;
    const t2 = Int32Array.from(t1);
    const cut = 5; // change every token from position `cut` on
    for (let b = 0; b < c.batch; b++) for (let t = cut; t < c.seq; t++) t2[b * c.seq + t] = (t2[b * c.seq + t] + 1) % c.vocab;
    const run = async (t: Int32Array) => (await s.run({ ...feeds, tokens: tensor(ort, 'int32', t, [c.batch, c.seq]) })).logits.data as Float32Array;
    const [l1, l2] = [await run(t1), await run(t2)];
    const at = (l: Float32Array, b: number, t: number) => l.slice((b * c.seq + t) * c.vocab, (b * c.seq + t + 1) * c.vocab);
    for (let b = 0; b < c.batch; b++) {
      for (let t = 0; t < cut; t++) expect(at(l2, b, t)).toEqual(at(l1, b, t));
      expect(at(l2, b, cut)).not.toEqual(at(l1, b, cut));
    }
  });

  it('builds a deterministic copy-task batch sequence', () => {
    const a = copyTaskBatch(1, 4, c);
    expect(copyTaskBatch(1, 4, c).tokens.data).toEqual(a.tokens.data);
    expect(copyTaskBatch(1, 5, c).tokens.data).not.toEqual(a.tokens.data);
    const tok = a.tokens.data as Int32Array;
    const tgt = a.targets.data as Int32Array;
    const mask = a.mask.data as Float32Array;
    const half = c.seq / 2;
    for (let b = 0; b < c.batch; b++) {
      const row = b * c.seq;
      for (let t = half; t < c.seq; t++) expect(tok[row + t]).toBe(tok[row + t - half]);
      for (let t = 0; t + 1 < c.seq; t++) expect(tgt[row + t]).toBe(tok[row + t + 1]);
      expect([...mask.slice(row, row + c.seq)]).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    }
  });
});

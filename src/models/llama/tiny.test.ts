import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, GraphSession, type Tensor, cast, gradients, mul, reduceSum, slice, tensor } from '../../engine';
import { folderSource } from '../io/file-source-node';
import { folderTokenizer, loadHfFolder } from '../io/hf-folder';
import { readWeights, weightInputs } from '../io/weights';
import { modelDefFor } from '../registry';
import { type CausalLmDef, nextTokenLogProbs } from '../types';
import { type LlamaConfig } from './config';
import { TINY_CONFIGS, tinyLlamaFolder } from './tiny';
import { writeTinyLlama } from './tiny-node';

let dir = '';
beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  dir = await mkdtemp(join(tmpdir(), 'prefstudio-tiny-'));
  await writeTinyLlama(join(dir, 'llama'), TINY_CONFIGS.llama, 1);
  await writeTinyLlama(join(dir, 'qwen2'), TINY_CONFIGS.qwen2, 2);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('tiny models', () => {
  it('are deterministic in the seed', () => {
    const a = tinyLlamaFolder(TINY_CONFIGS.llama, 1)['model.safetensors'] as Uint8Array;
    const b = tinyLlamaFolder(TINY_CONFIGS.llama, 1)['model.safetensors'] as Uint8Array;
    const c = tinyLlamaFolder(TINY_CONFIGS.llama, 2)['model.safetensors'] as Uint8Array;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('load back through the HF-folder loader with a tokenizer for any text', async () => {
    for (const [name, c] of Object.entries(TINY_CONFIGS)) {
      const f = await loadHfFolder(folderSource(join(dir, name)));
      const def = modelDefFor(f.config);
      expect(def.fromHfConfig(f.config)).toEqual(c);
      expect(new Set(f.weights!.names())).toEqual(new Set(def.weightNames(c).map((s) => s.name)));
      const tok = folderTokenizer(f);
      const text = 'Héllo, wörld! 123 ✓';
      const ids = tok.encode(text);
      expect(ids.length).toBe(new TextEncoder().encode(text).length); // one token per byte
      expect(tok.decode(ids)).toBe(text);
      expect([tok.bosId, tok.eosId, tok.padId]).toEqual([null, 256, 256]);
      expect(tok.stopIds.sort()).toEqual([256, 258]);
      expect(tok.encode('<|im_start|>user')[0]).toBe(257);
    }
  });
});

describe('tiny Llama graph is trainable', () => {
  it('gradient of the masked next-token log-likelihood matches central differences', async () => {
    const f = await loadHfFolder(folderSource(join(dir, 'llama')));
    const def = modelDefFor(f.config) as CausalLmDef<LlamaConfig>;
    const c = def.fromHfConfig(f.config);
    const specs = def.weightNames(c);
    const weights = await readWeights(f.weights!, specs);
    const B = 2, T = 6;
    const g = new Graph('tiny-grad');
    const ids = g.input('input_ids', 'int32', [B, T]);
    const mask = g.input('attention_mask', 'int32', [B, T]);
    const w = weightInputs(g, specs);
    const out = def.forward({ graph: g, weight: w }, c, { inputIds: ids, attentionMask: mask });
    const lp = nextTokenLogProbs(out.logits, ids); // [B, T-1]
    // Count a prediction when both its context position and its target are real tokens.
    // NOTE: a padded query position attends to nothing but masked keys: its output (and the
    // finite-difference slope through it) is meaningless, so it must stay out of the loss.
    const m = cast(mul(slice(mask, [0], [T - 1], [1]), slice(mask, [1], [T], [1])), 'float32');
    const loss = reduceSum(mul(lp, m));
    const names = ['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight', 'model.embed_tokens.weight', 'model.norm.weight'];
    const grads = gradients(loss, names.map(w));
    g.output('loss', loss);
    names.forEach((n, i) => g.output(`grad_${i}`, grads[i]));
    const s = await GraphSession.create(ort, g, { backend: 'wasm' });

    const idData = Int32Array.from([72, 101, 108, 108, 111, 33, 256, 256, 104, 105, 32, 120]);
    const maskData = Int32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1]); // row 1 left-padded
    const feeds = (patch?: [string, number, number]): Record<string, Tensor> => {
      const r: Record<string, Tensor> = { input_ids: tensor(ort, 'int32', idData, [B, T]), attention_mask: tensor(ort, 'int32', maskData, [B, T]) };
      for (const sp of specs) {
        let d = weights.get(sp.name)!;
        if (patch && patch[0] === sp.name) { d = d.slice(); d[patch[1]] += patch[2]; }
        r[sp.name] = tensor(ort, 'float32', d, sp.shape);
      }
      return r;
    };
    const base = await s.run(feeds());
    const L = (base.loss.data as Float32Array)[0];
    expect(L).toBeLessThan(0);
    const eps = 1e-2;
    for (let i = 0; i < names.length; i++) {
      const gd = base[`grad_${i}`].data as Float32Array;
      // Check the element with the largest gradient and one other.
      const top = gd.reduce((best, v, j) => (Math.abs(v) > Math.abs(gd[best]) ? j : best), 0);
      for (const j of [top, Math.floor(gd.length / 3)]) {
        const up = (await s.run(feeds([names[i], j, eps]))).loss.data as Float32Array;
        const dn = (await s.run(feeds([names[i], j, -eps]))).loss.data as Float32Array;
        const fd = (up[0] - dn[0]) / (2 * eps);
        expect(Math.abs(fd - gd[j]), `${names[i]}[${j}]: fd ${fd} vs ${gd[j]}`).toBeLessThan(3e-3 + 2e-2 * Math.abs(gd[j]));
      }
      expect(Math.abs(gd[top])).toBeGreaterThan(1e-3);
    }
    await s.release();
  });
});

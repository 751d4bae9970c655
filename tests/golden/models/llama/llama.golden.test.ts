// Whole-model golden run: fixtures from gen.py (an independent PyTorch forward) are loaded through
// the real HF-folder loader, the graph is built from the registry and run on ORT WASM.
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, type Tensor, GraphSession, mul, tensor } from '../../../../src/engine';
import { linear } from '../../../../src/engine/nn';
import { folderSource } from '../../../../src/models/io/file-source-node';
import { SafetensorsFile } from '../../../../src/models/io/safetensors';
import { readWeights, weightInputs } from '../../../../src/models/io/weights';
import { type LlamaConfig } from '../../../../src/models/llama';
import { loadModel } from '../../../../src/models/registry';
import { type CausalLmDef, type LinearHook, nextTokenLogProbs } from '../../../../src/models/types';

const FIX = join(__dirname, 'fixtures');
const CASES = ['llama-untied-sharded', 'llama-gqa-tied-f16', 'qwen2-bf16'] as const;
const TOL = 1e-4;

beforeAll(() => { ort.env.wasm.numThreads = 1; });

interface Golden { ids: Int32Array; mask: Int32Array; pos: Int32Array; logits: Float32Array; logitsPos: Float32Array; B: number; T: number }

async function golden(name: string): Promise<Golden> {
  const f = await SafetensorsFile.open(folderSource(FIX), `${name}.golden.safetensors`);
  const int = async (n: string) => {
    const t = await f.read(n);
    if (t.dtype !== 'int64') throw new Error(`${n}: expected I64`);
    return Int32Array.from(t.data, Number);
  };
  const float = async (n: string) => (await f.read(n)).data as Float32Array;
  const ids = await int('input_ids');
  const [B, T] = f.info('input_ids')!.shape;
  return { ids, mask: await int('attention_mask'), pos: await int('position_ids'), logits: await float('logits'), logitsPos: await float('logits_position_ids'), B, T };
}

/** Load a fixture folder, build the forward with weights as graph inputs, and open a session. */
async function build(name: string, B: number | string, T: number, opts: { mask: boolean; pos: boolean; hook?: LinearHook }) {
  const m = await loadModel(folderSource(join(FIX, name)));
  expect(m.def.kind).toBe('causal-lm');
  const def = m.def as CausalLmDef<LlamaConfig>;
  const config = m.config as LlamaConfig;
  const specs = m.specs;
  const weights = await readWeights(m.weights, specs);
  const g = new Graph(name);
  const inputIds = g.input('input_ids', 'int32', [B, T]);
  const attentionMask = opts.mask ? g.input('attention_mask', 'int32', [B, T]) : null;
  const positionIds = opts.pos ? g.input('position_ids', 'int32', [B, T]) : null;
  const out = def.forward({ graph: g, weight: weightInputs(g, specs), linearHook: opts.hook }, config, { inputIds, attentionMask, positionIds });
  g.output('logits', out.logits);
  g.output('logprobs', nextTokenLogProbs(out.logits, inputIds));
  const session = await GraphSession.create(ort, g, { backend: 'wasm' });
  const feeds: Record<string, Tensor> = {};
  for (const s of specs) feeds[s.name] = tensor(ort, 'float32', weights.get(s.name)!, s.shape);
  return { session, feeds, config };
}

/** Largest |a - b| over positions where mask is 1 (pad positions are unspecified). */
function maxDiffAtTokens(a: ArrayLike<number>, b: ArrayLike<number>, mask: ArrayLike<number>, V: number): number {
  let m = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let v = 0; v < V; v++) m = Math.max(m, Math.abs(a[p * V + v] - b[p * V + v]));
  }
  return m;
}

describe.each(CASES)('%s', (name) => {
  it('matches the PyTorch logits on a padded batch (default and generate-style positions)', async () => {
    const gd = await golden(name);
    const { session, feeds, config } = await build(name, 'batch', gd.T, { mask: true, pos: false });
    const V = config.vocabSize;
    const ids = tensor(ort, 'int32', gd.ids, [gd.B, gd.T]);
    const mask = tensor(ort, 'int32', gd.mask, [gd.B, gd.T]);
    const res = await session.run({ ...feeds, input_ids: ids, attention_mask: mask });
    const got = res.logits.data as Float32Array;
    expect(got.length).toBe(gd.logits.length);
    const d = maxDiffAtTokens(got, gd.logits, gd.mask, V);
    expect(d).toBeLessThan(TOL);
    // nextTokenLogProbs: [B, T-1], log-softmax of position t's logits at token t + 1.
    const lp = res.logprobs.data as Float32Array;
    expect(res.logprobs.dims).toEqual([gd.B, gd.T - 1]);
    let checked = 0;
    for (let b = 0; b < gd.B; b++) {
      for (let t = 0; t < gd.T - 1; t++) {
        if (!gd.mask[b * gd.T + t] || !gd.mask[b * gd.T + t + 1]) continue;
        const row = gd.logits.subarray((b * gd.T + t) * V, (b * gd.T + t + 1) * V);
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((acc, x) => acc + Math.exp(x - m), 0));
        expect(Math.abs(lp[b * (gd.T - 1) + t] - (row[gd.ids[b * gd.T + t + 1]] - lse))).toBeLessThan(TOL);
        checked++;
      }
    }
    expect(checked).toBe(6 + 3 + 4);
    // The fixture is not trivial: logits vary by O(1) across the vocabulary.
    expect(Math.max(...gd.logits.slice(0, V)) - Math.min(...gd.logits.slice(0, V))).toBeGreaterThan(0.5);

    const withPos = await build(name, 'batch', gd.T, { mask: true, pos: true });
    const got2 = (await withPos.session.run({ ...withPos.feeds, input_ids: ids, attention_mask: mask, position_ids: tensor(ort, 'int32', gd.pos, [gd.B, gd.T]) })).logits.data as Float32Array;
    expect(maxDiffAtTokens(got2, gd.logitsPos, gd.mask, V)).toBeLessThan(TOL);
    // Row 0 has stride-2 positions (a uniform shift would not change RoPE attention), so the two differ.
    expect(maxDiffAtTokens(gd.logits, gd.logitsPos, gd.mask, V)).toBeGreaterThan(1e-3);
    await session.release();
    await withPos.session.release();
  });

  it('without a mask equals the masked run on the unpadded row', async () => {
    const gd = await golden(name);
    const { session, feeds, config } = await build(name, 1, gd.T, { mask: false, pos: false });
    const V = config.vocabSize;
    const row = gd.ids.slice(0, gd.T);
    expect([...gd.mask.slice(0, gd.T)].every((m) => m === 1)).toBe(true);
    const got = (await session.run({ ...feeds, input_ids: tensor(ort, 'int32', row, [1, gd.T]) })).logits.data as Float32Array;
    expect(maxDiffAtTokens(got, gd.logits.slice(0, gd.T * V), new Array(gd.T).fill(1), V)).toBeLessThan(TOL);
    await session.release();
  });
});

describe('linear hook', () => {
  it('sees every linear under its HF module name and changes the output when it changes a layer', async () => {
    const name = 'qwen2-bf16';
    const gd = await golden(name);
    const seen: string[] = [];
    const hook: LinearHook = (module, x, w, b) => {
      seen.push(module);
      const y = linear(x, w, b);
      return module === 'lm_head' ? mul(y, 2) : y;
    };
    const { session, feeds, config } = await build(name, 'batch', gd.T, { mask: true, pos: false, hook });
    const mods = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'];
    expect(seen.sort()).toEqual([...[0, 1].flatMap((l) => mods.map((m) => `model.layers.${l}.${m}`)), 'lm_head'].sort());
    const got = (await session.run({ ...feeds, input_ids: tensor(ort, 'int32', gd.ids, [gd.B, gd.T]), attention_mask: tensor(ort, 'int32', gd.mask, [gd.B, gd.T]) })).logits.data as Float32Array;
    const doubled = gd.logits.map((x) => 2 * x);
    expect(maxDiffAtTokens(got, doubled, gd.mask, config.vocabSize)).toBeLessThan(2 * TOL);
    await session.release();
  });
});

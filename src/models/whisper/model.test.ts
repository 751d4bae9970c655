import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Graph } from '../../engine';
import { type HostTensor, openSession } from '../../engine/testing';
import { type HfFolder, WeightStore, loadHfFolder, readWeights, weightConstants, weightInputs } from '../io';
import { folderSource } from '../io/file-source-node';
import { type BuildContext } from '../types';
import { type WhisperConfig, fromHfConfig, toHfConfig } from './config';
import { whisperDecode, whisperDecodeShared, whisperDef, whisperEncode, whisperWeightNames } from './model';

const GOLDEN = fileURLToPath(new URL('../../../tests/golden/models/whisper/', import.meta.url));

async function fixture(): Promise<{ folder: HfFolder; cfg: WhisperConfig; weights: Map<string, Float32Array>; golden: WeightStore }> {
  const folder = await loadHfFolder(folderSource(`${GOLDEN}tiny`));
  const cfg = fromHfConfig(folder.config);
  const weights = await readWeights(folder.weights!, whisperWeightNames(cfg));
  const golden = await WeightStore.open(folderSource(GOLDEN), 'golden.safetensors');
  return { folder, cfg, weights, golden };
}

async function hostTensor(store: WeightStore, name: string): Promise<HostTensor> {
  const t = await store.read(name);
  return { dims: t.shape, data: t.dtype === 'int64' ? Array.from(t.data, Number) : t.data, dtype: t.dtype };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('whisper config', () => {
  it('parses config.json and rejects bad fields by name', async () => {
    const { cfg, folder } = await fixture();
    expect(cfg).toMatchObject({ dModel: 32, encoderLayers: 2, decoderLayers: 2, numMelBins: 80, maxSourcePositions: 50, vocabSize: 80, decoderStartTokenId: 65 });
    expect(fromHfConfig(toHfConfig(cfg))).toEqual(cfg);
    const bad = (patch: Record<string, unknown>) => () => fromHfConfig({ ...folder.config, ...patch });
    expect(bad({ d_model: undefined })).toThrow(/'d_model' is missing/);
    expect(bad({ activation_function: 'mish' })).toThrow(/activation_function 'mish'/);
    expect(bad({ encoder_attention_heads: 5 })).toThrow(/not divisible by encoder_attention_heads 5/);
    expect(bad({ decoder_start_token_id: 500 })).toThrow(/outside the vocabulary/);
    expect(bad({ model_type: 'llama' })).toThrow(/expected 'whisper'/);
  });

  it('names exactly the checkpoint tensors, with their shapes', async () => {
    const { cfg, folder } = await fixture();
    const specs = whisperWeightNames(cfg);
    expect(specs.map((s) => s.name).sort()).toEqual(folder.weights!.names().sort());
    for (const s of specs) expect(folder.weights!.info(s.name)!.shape).toEqual(s.shape);
    expect(whisperWeightNames({ ...cfg, tieWordEmbeddings: false }).at(-1)).toEqual({ name: 'proj_out.weight', shape: [80, 32] });
  });
});

describe('whisper graphs match the PyTorch reference', () => {
  it('encoder and decoder (weights as graph inputs, padded ids)', async () => {
    const { cfg, weights, golden } = await fixture();
    const feats = await hostTensor(golden, 'input_features');
    const ids = await hostTensor(golden, 'decoder_input_ids');
    const g = new Graph('whisper');
    const ctx: BuildContext = { graph: g, weight: weightInputs(g, whisperWeightNames(cfg)) };
    const x = g.input('input_features', 'float32', ['batch', cfg.numMelBins, feats.dims[2]]);
    const inputIds = g.input('decoder_input_ids', 'int32', ['batch', ids.dims[1]]);
    const mask = g.input('decoder_attention_mask', 'int32', ['batch', ids.dims[1]]);
    const enc = whisperDef.encode(ctx, cfg, { inputFeatures: x });
    g.output('encoder_hidden', enc);
    g.output('logits', whisperDef.decode(ctx, cfg, { encoderHidden: enc, inputIds, attentionMask: mask }).logits);
    const s = await openSession(g);
    const feeds: Record<string, HostTensor> = {};
    for (const inp of g.inputs) {
      feeds[inp.name] = weights.has(inp.name)
        ? { dims: inp.shape as number[], data: weights.get(inp.name)! }
        : await hostTensor(golden, inp.name);
    }
    const out = await s.run(feeds);
    await s.release();
    const wantEnc = await golden.readFloat32('encoder_hidden');
    const wantLogits = await golden.readFloat32('logits');
    expect(out.encoder_hidden.dims).toEqual([2, 50, 32]);
    expect(out.logits.dims).toEqual([2, ids.dims[1], 80]);
    expect(maxAbsDiff(out.encoder_hidden.data, wantEnc)).toBeLessThan(1e-4);
    // Every position, padded ones included: those differ unless the padding mask is applied.
    expect(maxAbsDiff(out.logits.data, wantLogits)).toBeLessThan(1e-4);
  });

  it('an odd, shorter input uses the first encoder positions', async () => {
    const { cfg, weights, golden } = await fixture();
    const feats = await hostTensor(golden, 'input_features_short');
    const g = new Graph('whisper-enc');
    const ctx: BuildContext = { graph: g, weight: weightConstants(g, whisperWeightNames(cfg), weights) };
    g.output('h', whisperEncode(ctx, cfg, { inputFeatures: g.input('f', 'float32', feats.dims) }));
    const s = await openSession(g);
    const out = await s.run({ f: feats });
    await s.release();
    expect(out.h.dims).toEqual([1, 31, 32]);
    expect(maxAbsDiff(out.h.data, await golden.readFloat32('encoder_hidden_short'))).toBeLessThan(1e-4);
  });

  it('decodes chosen and rejected against one encoding (shared audio)', async () => {
    const { cfg, weights, golden } = await fixture();
    const ids = await hostTensor(golden, 'decoder_input_ids');
    const mask = await hostTensor(golden, 'decoder_attention_mask');
    const L = ids.dims[1];
    const V = cfg.vocabSize;
    const g = new Graph('whisper-shared');
    const ctx: BuildContext = { graph: g, weight: weightConstants(g, whisperWeightNames(cfg), weights) };
    const enc = g.input('enc', 'float32', [1, 50, cfg.dModel]);
    const batch = (k: string) => ({ inputIds: g.input(`ids_${k}`, 'int32', [1, L]), attentionMask: g.input(`mask_${k}`, 'int32', [1, L]) });
    const [chosen, rejected] = whisperDecodeShared(ctx, cfg, enc, [batch('c'), batch('r')]);
    g.output('chosen', chosen);
    g.output('rejected', rejected);
    const encAll = await golden.readFloat32('encoder_hidden');
    const row = (t: HostTensor, i: number): HostTensor => ({ dims: [1, L], dtype: 'int32', data: Array.from(t.data).slice(i * L, (i + 1) * L) });
    const s = await openSession(g);
    // Both rows against audio 0's encoding: compare with a plain decode of the same inputs.
    const out = await s.run({ enc: { dims: [1, 50, cfg.dModel], data: encAll.slice(0, 50 * cfg.dModel) }, ids_c: row(ids, 0), mask_c: row(mask, 0), ids_r: row(ids, 1), mask_r: row(mask, 1) });
    await s.release();
    const g2 = new Graph('whisper-plain');
    const ctx2: BuildContext = { graph: g2, weight: weightConstants(g2, whisperWeightNames(cfg), weights) };
    const enc2 = g2.input('enc', 'float32', [2, 50, cfg.dModel]);
    g2.output('logits', whisperDecode(ctx2, cfg, { encoderHidden: enc2, inputIds: g2.input('ids', 'int32', [2, L]), attentionMask: g2.input('mask', 'int32', [2, L]) }).logits);
    const s2 = await openSession(g2);
    const enc0 = encAll.slice(0, 50 * cfg.dModel);
    const plain = await s2.run({ enc: { dims: [2, 50, cfg.dModel], data: [...enc0, ...enc0] }, ids, mask });
    await s2.release();
    expect(out.chosen.dims).toEqual([1, L, V]);
    expect(maxAbsDiff(out.chosen.data, plain.logits.data.slice(0, L * V))).toBeLessThan(1e-5);
    expect(maxAbsDiff(out.rejected.data, plain.logits.data.slice(L * V))).toBeLessThan(1e-5);
    // Row 0 against its own audio is the golden row.
    expect(maxAbsDiff(out.chosen.data, (await golden.readFloat32('logits')).slice(0, L * V))).toBeLessThan(1e-4);
  });

  it('rejects inputs of the wrong shape with clear errors', async () => {
    const { cfg } = await fixture();
    const g = new Graph();
    const ctx: BuildContext = { graph: g, weight: weightInputs(g, whisperWeightNames(cfg)) };
    expect(() => whisperEncode(ctx, cfg, { inputFeatures: g.input('a', 'float32', [1, 64, 100]) })).toThrow(/\[B, 80, T\]/);
    expect(() => whisperEncode(ctx, cfg, { inputFeatures: g.input('b', 'float32', [1, 80, 102]) })).toThrow(/max_source_positions 50/);
    const enc = g.input('e', 'float32', [1, 50, 32]);
    expect(() => whisperDecode(ctx, cfg, { encoderHidden: enc, inputIds: g.input('i', 'int32', [1, 25]) })).toThrow(/max_target_positions 24/);
  });
});

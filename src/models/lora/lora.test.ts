import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Graph, gradients } from '../../engine';
import { crossEntropy } from '../../engine/nn';
import { type HostTensor, checkGradients, openSession } from '../../engine/testing';
import { Rng } from '../../engine/random';
import { WeightStore, loadHfFolder, readWeights, weightConstants, weightInputs } from '../io';
import { folderSource } from '../io/file-source-node';
import { type BuildContext, type LinearHook } from '../types';
import { type WhisperConfig, fromHfConfig } from '../whisper/config';
import { whisperDecode, whisperEncode, whisperLinears, whisperWeightNames } from '../whisper/model';
import { loraConfig } from './config';
import { type AttachOptions, type LinearInfo, LoraAdapter, attachLora, loraDropoutMask, mergedWeight, peftKey, traceLinears } from './lora';
import { loadPeftAdapter } from './peft';

const ROOT = fileURLToPath(new URL('../../../tests/golden/models/', import.meta.url));

let cfg: WhisperConfig;
let base: Map<string, Float32Array>;
let golden: WeightStore;
let expected: WeightStore;
let linears: LinearInfo[];

beforeAll(async () => {
  const folder = await loadHfFolder(folderSource(`${ROOT}whisper/tiny`));
  cfg = fromHfConfig(folder.config);
  base = await readWeights(folder.weights!, whisperWeightNames(cfg));
  golden = await WeightStore.open(folderSource(`${ROOT}whisper`), 'golden.safetensors');
  expected = await WeightStore.open(folderSource(`${ROOT}lora`), 'expected.safetensors');
  linears = whisperLinears(cfg);
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function feed(name: string): Promise<HostTensor> {
  const t = await golden.read(name);
  return { dims: t.shape, data: t.data as Float32Array | Int32Array, dtype: t.dtype === 'int64' ? 'int64' : t.dtype };
}

/**
 * A session computing Whisper logits for the golden inputs, base weights from `weights` (graph
 * inputs), with `adapter` attached (when given) and its A/B fed as inputs. `gate` adds a gate input.
 */
async function whisperSession(adapter: LoraAdapter | null, opts: { weights?: Map<string, Float32Array>; gate?: boolean } = {}) {
  const g = new Graph('whisper-lora');
  const lora = adapter ? attachLora(adapter, g, { gate: opts.gate ? g.input('gate', 'float32', []) : null }) : null;
  const ctx: BuildContext = { graph: g, weight: weightInputs(g, whisperWeightNames(cfg)), linearHook: lora?.hook };
  const ids = g.input('decoder_input_ids', 'int32', [2, 9]);
  const enc = whisperEncode(ctx, cfg, { inputFeatures: g.input('input_features', 'float32', [2, 80, 100]) });
  g.output('logits', whisperDecode(ctx, cfg, { encoderHidden: enc, inputIds: ids, attentionMask: g.input('decoder_attention_mask', 'int32', [2, 9]) }).logits);
  const w = opts.weights ?? base;
  const feeds: Record<string, HostTensor> = {};
  const tensors = new Map(adapter ? adapter.tensors().map((t) => [t.key, t.data] as const) : []);
  for (const inp of g.inputs) {
    const dims = inp.shape as number[];
    const data = w.get(inp.name) ?? tensors.get(inp.name);
    if (data) feeds[inp.name] = { dims, data };
    else if (inp.name !== 'gate') feeds[inp.name] = await feed(inp.name);
  }
  const s = await openSession(g);
  return {
    lora,
    run: async (extra: Record<string, HostTensor> = {}) => (await s.run({ ...feeds, ...extra })).logits.data,
    release: () => s.release(),
  };
}

async function logits(adapter: LoraAdapter | null, opts: { weights?: Map<string, Float32Array> } = {}) {
  const s = await whisperSession(adapter, opts);
  try { return { out: await s.run(), lora: s.lora }; } finally { await s.release(); }
}

describe('linear layers and module selection', () => {
  it('traces every Whisper linear with its shape, the head last', () => {
    const per = { enc: ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.out_proj', 'fc1', 'fc2'] };
    expect(linears.length).toBe(2 * 6 + 2 * 10 + 1);
    expect(linears.slice(0, 6).map((l) => l.name)).toEqual(per.enc.map((s) => `model.encoder.layers.0.${s}`));
    expect(linears.find((l) => l.name === 'model.encoder.layers.1.fc1')).toEqual({ name: 'model.encoder.layers.1.fc1', inFeatures: 32, outFeatures: 64 });
    expect(linears.find((l) => l.name === 'model.decoder.layers.0.encoder_attn.k_proj')).toBeDefined();
    expect(linears.at(-1)).toEqual({ name: 'proj_out', inFeatures: 32, outFeatures: 80 });
  });

  it('all-linear adapts every linear but the output head; a list matches name ends', () => {
    const all = LoraAdapter.create(loraConfig({ targetModules: 'all-linear' }), linears, { seed: 1 });
    expect(all.modules.length).toBe(linears.length - 1);
    expect(all.module('proj_out')).toBeUndefined();
    const qv = LoraAdapter.create(loraConfig({ targetModules: ['q_proj', 'v_proj'] }), linears, { seed: 1 });
    expect(qv.targetNames.length).toBe(2 * 2 + 2 * 4);
    expect(qv.targetNames.every((n) => /\.(q|v)_proj$/.test(n))).toBe(true);
    const explicitHead = LoraAdapter.create(loraConfig({ targetModules: ['proj_out'] }), linears, { seed: 1 });
    expect(explicitHead.targetNames).toEqual(['proj_out']);
    expect(() => LoraAdapter.create(loraConfig({ targetModules: ['gate_proj'] }), linears, { seed: 1 })).toThrow(/matches no linear layer/);
  });
});

describe('initialization (PEFT init_lora_weights=True)', () => {
  it('A ~ U(-1/sqrt(in), 1/sqrt(in)), B = 0, seeded and independent of module order', () => {
    const c = loraConfig({ targetModules: ['fc1', 'fc2'], r: 8 });
    const a = LoraAdapter.create(c, linears, { seed: 42 });
    for (const m of a.modules) {
      const { A, B } = a.weights.get(m.name)!;
      const bound = 1 / Math.sqrt(m.inFeatures);
      expect(A.length).toBe(8 * m.inFeatures);
      expect(Math.max(...A)).toBeLessThan(bound);
      expect(Math.min(...A)).toBeGreaterThanOrEqual(-bound);
      // A uniform on [-b, b] has variance b^2 / 3; loose bounds for ~256-512 draws.
      const mean = A.reduce((p, q) => p + q, 0) / A.length;
      const variance = A.reduce((p, q) => p + (q - mean) ** 2, 0) / A.length;
      expect(Math.abs(mean)).toBeLessThan(0.15 * bound);
      expect(variance / (bound * bound / 3)).toBeGreaterThan(0.8);
      expect(variance / (bound * bound / 3)).toBeLessThan(1.2);
      expect(B.every((x) => x === 0)).toBe(true);
    }
    const again = LoraAdapter.create(c, [...linears].reverse(), { seed: 42 });
    expect(again.weights.get('model.decoder.layers.1.fc2')!.A).toEqual(a.weights.get('model.decoder.layers.1.fc2')!.A);
    const other = LoraAdapter.create(c, linears, { seed: 43 });
    expect(other.weights.get('model.decoder.layers.1.fc2')!.A).not.toEqual(a.weights.get('model.decoder.layers.1.fc2')!.A);
  });

  it('a fresh adapter leaves the model equal to the base (golden logits)', async () => {
    const a = LoraAdapter.create(loraConfig({ targetModules: 'all-linear', r: 4, loraAlpha: 16 }), linears, { seed: 5 });
    const { out, lora } = await logits(a);
    expect(lora!.params.size).toBe(2 * a.modules.length);
    expect(maxAbsDiff(out, await golden.readFloat32('logits'))).toBeLessThan(1e-4);
  });
});

describe('PEFT adapters on Whisper match merged-weight PyTorch logits', () => {
  for (const name of ['qv_fc1', 'regex_rslora']) {
    it(name, async () => {
      const adapter = await loadPeftAdapter(folderSource(`${ROOT}lora/${name}`), { linears });
      const want = await expected.readFloat32(`logits_${name}`);
      const { out } = await logits(adapter);
      expect(maxAbsDiff(out, want)).toBeLessThan(1e-4);
      // The same adapter merged into the weights (CPU), no hook: the same logits.
      const merged = new Map(base);
      for (const m of adapter.modules) merged.set(`${m.name}.weight`, mergedWeight(adapter, m.name, base.get(`${m.name}.weight`)!));
      const viaMerge = await logits(null, { weights: merged });
      expect(maxAbsDiff(viaMerge.out, want)).toBeLessThan(1e-4);
      // And it is not the base model.
      expect(maxAbsDiff(out, await golden.readFloat32('logits'))).toBeGreaterThan(1e-2);
    });
  }

  it('a gate input of 0 switches the adapter off in the same session', async () => {
    const adapter = await loadPeftAdapter(folderSource(`${ROOT}lora/qv_fc1`), { linears });
    const s = await whisperSession(adapter, { gate: true });
    const gated = (x: number) => s.run({ gate: { dims: [], data: [x] } });
    expect(maxAbsDiff(await gated(0), await golden.readFloat32('logits'))).toBeLessThan(1e-4);
    expect(maxAbsDiff(await gated(1), await expected.readFloat32('logits_qv_fc1'))).toBeLessThan(1e-4);
    await s.release();
  });
});

/** y = x W^T + b + s * ((x * mask) A^T) B^T, by loops: an independent reference for one layer. */
function reference(x: Float32Array, rows: number, W: Float32Array, b: Float32Array, A: Float32Array, B: Float32Array, r: number, s: number, mask?: Float32Array): number[] {
  const inF = W.length / b.length;
  const outF = b.length;
  const y: number[] = [];
  for (let n = 0; n < rows; n++) {
    const xr = x.subarray(n * inF, (n + 1) * inF);
    const xm = mask ? xr.map((v, i) => v * mask[n * inF + i]) : xr;
    const ax = Array.from({ length: r }, (_, k) => xm.reduce((p, v, i) => p + v * A[k * inF + i], 0));
    for (let o = 0; o < outF; o++) {
      let v = b[o];
      for (let i = 0; i < inF; i++) v += xr[i] * W[o * inF + i];
      for (let k = 0; k < r; k++) v += s * B[o * r + k] * ax[k];
      y.push(v);
    }
  }
  return y;
}

describe('the LoRA branch on one linear', () => {
  const inF = 6, outF = 5, r = 3;
  const layer: LinearInfo[] = [{ name: 'blk.fc', inFeatures: inF, outFeatures: outF }];
  const rng = new Rng(7);
  const x = rng.normalArray(2 * 4 * inF);
  const W = rng.normalArray(outF * inF);
  const b = rng.normalArray(outF);
  const A = rng.normalArray(r * inF);
  const B = rng.normalArray(outF * r);

  const build = (adapter: LoraAdapter, opts: AttachOptions = {}) => {
    const g = new Graph('one');
    const lora = attachLora(adapter, g, opts);
    const xv = g.input('x', 'float32', ['batch', 4, inF]);
    const y = lora.hook('blk.fc', xv, g.input('blk.fc.weight', 'float32', [outF, inF]), g.input('blk.fc.bias', 'float32', [outF]));
    g.output('y', y);
    return { g, lora };
  };
  const feeds = (adapter: LoraAdapter): Record<string, HostTensor> => ({
    x: { dims: [2, 4, inF], data: x }, 'blk.fc.weight': { dims: [outF, inF], data: W }, 'blk.fc.bias': { dims: [outF], data: b },
    [peftKey('blk.fc', 'A')]: { dims: [r, inF], data: adapter.weights.get('blk.fc')!.A },
    [peftKey('blk.fc', 'B')]: { dims: [outF, r], data: adapter.weights.get('blk.fc')!.B },
  });
  const make = (rslora: boolean, p = 0) => LoraAdapter.create(loraConfig({ targetModules: ['fc'], r, loraAlpha: 5, useRslora: rslora, loraDropout: p }), layer, { seed: 1 })
    .withTensors(new Map([[peftKey('blk.fc', 'A'), A], [peftKey('blk.fc', 'B'), B]]));

  it('computes W x + b + s B A x with s = alpha/r or alpha/sqrt(r)', async () => {
    for (const rslora of [false, true]) {
      const adapter = make(rslora);
      const { g } = build(adapter);
      const s = await openSession(g);
      const out = await s.run(feeds(adapter));
      await s.release();
      const scale = rslora ? 5 / Math.sqrt(r) : 5 / r;
      expect(adapter.modules[0].scale).toBeCloseTo(scale, 12);
      expect(maxAbsDiff(out.y.data, reference(x, 8, W, b, A, B, r, scale))).toBeLessThan(1e-4);
    }
  });

  it('dropout: one mask input per call, applied to x before A; masks are seeded per step', async () => {
    const adapter = make(false, 0.25);
    expect(build(adapter).lora.dropoutInputs).toEqual([]); // evaluation graphs have no dropout
    const { g, lora } = build(adapter, { dropout: true });
    expect(lora.dropoutInputs.map((d) => d.name)).toEqual(['lora_dropout.blk.fc.0']);
    const mask = loraDropoutMask(9, 3, 'lora_dropout.blk.fc.0', x.length, 0.25);
    expect(mask).toEqual(loraDropoutMask(9, 3, 'lora_dropout.blk.fc.0', x.length, 0.25));
    expect(mask).not.toEqual(loraDropoutMask(9, 4, 'lora_dropout.blk.fc.0', x.length, 0.25));
    expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    const s = await openSession(g);
    const out = await s.run({ ...feeds(adapter), 'lora_dropout.blk.fc.0': { dims: [2, 4, inF], data: mask } });
    await s.release();
    expect(maxAbsDiff(out.y.data, reference(x, 8, W, b, A, B, r, 5 / r, mask))).toBeLessThan(1e-4);
  });

  it('gradients reach A and B (and match finite differences)', async () => {
    const adapter = make(true);
    const res = await checkGradients((xs, g) => {
      const hook: LinearHook = attachLora(adapter, g, { params: (key) => xs[key] }).hook;
      return hook('blk.fc', xs.x, xs.w, xs.b);
    }, {
      x: { dims: [2, 4, inF], data: x }, w: { dims: [outF, inF], data: W }, b: { dims: [outF], data: b },
      [peftKey('blk.fc', 'A')]: { dims: [r, inF], data: A }, [peftKey('blk.fc', 'B')]: { dims: [outF, r], data: B },
    }, { wrt: [peftKey('blk.fc', 'A'), peftKey('blk.fc', 'B'), 'x'] });
    expect(res.worst).toBeLessThanOrEqual(1);
    expect(res.analytic[peftKey('blk.fc', 'B')].some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it('rejects a weight whose shape differs from the adapter', () => {
    const adapter = make(false);
    const g = new Graph();
    const { hook } = attachLora(adapter, g);
    expect(() => hook('blk.fc', g.input('x', 'float32', [1, inF + 1]), g.input('w', 'float32', [outF, inF + 1]), null)).toThrow(/adapter expects \[5, 6\]/);
  });

  it('traceLinears records each hooked module once', () => {
    const seen = traceLinears((hook) => {
      const g = new Graph();
      const w = g.input('w', 'float32', [outF, inF]);
      const xv = g.input('x', 'float32', [1, inF]);
      hook('a', xv, w, null);
      hook('a', xv, w, null);
      hook('b', xv, w, null);
    });
    expect(seen).toEqual([{ name: 'a', inFeatures: inF, outFeatures: outF }, { name: 'b', inFeatures: inF, outFeatures: outF }]);
  });
});

describe('a LoRA training graph through the whole model', () => {
  it('cross-entropy gradients reach every A and B, encoder included, and match finite differences', async () => {
    const adapter = trainedLike(LoraAdapter.create(loraConfig({ targetModules: 'all-linear', r: 2, loraAlpha: 4 }), linears, { seed: 8 }));
    const g = new Graph('train');
    const lora = attachLora(adapter, g);
    const ctx: BuildContext = { graph: g, weight: weightConstants(g, whisperWeightNames(cfg), base), linearHook: lora.hook };
    const enc = whisperEncode(ctx, cfg, { inputFeatures: g.input('input_features', 'float32', [2, 80, 100]) });
    const { logits: lg } = whisperDecode(ctx, cfg, { encoderHidden: enc, inputIds: g.input('decoder_input_ids', 'int32', [2, 9]), attentionMask: g.input('decoder_attention_mask', 'int32', [2, 9]) });
    const loss = crossEntropy(lg, g.input('targets', 'int32', [2, 9]), g.input('loss_mask', 'float32', [2, 9]));
    const keys = [...lora.params.keys()];
    g.output('loss', loss);
    gradients(loss, [...lora.params.values()]).forEach((d, i) => g.output(`grad:${keys[i]}`, d));
    // Next-token targets, scored where both the token and its successor are real.
    const ids = Array.from((await golden.read('decoder_input_ids')).data as Int32Array);
    const am = Array.from((await golden.read('decoder_attention_mask')).data as Int32Array);
    const targets = ids.map((_, i) => (i % 9 < 8 ? ids[i + 1] : 0));
    const lossMask = am.map((_, i) => (i % 9 < 8 && am[i + 1] ? 1 : 0));
    const params = new Map(adapter.tensors().map((t) => [t.key, t]));
    const feeds = (override?: [string, Float32Array]): Record<string, HostTensor> => {
      const f: Record<string, HostTensor> = {
        targets: { dims: [2, 9], data: targets, dtype: 'int32' }, loss_mask: { dims: [2, 9], data: lossMask },
      };
      for (const [k, t] of params) f[k] = { dims: t.shape, data: override?.[0] === k ? override[1] : t.data };
      return f;
    };
    const inputs = { input_features: await feed('input_features'), decoder_input_ids: await feed('decoder_input_ids'), decoder_attention_mask: await feed('decoder_attention_mask') };
    const s = await openSession(g);
    try {
      const out = await s.run({ ...inputs, ...feeds() });
      expect(keys.length).toBe(2 * (linears.length - 1));
      for (const k of keys) expect(out[`grad:${k}`].data.some((v) => v !== 0), k).toBe(true);
      for (const [key, idx] of [[peftKey('model.encoder.layers.0.self_attn.q_proj', 'B'), 5], [peftKey('model.decoder.layers.1.fc1', 'A'), 17], [peftKey('model.decoder.layers.0.encoder_attn.v_proj', 'A'), 3]] as const) {
        const h = 1e-2;
        const at = async (d: number) => {
          const data = Float32Array.from(params.get(key)!.data);
          data[idx] += d;
          return (await s.run({ ...inputs, ...feeds([key, data]) })).loss.data[0];
        };
        const numeric = (await at(h) - await at(-h)) / (2 * h);
        const analytic = out[`grad:${key}`].data[idx];
        expect(Math.abs(analytic - numeric), key).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
        expect(Math.abs(analytic), key).toBeGreaterThan(1e-3);
      }
    } finally {
      await s.release();
    }
  });
});

/** The adapter with every B drawn at random (as after some training), A kept. */
function trainedLike(a: LoraAdapter): LoraAdapter {
  const rng = new Rng(12);
  return a.withTensors(new Map(a.modules.map((m) => [peftKey(m.name, 'B'), rng.normalArray(m.outFeatures * m.r, 0, 0.3)])));
}

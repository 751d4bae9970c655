import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../engine/random';
import { SafetensorsFile, memorySource, writeSafetensors } from '../io';
import { folderSource, writeFolder } from '../io/file-source-node';
import { fromHfConfig } from '../whisper/config';
import { whisperLinears } from '../whisper/model';
import { loraConfig } from './config';
import { type LinearInfo, LoraAdapter, peftKey } from './lora';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, adapterFiles, loadPeftAdapter } from './peft';

const ROOT = fileURLToPath(new URL('../../../tests/golden/models/', import.meta.url));
let linears: LinearInfo[];

beforeAll(async () => {
  linears = whisperLinears(fromHfConfig(JSON.parse(await readFile(`${ROOT}whisper/tiny/config.json`, 'utf8'))));
});

/** An adapter as if trained: B random (a fresh B is all zeros and would hide key mix-ups). */
function trained(targets: string[] | string, extra: Partial<Parameters<typeof loraConfig>[0]> = {}): LoraAdapter {
  const a = LoraAdapter.create(loraConfig({ targetModules: targets, r: 4, loraAlpha: 16, loraDropout: 0.1, baseModelNameOrPath: 'openai/whisper-tiny', ...extra }), linears, { seed: 3 });
  const rng = new Rng(4);
  return a.withTensors(new Map(a.modules.map((m) => [peftKey(m.name, 'B'), rng.normalArray(m.outFeatures * m.r)])));
}

describe('PEFT adapter folder', () => {
  it('save -> load gives identical tensors and config (through a real folder)', async () => {
    const a = trained(['q_proj', 'v_proj', 'fc2'], { useRslora: true });
    const dir = await mkdtemp(join(tmpdir(), 'adapter-'));
    try {
      await writeFolder(dir, adapterFiles(a));
      const b = await loadPeftAdapter(folderSource(dir), { linears });
      expect(b.config).toEqual(a.config);
      expect(b.modules).toEqual(a.modules);
      for (const m of a.modules) {
        expect(b.weights.get(m.name)!.A).toEqual(a.weights.get(m.name)!.A);
        expect(b.weights.get(m.name)!.B).toEqual(a.weights.get(m.name)!.B);
      }
      // The on-disk layout PEFT expects: key names, [r, in] / [out, r], format metadata.
      const st = await SafetensorsFile.open(folderSource(dir), ADAPTER_WEIGHTS);
      expect(st.metadata).toEqual({ format: 'pt' });
      expect(st.info('base_model.model.model.decoder.layers.0.self_attn.q_proj.lora_A.weight')!.shape).toEqual([4, 32]);
      expect(st.info('base_model.model.model.encoder.layers.1.fc2.lora_B.weight')!.shape).toEqual([32, 4]);
      expect(st.info('base_model.model.model.encoder.layers.1.fc2.lora_A.weight')!.shape).toEqual([4, 64]);
      expect(st.names().every((k) => /^base_model\.model\.model\.(en|de)coder\.layers\.\d\.[\w.]+\.lora_[AB]\.weight$/.test(k))).toBe(true);
      const json = JSON.parse(await readFile(join(dir, ADAPTER_CONFIG), 'utf8')) as Record<string, unknown>;
      expect(json).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 16, lora_dropout: 0.1, use_rslora: true, bias: 'none', target_modules: ['q_proj', 'v_proj', 'fc2'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('all-linear is saved resolved, and loads back to the same modules', async () => {
    const a = trained('all-linear');
    const files = adapterFiles(a);
    const json = JSON.parse(files[ADAPTER_CONFIG] as string) as { target_modules: string[] };
    expect(json.target_modules.length).toBe(linears.length - 1);
    expect(json.target_modules).not.toContain('proj_out');
    const b = await loadPeftAdapter(memorySource(files), { linears });
    expect(b.targetNames.sort()).toEqual(a.targetNames.sort());
  });

  it('loads the golden adapters written in PEFT format by the Python generator', async () => {
    const a = await loadPeftAdapter(folderSource(`${ROOT}lora/regex_rslora`), { linears });
    expect(a.targetNames).toEqual(linears.map((l) => l.name).filter((n) => /decoder.*(k_proj|out_proj)$/.test(n)));
    expect(a.modules[0].scale).toBeCloseTo(3 / Math.sqrt(2), 12);
  });

  describe('errors name the key', () => {
    const base = () => adapterFiles(trained(['q_proj']));
    const tensorsOf = async (files: Record<string, Uint8Array | string>) => {
      const st = await SafetensorsFile.open(memorySource(files), ADAPTER_WEIGHTS);
      const out: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const n of st.names()) out[n] = { shape: st.info(n)!.shape, data: (await st.read(n)).data as Float32Array };
      return out;
    };
    const withTensors = (files: Record<string, Uint8Array | string>, t: Record<string, { shape: number[]; data: Float32Array }>) =>
      memorySource({ ...files, [ADAPTER_WEIGHTS]: writeSafetensors(t) });
    const qA = peftKey('model.decoder.layers.0.self_attn.q_proj', 'A');
    const qB = peftKey('model.decoder.layers.0.self_attn.q_proj', 'B');

    it('missing partner, foreign keys, `.default` accepted', async () => {
      const files = base();
      const t = await tensorsOf(files);
      const { [qB]: _, ...noB } = t;
      await expect(loadPeftAdapter(withTensors(files, noB))).rejects.toThrow(`key '${qA}' has no partner '${qB}'`);
      const emb = { ...t, 'base_model.model.model.decoder.embed_tokens.lora_embedding_A': { shape: [4, 80], data: new Float32Array(320) } };
      await expect(loadPeftAdapter(withTensors(files, emb))).rejects.toThrow(/lora_embedding_A': LoRA on embedding layers is not supported/);
      const dora = { ...t, 'base_model.model.model.decoder.layers.0.self_attn.q_proj.lora_magnitude_vector': { shape: [32], data: new Float32Array(32) } };
      await expect(loadPeftAdapter(withTensors(files, dora))).rejects.toThrow(/DoRA/);
      const renamed = Object.fromEntries(Object.entries(t).map(([k, v]) => [k.replace('.weight', '.default.weight'), v]));
      expect((await loadPeftAdapter(withTensors(files, renamed), { linears })).modules.length).toBe(2 + 2 * 2);
    });

    it('shapes against the config and the base model', async () => {
      const files = base();
      const t = await tensorsOf(files);
      await expect(loadPeftAdapter(withTensors(files, { ...t, [qB]: { shape: [32, 2], data: new Float32Array(64) } })))
        .rejects.toThrow(`key '${qB}' has rank 2 but '${qA}' has rank 4`);
      await expect(loadPeftAdapter(withTensors(files, { ...t, [qA]: { shape: [4, 16], data: new Float32Array(64) } }), { linears }))
        .rejects.toThrow(`key '${qA}' has shape [4, 16] but the base model's 'model.decoder.layers.0.self_attn.q_proj' takes 32 inputs`);
      const cfg = JSON.parse(files[ADAPTER_CONFIG] as string) as Record<string, unknown>;
      await expect(loadPeftAdapter(memorySource({ ...files, [ADAPTER_CONFIG]: JSON.stringify({ ...cfg, r: 8 }) })))
        .rejects.toThrow(/has rank 4 but adapter_config.json gives r = 8/);
      const ghost = peftKey('model.decoder.layers.7.self_attn.q_proj', 'A');
      await expect(loadPeftAdapter(withTensors(files, { ...t, [ghost]: t[qA], [ghost.replace('lora_A', 'lora_B')]: t[qB] }), { linears }))
        .rejects.toThrow(`key '${ghost}': 'model.decoder.layers.7.self_attn.q_proj' is not a linear layer of the base model`);
      const { [qA]: _a, [qB]: _b, ...partial } = t;
      await expect(loadPeftAdapter(withTensors(files, partial), { linears })).rejects.toThrow(`lacks '${qA}'`);
      await expect(loadPeftAdapter(memorySource({ ...files, [ADAPTER_CONFIG]: JSON.stringify({ ...cfg, target_modules: ['v_proj'] }) })))
        .rejects.toThrow(/is not matched by target_modules/);
    });

    it('missing files', async () => {
      const files = base();
      await expect(loadPeftAdapter(memorySource({ [ADAPTER_WEIGHTS]: files[ADAPTER_WEIGHTS] }))).rejects.toThrow(/adapter_config.json' not found \(not a PEFT adapter folder\?\)/);
      await expect(loadPeftAdapter(memorySource({ [ADAPTER_CONFIG]: files[ADAPTER_CONFIG], 'adapter_model.bin': 'x' }))).rejects.toThrow(/only adapter_model.bin/);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromAdapterConfigJson, loraConfig, matchesTarget, moduleHyper, peftTaskType, toAdapterConfigJson } from './config';

const LORA_GOLDEN = fileURLToPath(new URL('../../../tests/golden/models/lora/', import.meta.url));

describe('target_modules matching (PEFT check_target_module_exists)', () => {
  const q = 'model.decoder.layers.0.self_attn.q_proj';
  it('a list matches a name equal to an entry or ending with .entry', () => {
    expect(matchesTarget(['q_proj'], q)).toBe(true);
    expect(matchesTarget(['self_attn.q_proj'], q)).toBe(true);
    expect(matchesTarget([q], q)).toBe(true);
    expect(matchesTarget(['_proj'], q)).toBe(false); // a suffix that is not a whole component
    expect(matchesTarget(['q_proj'], 'model.decoder.layers.0.self_attn.q_proj_extra')).toBe(false);
    expect(matchesTarget(['k_proj', 'v_proj'], q)).toBe(false);
  });

  it('a string is a regex that must match the whole name', () => {
    expect(matchesTarget('.*q_proj', q)).toBe(true);
    expect(matchesTarget('q_proj', q)).toBe(false); // re.fullmatch, not search
    expect(matchesTarget(String.raw`model\.decoder\.layers\.\d+\.self_attn\.(q|v)_proj`, q)).toBe(true);
    expect(matchesTarget('.*encoder.*', q)).toBe(false);
    expect(() => loraConfig({ targetModules: '(' })).toThrow(/regex '\(' is invalid/);
  });

  it('all-linear takes every linear but the output head', () => {
    expect(matchesTarget('all-linear', q, 'proj_out')).toBe(true);
    expect(matchesTarget('ALL-LINEAR', 'proj_out', 'proj_out')).toBe(false);
    expect(matchesTarget('all-linear', 'lm_head', 'lm_head')).toBe(false);
  });
});

describe('scaling', () => {
  it('alpha / r, alpha / sqrt(r) with rslora, and per-module patterns', () => {
    expect(moduleHyper(loraConfig({ targetModules: ['q_proj'], r: 8, loraAlpha: 16 }), 'a.q_proj').scale).toBe(2);
    expect(moduleHyper(loraConfig({ targetModules: ['q_proj'], r: 16, loraAlpha: 8, useRslora: true }), 'a.q_proj').scale).toBe(2);
    const c = loraConfig({ targetModules: ['q_proj', 'fc1'], r: 4, loraAlpha: 8, rankPattern: { fc1: 2 }, alphaPattern: { 'layers\\.1\\.fc1': 1 } });
    expect(moduleHyper(c, 'model.encoder.layers.0.fc1')).toEqual({ r: 2, alpha: 8, scale: 4 });
    expect(moduleHyper(c, 'model.encoder.layers.1.fc1')).toEqual({ r: 2, alpha: 1, scale: 0.5 });
    expect(moduleHyper(c, 'model.encoder.layers.1.self_attn.q_proj')).toEqual({ r: 4, alpha: 8, scale: 2 });
    expect(moduleHyper(c, 'model.encoder.layers.0.xfc1').r).toBe(4); // a pattern matches whole components
  });
});

describe('adapter_config.json', () => {
  it('writes the fields PEFT reads and reads them back', () => {
    const cfg = loraConfig({ targetModules: ['q_proj', 'v_proj'], r: 16, loraAlpha: 32, loraDropout: 0.05, useRslora: true, baseModelNameOrPath: 'openai/whisper-tiny' });
    const json = toAdapterConfigJson(cfg, ['x.q_proj']);
    expect(json).toMatchObject({
      peft_type: 'LORA', r: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'v_proj'], bias: 'none',
      use_rslora: true, task_type: null, base_model_name_or_path: 'openai/whisper-tiny', fan_in_fan_out: false,
      init_lora_weights: true, modules_to_save: null, revision: null, inference_mode: true, use_dora: false,
    });
    expect(fromAdapterConfigJson(JSON.parse(JSON.stringify(json)))).toEqual(cfg);
    // all-linear is stored resolved to the adapted modules, as PEFT does.
    expect(toAdapterConfigJson(loraConfig({ targetModules: 'all-linear' }), ['b.fc2', 'a.q_proj']).target_modules).toEqual(['a.q_proj', 'b.fc2']);
    expect(toAdapterConfigJson(loraConfig({ targetModules: '.*_proj' }), ['a.q_proj']).target_modules).toBe('.*_proj');
    expect(toAdapterConfigJson(loraConfig({ targetModules: ['q_proj'], taskType: peftTaskType('causal-lm') }), []).task_type).toBe('CAUSAL_LM');
    expect(peftTaskType('seq2seq')).toBeNull();
  });

  it('reads the golden PEFT configs', () => {
    const list = fromAdapterConfigJson(JSON.parse(readFileSync(`${LORA_GOLDEN}qv_fc1/adapter_config.json`, 'utf8')));
    expect(list).toMatchObject({ r: 4, loraAlpha: 8, loraDropout: 0.05, targetModules: ['q_proj', 'v_proj', 'fc1'], useRslora: false });
    const rx = fromAdapterConfigJson(JSON.parse(readFileSync(`${LORA_GOLDEN}regex_rslora/adapter_config.json`, 'utf8')));
    expect(typeof rx.targetModules).toBe('string');
    expect(rx.useRslora).toBe(true);
  });

  it('refuses what it cannot honour, naming the field', () => {
    const ok = { peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj'] };
    expect(fromAdapterConfigJson(ok).r).toBe(4);
    const bad = (patch: Record<string, unknown>) => () => fromAdapterConfigJson({ ...ok, ...patch });
    expect(bad({ peft_type: 'IA3' })).toThrow(/peft_type is "IA3"/);
    expect(bad({ use_dora: true })).toThrow(/use_dora = true is not supported/);
    expect(bad({ bias: 'lora_only' })).toThrow(/bias = "lora_only"/);
    expect(bad({ modules_to_save: ['proj_out'] })).toThrow(/modules_to_save/);
    expect(bad({ fan_in_fan_out: true })).toThrow(/fan_in_fan_out/);
    expect(bad({ layers_to_transform: [0] })).toThrow(/layers_to_transform/);
    expect(bad({ r: 0 })).toThrow(/adapter_config.json: r must be a positive integer/);
    expect(bad({ target_modules: 3 })).toThrow(/target_modules must be/);
    expect(bad({ use_rslora: 'yes' })).toThrow(/use_rslora/);
  });
});

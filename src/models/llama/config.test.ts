import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { llamaFromHfConfig, llamaToHfConfig } from './config';
import { llamaWeightNames } from './model';
import { TINY_CONFIGS } from './tiny';

const FIX = join(__dirname, '../../../tests/golden/models/llama/fixtures');
const cfg = (name: string) => JSON.parse(readFileSync(join(FIX, name, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('llamaFromHfConfig', () => {
  it('reads a Llama config with GQA, explicit head_dim and tied embeddings', () => {
    expect(llamaFromHfConfig(cfg('llama-gqa-tied-f16'))).toEqual({
      modelType: 'llama', vocabSize: 64, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2,
      headDim: 16, rmsNormEps: 1e-6, ropeTheta: 10000, maxPositions: 128, tieWordEmbeddings: true,
      qkvBias: false, oBias: false, mlpBias: false,
    });
  });

  it('gives Qwen2 its q/k/v bias and no o_proj bias', () => {
    const c = llamaFromHfConfig(cfg('qwen2-bf16'));
    expect([c.modelType, c.qkvBias, c.oBias, c.mlpBias, c.numKvHeads, c.ropeTheta]).toEqual(['qwen2', true, false, false, 1, 1e6]);
  });

  it('applies HF defaults (kv heads, head_dim, eps, theta, untied) and Llama attention_bias / mlp_bias', () => {
    const c = llamaFromHfConfig({ model_type: 'llama', vocab_size: 10, hidden_size: 12, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 3, attention_bias: true, mlp_bias: true });
    expect([c.numKvHeads, c.headDim, c.rmsNormEps, c.ropeTheta, c.tieWordEmbeddings, c.qkvBias, c.oBias, c.mlpBias]).toEqual([3, 4, 1e-6, 10000, false, true, true, true]);
    expect(llamaFromHfConfig({ ...cfg('llama-untied-sharded'), rope_theta: undefined, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } }).ropeTheta).toBe(5e5);
  });

  it('names the offending field', () => {
    const base = cfg('llama-untied-sharded');
    expect(() => llamaFromHfConfig({ ...base, rope_scaling: { rope_type: 'llama3', factor: 8 } })).toThrow(/rope_scaling .*llama3.* is not supported/);
    expect(() => llamaFromHfConfig({ ...base, rope_parameters: { rope_type: 'yarn' } })).toThrow(/rope_parameters .* not supported/);
    expect(() => llamaFromHfConfig({ ...base, hidden_act: 'gelu' })).toThrow(/hidden_act 'gelu' is not supported/);
    expect(() => llamaFromHfConfig({ ...base, hidden_size: undefined })).toThrow(/'hidden_size' must be a positive integer/);
    expect(() => llamaFromHfConfig({ ...base, num_hidden_layers: 1.5 })).toThrow(/'num_hidden_layers' must be a positive integer \(got 1.5\)/);
    expect(() => llamaFromHfConfig({ ...base, num_key_value_heads: 3 })).toThrow(/num_attention_heads 4 is not a multiple of num_key_value_heads 3/);
    expect(() => llamaFromHfConfig({ ...base, tie_word_embeddings: 'yes' })).toThrow(/'tie_word_embeddings' must be a boolean/);
    expect(() => llamaFromHfConfig({ ...cfg('qwen2-bf16'), use_sliding_window: true })).toThrow(/use_sliding_window/);
    expect(() => llamaFromHfConfig({ ...base, model_type: 'mistral' })).toThrow(/model_type 'mistral'/);
  });

  it('round-trips through llamaToHfConfig', () => {
    for (const c of Object.values(TINY_CONFIGS)) expect(llamaFromHfConfig(llamaToHfConfig(c))).toEqual(c);
  });
});

describe('weight names', () => {
  it('lists HF names, shapes and biases; lm_head only when untied', () => {
    const untied = llamaWeightNames(llamaFromHfConfig(cfg('llama-untied-sharded')));
    expect(untied.find((s) => s.name === 'lm_head.weight')?.shape).toEqual([64, 32]);
    expect(untied.some((s) => s.name.endsWith('.bias'))).toBe(false);
    const gqa = llamaWeightNames(llamaFromHfConfig(cfg('llama-gqa-tied-f16')));
    expect(gqa.some((s) => s.name === 'lm_head.weight')).toBe(false);
    expect(gqa.find((s) => s.name === 'model.layers.1.self_attn.k_proj.weight')?.shape).toEqual([32, 32]); // 2 kv heads x 16
    expect(gqa.find((s) => s.name === 'model.layers.1.self_attn.o_proj.weight')?.shape).toEqual([32, 64]);
    const qwen = llamaWeightNames(llamaFromHfConfig(cfg('qwen2-bf16'))).map((s) => s.name).filter((n) => n.endsWith('.bias'));
    expect(qwen).toEqual([0, 1].flatMap((l) => ['q', 'k', 'v'].map((p) => `model.layers.${l}.self_attn.${p}_proj.bias`)));
  });

});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from './io/file-source';
import { folderSource } from './io/file-source-node';
import { loadModel, modelDefFor, registry } from './registry';

const FIX = join(__dirname, '../../tests/golden/models/llama/fixtures');

describe('registry', () => {
  it('dispatches on model_type and rejects unknown ones', () => {
    expect(modelDefFor({ model_type: 'qwen2' })).toBe(registry.qwen2);
    expect(modelDefFor({ model_type: 'llama' }).kind).toBe('causal-lm');
    expect(registry.whisper.kind).toBe('seq2seq');
    expect(() => modelDefFor({ model_type: 'gpt2' })).toThrow(/model_type "gpt2" is not supported \(supported: llama, qwen2, whisper\)/);
    expect(() => modelDefFor(null)).toThrow(/model_type undefined is not supported/);
  });

  it('loadModel resolves a folder to its def, config and checked weight specs', async () => {
    const m = await loadModel(folderSource(join(FIX, 'llama-gqa-tied-f16')));
    expect(m.def).toBe(registry.llama);
    expect(m.config).toMatchObject({ numKvHeads: 2, tieWordEmbeddings: true });
    expect(m.specs).toEqual(m.def.weightNames(m.config));
    expect(m.specs.length).toBe(1 + 2 * 9 + 1);
    expect(m.weights.has(m.specs[0].name)).toBe(true);
  });

  it('loadModel names weights that do not match config.json', async () => {
    const dir = join(FIX, 'llama-gqa-tied-f16');
    const files = (extra: Record<string, unknown>) => memorySource({
      'config.json': JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), ...extra }),
      'model.safetensors': readFileSync(join(dir, 'model.safetensors')),
    }, 'ckpt');
    await expect(loadModel(files({ intermediate_size: 40 }))).rejects.toThrow(/ckpt: checkpoint does not match config.json: 'model.layers.0.mlp.gate_proj.weight' is \[48, 32\], config wants \[40, 32\]/);
    await expect(loadModel(files({ tie_word_embeddings: false }))).rejects.toThrow(/missing 'lm_head.weight'/);
  });
});

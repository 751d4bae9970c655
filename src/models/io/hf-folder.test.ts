import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from './file-source';
import { folderSource } from './file-source-node';
import { folderTokenizer, loadHfFolder } from './hf-folder';
import { TextTokenizer } from './tokenizer';

const FIX = join(__dirname, '../../../tests/golden/models/llama/fixtures');
const cases = (f: string) => JSON.parse(readFileSync(join(FIX, f), 'utf8')) as { text: string; ids: number[] }[];

describe('loadHfFolder', () => {
  it('loads config, sharded weights and every tokenizer/generation JSON present', async () => {
    const f = await loadHfFolder(folderSource(join(FIX, 'llama-untied-sharded')));
    expect(f.modelType).toBe('llama');
    expect(f.config.hidden_size).toBe(32);
    expect(f.weights!.names().length).toBe(1 + 2 * 9 + 2);
    expect(f.tokenizerJson).not.toBeNull();
    expect(f.tokenizerConfig).toMatchObject({ bos_token: '<s>' });
    expect(f.specialTokensMap).not.toBeNull();
    expect(f.generationConfig).toMatchObject({ eos_token_id: 2 });
    expect(f.preprocessorConfig).toBeNull();
  });

  it('loads a single-file checkpoint, and skips weights when asked', async () => {
    const f = await loadHfFolder(folderSource(join(FIX, 'qwen2-bf16')));
    expect(f.weights!.info('model.layers.0.self_attn.q_proj.bias')).toMatchObject({ dtype: 'BF16', file: 'model.safetensors' });
    expect(f.specialTokensMap).toBeNull();
    expect((await loadHfFolder(folderSource(join(FIX, 'qwen2-bf16')), { weights: false })).weights).toBeNull();
  });

  it('names what is missing', async () => {
    await expect(loadHfFolder(folderSource(join(FIX, 'no-such-model')))).rejects.toThrow(/model folder '.*no-such-model' does not exist/);
    await expect(loadHfFolder(memorySource({ 'tokenizer.json': '{}' }, 'hub'))).rejects.toThrow(/hub: file 'config.json' not found \(not an HF model folder\?\)/);
    await expect(loadHfFolder(memorySource({ 'config.json': '{"model_type":"llama"}' }, 'hub'))).rejects.toThrow(/file 'model.safetensors' not found \(nor model.safetensors.index.json\)/);
    await expect(loadHfFolder(memorySource({ 'config.json': '{"model_type":"llama"}', 'pytorch_model.bin': 'x' }, 'hub'))).rejects.toThrow(/only pytorch_model.bin is present/);
    await expect(loadHfFolder(memorySource({ 'config.json': '{"hidden_size": 3}' }, 'hub'))).rejects.toThrow(/no 'model_type'/);
    await expect(loadHfFolder(memorySource({ 'config.json': '{"model_type": ' }, 'hub'))).rejects.toThrow(/hub\/config.json: invalid JSON/);
    const noTok = await loadHfFolder(memorySource({ 'config.json': '{"model_type":"llama"}' }, 'hub'), { weights: false });
    expect(() => folderTokenizer(noTok)).toThrow(/file 'tokenizer.json' not found/);
  });
});

describe('TextTokenizer on the hand-built byte-level BPE', () => {
  it('encodes like the reference BPE in gen.py (no special tokens) and decodes back', async () => {
    for (const name of ['llama-untied-sharded', 'qwen2-bf16']) { // merges as strings, and as pairs
      const tok = folderTokenizer(await loadHfFolder(folderSource(join(FIX, name)), { weights: false }));
      for (const c of cases('tokenizer-cases.json')) {
        expect(tok.encode(c.text), `${name}: ${JSON.stringify(c.text)}`).toEqual(c.ids);
        expect(tok.decode(c.ids)).toBe(c.text);
      }
    }
  });

  it('resolves bos/eos/pad and stop ids from the configs (Llama style)', async () => {
    const tok = folderTokenizer(await loadHfFolder(folderSource(join(FIX, 'llama-untied-sharded')), { weights: false }));
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([1, 2, 3]); // pad from special_tokens_map.json
    expect(tok.stopIds).toEqual([2]);
    expect(tok.encode('the cat', { addSpecialTokens: true })).toEqual([1, ...tok.encode('the cat')]);
    expect(tok.decode([1, ...tok.encode('the cat'), 2], { skipSpecialTokens: true })).toBe('the cat');
    expect(tok.vocabSize).toBe(63);
    expect(tok.tokenToId('Ġthe')).toBe(38);
    expect(tok.idToToken(38)).toBe('Ġthe');
  });

  it('resolves ids without a BOS (Qwen2 style) and merges generation_config stop ids', async () => {
    const tok = folderTokenizer(await loadHfFolder(folderSource(join(FIX, 'qwen2-bf16')), { weights: false }));
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([null, 0, 0]);
    expect(tok.stopIds.sort()).toEqual([0, 2]);
    expect(tok.encode('the cat', { addSpecialTokens: true })).toEqual(tok.encode('the cat'));
  });

  it('falls back to config ids when tokenizer_config names no tokens, and rejects an unknown token', () => {
    const tokenizerJson = JSON.parse(readFileSync(join(FIX, 'qwen2-bf16/tokenizer.json'), 'utf8')) as unknown;
    const tok = TextTokenizer.fromJson({ tokenizerJson, config: { bos_token_id: 1, eos_token_id: [2, 0] }, generationConfig: { pad_token_id: 3 } });
    expect([tok.bosId, tok.eosId, tok.padId, tok.stopIds]).toEqual([1, 2, 3, [2, 0]]);
    expect(() => TextTokenizer.fromJson({ tokenizerJson, tokenizerConfig: { eos_token: '<nope>' } })).toThrow(/eos_token '<nope>' is not in the vocabulary/);
    expect(() => TextTokenizer.fromJson({ tokenizerJson: {} })).toThrow(/no 'model' section/);
  });
});

describe('TextTokenizer on a WordLevel tokenizer', () => {
  it('maps words to ids and unknown words to <unk>', () => {
    const tokenizerJson = JSON.parse(readFileSync(join(FIX, 'wordlevel/tokenizer.json'), 'utf8')) as unknown;
    const tok = TextTokenizer.fromJson({ tokenizerJson, tokenizerConfig: { unk_token: '<unk>', pad_token: '<pad>' } });
    for (const c of cases('wordlevel-cases.json')) expect(tok.encode(c.text), c.text).toEqual(c.ids);
    expect(tok.padId).toBe(1);
  });
});

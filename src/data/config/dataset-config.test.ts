import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../formats/test-fixtures-node';
import { ConfigError, exampleLimit, parseDatasetConfig, parseDatasetConfigText, templatedSourceSchema } from './dataset-config';

const read = (name: string) => parseDatasetConfigText(readFileSync(fixture(name), 'utf8'), name);

describe('dataset config (seed 000)', () => {
  it('parses the seed example and normalizes simu_perference to simu_preference', () => {
    const { config, warnings } = read('dataset-config.json');
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      dataset_name: 'openasr', name: 'librispeech', split: 'test.clean', num_egs: 1000, streaming: false,
      biasing: { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 },
      simu_preference: { error_range: [0.1, 0.25], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 },
      load_audio: true,
    });
  });

  it('warns about unknown keys with their path, and widens a scalar error_range', () => {
    const { config, warnings } = read('dataset-config-typos.json');
    expect(warnings).toEqual([
      expect.stringMatching(/^dataset-config-typos\.json: biasing\.hit_porb: unknown key \(known here: bias_prob, hit_prob, /),
      expect.stringMatching(/^dataset-config-typos\.json: simu_preference\.swap_prob: unknown key \(known here: error_range, delete_prob, substitute_prob, insert_prob, bias_word_prob, conversation\)$/),
      expect.stringMatching(/^dataset-config-typos\.json: lod_audio: unknown key/),
    ]);
    expect(config.simu_preference).toEqual({ error_range: [0.2, 0.2], insert_prob: 0.05 });
    expect(config.tsv_paths).toEqual(['tsv-good.tsv']);
    expect(config).not.toHaveProperty('lod_audio');
  });

  it('lists every wrong type and range with its field path', () => {
    let err: ConfigError | undefined;
    try { read('dataset-config-bad.json'); } catch (e) { err = e as ConfigError; }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = Object.fromEntries((err as ConfigError).issues.map((i) => [i.path, i.message]));
    expect(Object.keys(issues).sort()).toEqual(['biasing.bias_prob', 'biasing.max_piece_len', 'dataset_name', 'load_audio', 'num_egs', 'simu_perference.delete_prob', 'simu_perference.error_range'].sort());
    expect(issues.num_egs).toBe('expected number, got string');
    expect(issues.load_audio).toBe('expected boolean, got string');
    expect(issues['biasing.bias_prob']).toMatch(/<=1/);
    expect(issues['simu_perference.error_range']).toBe('expected a rate in [0, 1] or a pair [low, high]');
    expect(err?.message.split('\n')[0]).toMatch(/^dataset-config-bad\.json: [a-z_.]+: /);
  });

  it('rejects reversed ranges, both spellings at once, non-objects and bad JSON (with its line)', () => {
    expect(() => parseDatasetConfig({ simu_preference: { error_range: [0.3, 0.1] } }, 'c.json')).toThrow('c.json: simu_preference.error_range: low 0.3 is above high 0.1');
    expect(() => parseDatasetConfig({ simu_perference: {}, simu_preference: {} }, 'c.json')).toThrow(/not both/);
    expect(() => parseDatasetConfig([1], 'c.json')).toThrow('c.json: (top level): expected a JSON object, got array');
    expect(() => parseDatasetConfigText('{\n  "num_egs": 1,\n  "split": \n}', 'c.json')).toThrow(/^c\.json:4: \(top level\): invalid JSON at column 1: /);
  });

  it('takes the smaller of num_egs and max_train_samples', () => {
    expect(exampleLimit({ num_egs: 10 }, 3)).toBe(3);
    expect(exampleLimit({ num_egs: null }, 3)).toBe(3);
    expect(exampleLimit({}, undefined)).toBeUndefined();
    expect(exampleLimit({ num_egs: 2 }, null)).toBe(2);
  });

  it('validates templated source configs (seed 004)', () => {
    expect(templatedSourceSchema.safeParse({ template: 'Paraphrase: {text}', take: 1000, filter_length: true, max_new_tokens: 64 }).success).toBe(true);
    expect(templatedSourceSchema.safeParse({ template: 'x', messages: [{ role: 'user', content: 'y' }] }).success).toBe(false);
    const r = templatedSourceSchema.safeParse({ template: 'x', filter_length: true });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['max_new_tokens']);
  });
});

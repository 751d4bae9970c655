import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDatasetConfigText } from '../../data';
import { simulatePairs } from '../../sim/simulate';
import { DEFAULT_SEED, formDefaults, toSimulationConfig } from './simulate-page.form';

const demoConfig = parseDatasetConfigText(readFileSync(join(import.meta.dirname, '../../../public/demo/dataset-config.json'), 'utf8')).config;

describe('simulation form', () => {
  it('starts from the project config', () => {
    expect(formDefaults(demoConfig)).toEqual({
      seed: DEFAULT_SEED, biasing: true, bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2,
      error_low: 0.15, error_high: 0.3, delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05,
    });
  });

  it("falls back to the seed script's config, and turns biasing off when a config has none", () => {
    expect(formDefaults(null)).toMatchObject({ biasing: true, error_low: 0.1, error_high: 0.25 });
    expect(formDefaults({ simu_preference: { error_range: [0.2, 0.2] } })).toMatchObject({ biasing: false, error_low: 0.2, delete_prob: 0.1 });
  });

  it('builds the SimulationConfig, keeping config-only settings', () => {
    const cfg = { ...demoConfig, biasing: { ...demoConfig.biasing, tag: '#' }, simu_preference: { ...demoConfig.simu_preference, conversation: true } };
    const form = { ...formDefaults(cfg), seed: 5, max_num: 3, error_high: 0.4 };
    const sim = toSimulationConfig(form, cfg);
    expect(sim).toEqual({
      seed: 5,
      biasing: { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 3, tag: '#' },
      errors: { error_range: [0.15, 0.4], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05, conversation: true },
    });
    expect(toSimulationConfig({ ...form, biasing: false }, cfg).biasing).toBeNull();
    expect(simulatePairs(['a b c d e f'], sim).resolved.biasing?.tag).toBe('#');
  });

  it('lets the simulation reject bad values with the field name', () => {
    const sim = toSimulationConfig({ ...formDefaults(null), bias_prob: 1.5 }, null);
    expect(() => simulatePairs(['a b'], sim)).toThrow(/biasing\.bias_prob/);
    expect(() => simulatePairs(['a b'], toSimulationConfig({ ...formDefaults(null), error_low: 0.5, error_high: 0.2 }, null))).toThrow(/error_range/);
  });
});

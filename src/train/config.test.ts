import { describe, expect, it } from 'vitest';
import { parseTrainConfig, totalSteps } from './config';

const base = { model_name_or_path: 'm', dataset_name: 'd.jsonl', output_dir: 'out' };

describe('train config', () => {
  it('fills TRL/HF defaults', () => {
    const c = parseTrainConfig(base);
    expect(c).toMatchObject({ trainer: 'dpo', beta: 0.1, loss_type: ['sigmoid'], learning_rate: 1e-6, per_device_train_batch_size: 8, max_grad_norm: 1, lr_scheduler_type: 'linear', seed: 42 });
  });
  it('names the bad key', () => {
    expect(() => parseTrainConfig({ ...base, learning_rate: 'fast' }, 'run.toml')).toThrow(/^run\.toml: learning_rate: /);
    expect(() => parseTrainConfig({ ...base, lerning_rate: 1 })).toThrow(/lerning_rate/);
    expect(() => parseTrainConfig({ ...base, loss_type: ['sigmoid', 'ipo'], loss_weights: [1] })).toThrow(/loss_weights/);
    expect(() => parseTrainConfig({ ...base, adapter_path: 'a' })).toThrow(/use_peft/);
  });
  it('counts optimizer steps as HF does', () => {
    const c = parseTrainConfig({ ...base, per_device_train_batch_size: 4, gradient_accumulation_steps: 2, num_train_epochs: 3 });
    expect(totalSteps(c, 20)).toBe(6); // 5 batches -> 2 optimizer steps per epoch (HF drops the remainder)
    expect(totalSteps({ ...c, max_steps: 7 }, 20)).toBe(7);
  });
});

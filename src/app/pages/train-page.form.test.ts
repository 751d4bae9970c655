import { describe, expect, it } from 'vitest';
import { configInput, trainForm, validateTrainForm } from './train-page.form';

describe('train form', () => {
  it('validates the demo defaults into a full TrainConfig with the CLI defaults filled', () => {
    const v = validateTrainForm(trainForm({}, false));
    expect(v.errors).toBeNull();
    expect(v.config).toMatchObject({ trainer: 'dpo', device: 'wasm', use_peft: true, lora_r: 4, logging_steps: 1, max_length: 1024, loss_type: ['sigmoid'] });
  });

  it('defaults the device to WebGPU where the worker has it', () => {
    expect(trainForm({}, true).device).toBe('webgpu');
    expect(trainForm({ device: 'wasm' }, true).device).toBe('wasm');
  });

  it('names every bad field, with the schema message', () => {
    const v = validateTrainForm(trainForm({ learning_rate: -1, per_device_train_batch_size: 0, beta: Number.NaN, model: ' ' }, false));
    expect(v.config).toBeNull();
    expect(Object.keys(v.errors ?? {}).sort()).toEqual(['beta', 'learning_rate', 'model', 'per_device_train_batch_size']);
    expect(v.errors?.beta).toBe('enter a number');
  });

  it('splits loss_type on commas; an empty list is an error on loss_type', () => {
    const v = validateTrainForm(trainForm({ loss_type: 'sigmoid, hinge' }, false));
    expect(v.errors).toBeNull();
    expect(v.config?.loss_type).toEqual(['sigmoid', 'hinge']);
    const empty = validateTrainForm(trainForm({ loss_type: ' , ' }, false));
    expect(empty.errors?.loss_type).toBeTruthy();
  });

  it('leaves LoRA keys to their defaults when use_peft is off, even if empty', () => {
    const f = trainForm({ use_peft: false, lora_r: Number.NaN }, false);
    expect(configInput(f, 'x')).not.toHaveProperty('lora_r');
    expect(validateTrainForm(f).config).toMatchObject({ use_peft: false, lora_r: 16 });
  });
});

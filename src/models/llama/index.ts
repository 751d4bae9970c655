// The Llama-family decoder LM (llama, qwen2) as a registry entry.
import { type CausalLmDef } from '../types';
import { type LlamaConfig, llamaFromHfConfig } from './config';
import { llamaForward, llamaWeightNames } from './model';

export * from './config';
export * from './model';

/** A causal-LM def for `modelType` (Llama and Qwen2 share one graph; config.ts sets the biases). */
export function llamaFamilyDef(modelType: 'llama' | 'qwen2'): CausalLmDef<LlamaConfig> {
  return {
    modelType,
    kind: 'causal-lm',
    outputModule: 'lm_head',
    fromHfConfig: (json) => llamaFromHfConfig(json),
    weightNames: (c) => llamaWeightNames(c),
    forward: (ctx, c, inputs) => llamaForward(ctx, c, inputs),
  };
}

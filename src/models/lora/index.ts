// LoRA with PEFT semantics: config and module matching, the linear hook, PEFT adapter folders.
export * from './config';
export * from './lora';
export * from './peft';

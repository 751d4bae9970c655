// Whisper (model_type "whisper"): config, encoder/decoder graphs, decoder prompts, tiny checkpoints.
export * from './config';
export * from './model';
export * from './prompt';
export * from './languages';
export * from './tiny';

// Model file I/O: sources, safetensors, HF folders, tokenizers, weight accessors (no Node imports;
// see file-source-node.ts for local folders).
export * from './file-source';
export * from './safetensors';
export * from './hf-folder';
export * from './tokenizer';
export * from './weights';

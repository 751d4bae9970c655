// The op index: every primitive the engine emits, one line per family.
export * from './elementwise';
export * from './shape';
export * from './reduce';
export * from './indexing';
export * from './matmul';
export { type Operand } from './core';

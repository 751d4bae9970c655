// Test support for the engine: ORT in Node, the finite-difference gradient check, a protobuf reader.
export * from './ort';
export * from './grad-check';
export * from './proto-decode';

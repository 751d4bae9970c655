// The engine's public surface.
export * from './dtype';
export * from './graph';
export * from './ops';
export * from './autodiff';
export { toOnnx, OPSET } from './onnx/serialize';
export * from './session';
export * from './random';
export * from './optim';
export * from './train-step';

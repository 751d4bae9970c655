// A tiny 2-H-1 tanh MLP regressing y = sin(2 x0) x1 on a fixed set of points: the smallest
// end-to-end check that forward, gradients and AdamW train something.
import { linear } from '../nn';
import { mul, reduceMean, sub, tanh } from '../ops';
import { Rng } from '../random';
import { type HostTensor, type OptimizerConfig, type TrainStepGraphs, type TrainStepSpec, buildTrainStep, initialState } from '../train-step';

/** Sizes of the MLP example. */
export interface MlpConfig { hidden: number; points: number }

/** The defaults the tests train: 2-16-1 on 64 points. */
export const mlpDefaults: MlpConfig = { hidden: 16, points: 64 };

/** The target function. */
export const mlpTarget = (x0: number, x1: number): number => Math.sin(2 * x0) * x1;

/** The model and its MSE loss. */
export function mlpSpec(c: MlpConfig = mlpDefaults): TrainStepSpec {
  return {
    params: {
      w1: { dtype: 'float32', shape: [c.hidden, 2] }, b1: { dtype: 'float32', shape: [c.hidden] },
      w2: { dtype: 'float32', shape: [1, c.hidden] }, b2: { dtype: 'float32', shape: [1] },
    },
    batch: { x: { dtype: 'float32', shape: [c.points, 2] }, y: { dtype: 'float32', shape: [c.points, 1] } },
    loss: ({ params: p, batch }) => {
      const pred = linear(tanh(linear(batch.x, p.w1, p.b1)), p.w2, p.b2);
      const err = sub(pred, batch.y);
      return { loss: reduceMean(mul(err, err)) };
    },
  };
}

/** PyTorch's nn.Linear init: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)). */
export function mlpInit(seed: number, c: MlpConfig = mlpDefaults): Record<string, HostTensor> {
  const r = new Rng(seed).fork('mlp.init');
  const u = (dims: number[], fanIn: number): HostTensor => {
    const k = 1 / Math.sqrt(fanIn);
    return { dtype: 'float32', dims, data: r.uniformArray(dims.reduce((a, b) => a * b, 1), -k, k) };
  };
  return { w1: u([c.hidden, 2], 2), b1: u([c.hidden], 2), w2: u([1, c.hidden], c.hidden), b2: u([1], c.hidden) };
}

/** The fixed training set: points uniform in [-1, 1]^2 and their targets. */
export function mlpData(seed: number, c: MlpConfig = mlpDefaults): { x: HostTensor; y: HostTensor } {
  const r = new Rng(seed).fork('mlp.data');
  const x = r.uniformArray(2 * c.points, -1, 1);
  const y = new Float32Array(c.points).map((_, i) => mlpTarget(x[2 * i], x[2 * i + 1]));
  return { x: { dtype: 'float32', data: x, dims: [c.points, 2] }, y: { dtype: 'float32', data: y, dims: [c.points, 1] } };
}

/** Graphs, initial state and data of the MLP example. */
export function mlpExample(seed: number, o: Partial<OptimizerConfig> = {}, c: MlpConfig = mlpDefaults) {
  const optimizer: OptimizerConfig = { schedule: { type: 'constant', lr: 0.03 }, maxGradNorm: 1, ...o };
  const steps: TrainStepGraphs = buildTrainStep(mlpSpec(c), optimizer);
  return { steps, state: initialState(steps, mlpInit(seed, c)), data: mlpData(seed, c) };
}

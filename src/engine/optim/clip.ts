// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_ does it.
import { type Value } from '../graph';
import { add, div, minimum, mul, reduceSum, sqrt } from '../ops';

/** The L2 norm of all gradients taken together, as a float32 scalar. */
export function globalNorm(grads: Value[]): Value {
  if (!grads.length) throw new Error('globalNorm: no gradients');
  const squares = grads.map((g) => reduceSum(mul(g, g)));
  return sqrt(squares.reduce((a, b) => add(a, b)));
}

/**
 * Scale every gradient by min(1, maxNorm / (norm + 1e-6)); returns the clipped gradients and the
 * pre-clip norm (HF logs it as `grad_norm`). A non-finite norm gives non-finite gradients, as torch.
 */
export function clipByGlobalNorm(grads: Value[], maxNorm: number): { grads: Value[]; norm: Value } {
  const norm = globalNorm(grads);
  const coef = minimum(div(maxNorm, add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => mul(g, coef)), norm };
}

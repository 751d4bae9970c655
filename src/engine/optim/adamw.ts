// AdamW as graph nodes, following torch.optim.AdamW (decoupled weight decay, bias correction).
import { type Value } from '../graph';
import { add, div, exp, mul, neg, sqrt, sub, tanh } from '../ops';

/** AdamW hyper-parameters; `lr` and `step` are float32 scalar graph values. */
export interface AdamWOptions {
  /** Learning rate for this update (a graph input or a schedule computed in the graph). */
  lr: Value;
  /** t: the 1-based index of this update (torch's `state['step']` after its increment). */
  step: Value;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay, one value or one per parameter; default 0 as HF (torch's is 0.01). */
  weightDecay?: number | number[];
}

/** Updated parameters and moments, in the order given. */
export interface AdamWResult { params: Value[]; m: Value[]; v: Value[] }

/**
 * 1 - beta^t for a float32 scalar t, accurate to float32 precision.
 * NOTE: computing 1 - Pow(beta, t) in float32 cancels: for beta2 = 0.999 and t = 1 the relative
 * error is ~1e-5. With x = t ln(beta), 1 - e^x = -expm1(x) = -tanh(x/2) (e^x + 1) has no
 * cancellation (ONNX has no Expm1; tanh is accurate near 0).
 */
export function biasCorrection(beta: number, t: Value): Value {
  const x = mul(t, Math.log(beta));
  return neg(mul(tanh(mul(x, 0.5)), add(exp(x), 1)));
}

/**
 * One AdamW update for each (param, grad, m, v), as PyTorch does it:
 * p <- p (1 - lr wd); m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
 * p <- p - (lr / (1-b1^t)) m / (sqrt(v) / sqrt(1-b2^t) + eps).
 */
export function adamwUpdate(params: Value[], grads: Value[], m: Value[], v: Value[], o: AdamWOptions): AdamWResult {
  if (grads.length !== params.length || m.length !== params.length || v.length !== params.length) {
    throw new Error('adamwUpdate: params, grads, m and v must have the same length');
  }
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  const wds = Array.isArray(o.weightDecay) ? o.weightDecay : params.map(() => (o.weightDecay as number | undefined) ?? 0);
  if (wds.length !== params.length) throw new Error('adamwUpdate: one weight decay per parameter');
  // Scalars shared by every parameter.
  const stepSize = div(o.lr, biasCorrection(b1, o.step));
  const invSqrtBc2 = div(1, sqrt(biasCorrection(b2, o.step)));
  const shrink = new Map<number, Value>(); // 1 - lr wd, one node per distinct wd
  const out: AdamWResult = { params: [], m: [], v: [] };
  params.forEach((p, i) => {
    const g = grads[i];
    const wd = wds[i];
    if (wd && !shrink.has(wd)) shrink.set(wd, sub(1, mul(o.lr, wd)));
    const decayed = wd ? mul(p, shrink.get(wd)!) : p;
    const m1 = add(mul(m[i], b1), mul(g, 1 - b1));
    const v1 = add(mul(v[i], b2), mul(mul(g, g), 1 - b2));
    const denom = add(mul(sqrt(v1), invSqrtBc2), eps);
    out.params.push(sub(decayed, mul(stepSize, div(m1, denom))));
    out.m.push(m1);
    out.v.push(v1);
  });
  return out;
}

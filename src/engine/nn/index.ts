// Composites built from primitives: they get their gradients through the primitives' VJPs,
// except where a NOTE says why a custom VJP is needed.
import { customGradient } from '../autodiff';
import { type Value } from '../graph';
import {
  add, cast, div, equal, erf, exp, gatherElements, log, matmul, maximum, minimum, mul, neg, reduceLogSumExp,
  reduceMean, reduceSum, sigmoid, softmax, sqrt, squeeze, sub, tanh, transposeLast, unsqueeze, where, abs, greaterOrEqual,
} from '../ops';

/** y = x W^T + b with an HF-layout weight [out, in]. */
export function linear(x: Value, weight: Value, bias?: Value | null): Value {
  const y = matmul(x, transposeLast(weight));
  return bias ? add(y, bias) : y;
}

/** Exact GELU: x/2 (1 + erf(x / sqrt 2)). */
export const gelu = (x: Value): Value => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));

/** Tanh GELU ("gelu_new", "gelu_pytorch_tanh"). */
export function geluTanh(x: Value): Value {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** SiLU / swish: x sigmoid(x). */
export const silu = (x: Value): Value => mul(x, sigmoid(x));

/** LayerNorm over the last axis (biased variance, as PyTorch). */
export function layerNorm(x: Value, weight: Value, bias: Value | null, eps = 1e-5): Value {
  const mean = reduceMean(x, [-1], true);
  const xc = sub(x, mean);
  const variance = reduceMean(mul(xc, xc), [-1], true);
  const y = mul(div(xc, sqrt(add(variance, eps))), weight);
  return bias ? add(y, bias) : y;
}

/** RMSNorm over the last axis (Llama/Qwen2): x / sqrt(mean(x^2) + eps) * w. */
export function rmsNorm(x: Value, weight: Value, eps = 1e-6): Value {
  const ms = reduceMean(mul(x, x), [-1], true);
  return mul(div(x, sqrt(add(ms, eps))), weight);
}

/** log softmax along an axis as x - logsumexp(x): WebGPU has no LogSoftmax kernel (DESIGN.md). */
export const logSoftmax = (x: Value, axis = -1): Value => sub(x, reduceLogSumExp(x, [axis], true));

/**
 * s(x) and s(-x) from e = exp(-|x|), so no exponent is ever positive and each is relatively accurate.
 * NOTE: ONNX Runtime's CPU/WASM Sigmoid kernel is accurate only in absolute terms (~1e-7): 5e-4
 * relative error at x = -10, 17% at -15, exactly 0 at -20; saturated DPO pairs need the tails.
 */
function sigmoidPair(x: Value): [Value, Value] {
  const e = exp(neg(abs(x)));
  const big = div(1, add(e, 1)); // s(|x|)
  const small = div(e, add(e, 1)); // s(-|x|)
  const pos = greaterOrEqual(x, 0);
  return [where(pos, big, small), where(pos, small, big)];
}

/** Logistic sigmoid, relatively accurate for every x (ONNX Sigmoid is not in its tails). */
export function stableSigmoid(x: Value): Value {
  const [y, yNeg] = sigmoidPair(x);
  customGradient([x], [y], ([dy]) => [mul(dy!, mul(y, yNeg))]); // s'(x) = s(x) s(-x)
  return y;
}

/**
 * log sigmoid(x) = min(x, 0) - log(1 + e^-|x|).
 * NOTE: the forward never exponentiates a large positive number; the custom VJP dy * s(-x), with
 * s(-x) from the accurate pair, avoids the kinks of min and |x| at 0.
 */
export function logSigmoid(x: Value): Value {
  const y = sub(minimum(x, 0), log(add(exp(neg(abs(x))), 1)));
  customGradient([x], [y], ([dy]) => [mul(dy!, sigmoidPair(x)[1])]); // d/dx log s(x) = s(-x)
  return y;
}

/** softplus(x) = log(1 + e^x) = -logSigmoid(-x). */
export const softplus = (x: Value): Value => neg(logSigmoid(neg(x)));

/** The large negative used for masked attention scores (finite, so fully masked rows stay finite). */
export const MASKED = -1e9;

/**
 * Scaled dot-product attention. q [.., Tq, d], k/v [.., Tk, d]; `mask` is additive, broadcast
 * against the scores [.., Tq, Tk] (0 keeps, MASKED drops).
 */
export function attention(q: Value, k: Value, v: Value, mask?: Value | null, scale?: number): Value {
  const d = q.shape[q.rank - 1];
  const s = scale ?? 1 / Math.sqrt(d as number);
  let scores = mul(matmul(q, transposeLast(k)), s);
  if (mask) scores = add(scores, mask);
  return matmul(softmax(scores, -1), v);
}

/** Additive causal mask [T, T] for fixed T: 0 on and below the diagonal, MASKED above. */
export function causalMask(g: Value['graph'], t: number, offset = 0): Value {
  const data = new Float32Array(t * (t + offset));
  for (let i = 0; i < t; i++) for (let j = 0; j < t + offset; j++) data[i * (t + offset) + j] = j > i + offset ? MASKED : 0;
  return g.constant({ dtype: 'float32', shape: [t, t + offset], data });
}

/** Additive key-padding mask [B, 1, 1, Tk] from a 0/1 (or bool) attention mask [B, Tk]. */
export function paddingMask(attentionMask: Value): Value {
  const keep = attentionMask.dtype === 'bool' ? attentionMask : equal(attentionMask, 1);
  const g = attentionMask.graph;
  return unsqueeze(where(keep, g.scalar(0), g.scalar(MASKED)), [1, 2]);
}

/** log p(target) per position: logits [.., V], targets [..] (int32/int64) -> [..]. */
export function tokenLogProbs(logits: Value, targets: Value): Value {
  const logp = logSoftmax(logits, -1);
  return squeeze(gatherElements(logp, unsqueeze(targets, [-1]), -1), [-1]);
}

/** Mean cross-entropy over positions where `mask` is 1 (mask: float [..], same shape as targets). */
export function crossEntropy(logits: Value, targets: Value, mask?: Value): Value {
  const nll = neg(tokenLogProbs(logits, targets));
  if (!mask) return reduceMean(nll);
  const m = cast(mask, nll.dtype);
  return div(reduceSum(mul(nll, m)), maximum(reduceSum(m), 1));
}

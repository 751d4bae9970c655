// Sigmoid and log-sigmoid with relative accuracy in the tails, for the loss terms and their VJPs.
// NOTE: ONNX Runtime's CPU/WASM Sigmoid kernel (MLAS) is accurate only in absolute terms (~1e-7):
// measured relative error 5e-4 at x = -10, 2% at -12, 17% at -15, and exactly 0 at -20. The
// engine's logSigmoid takes its VJP from that kernel (dy * sigmoid(-x)), so gradients of saturated
// pairs lose their digits on WASM. These composites use Exp only (relatively accurate there).
import { type Value, abs, add, customGradient, div, exp, greaterOrEqual, log, minimum, mul, neg, sub, where } from '../../engine';

/** s(x) and s(-x) from e = exp(-|x|), so no exponent is ever positive: each is relatively accurate. */
function sigmoidPair(x: Value): [Value, Value] {
  const e = exp(neg(abs(x)));
  const big = div(1, add(e, 1)); // s(|x|)
  const small = div(e, add(e, 1)); // s(-|x|)
  const pos = greaterOrEqual(x, 0);
  return [where(pos, big, small), where(pos, small, big)];
}

/** Logistic sigmoid 1/(1 + e^-x), relatively accurate for every x. */
export function sigmoidStable(x: Value): Value {
  const [y, yNeg] = sigmoidPair(x);
  customGradient([x], [y], ([dy]) => [mul(dy!, mul(y, yNeg))]); // s'(x) = s(x) s(-x)
  return y;
}

/** log s(x) = min(x, 0) - log(1 + e^-|x|), with the VJP dy * s(-x) from the accurate pair. */
export function logSigmoidStable(x: Value): Value {
  const y = sub(minimum(x, 0), log(add(exp(neg(abs(x))), 1)));
  customGradient([x], [y], ([dy]) => [mul(dy!, sigmoidPair(x)[1])]); // d/dx log s(x) = s(-x)
  return y;
}

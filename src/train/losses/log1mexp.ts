// log(1 - e^a) for a < 0 from the primitives we have: ONNX has no Expm1 or Log1p op.
import { type Value, add, customGradient, exp, greater, log, mul, neg, sub, where } from '../../engine';

const LN2 = Math.LN2;
const LN10 = Math.LN10;
/** 1/k for the series -Σ u^k/k, k = 1..8. */
const INV = [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8];

/**
 * log(1 - e^a), a <= 0 (ORPO's log-odds), stable in three ranges:
 * - a > -ln 2: log(-a) + log((e^a - 1)/a), the second term by its series
 *   a/2 + a^2/24 - a^4/2880 + a^6/181440 (Bernoulli numbers; truncation < 6e-9 at a = -ln 2);
 * - -ln 10 < a <= -ln 2: log(1 - e^a), where 1 - e^a lies in [0.5, 0.9] (no cancellation, |y| > 0.1);
 * - a <= -ln 10: log1p(-u), u = e^a <= 0.1, by -Σ_{k<=8} u^k/k (relative error < u^8/9 ~ 1e-9).
 * Returns -inf at a = 0 and NaN for a > 0.
 * NOTE: near 0 the direct form log(1 - exp(a)) loses every digit (f32 exp(a) rounds to 1 for
 * a > -3e-8 and gives -inf); the series keeps full relative accuracy. The branches are selected
 * with Where, whose unselected side may be -inf: the custom VJP below never differentiates them
 * (0 * inf would turn the gradient into NaN).
 */
export function log1mexp(a: Value): Value {
  const a2 = mul(a, a);
  // a/2 + a^2 (1/24 + a^2 (-1/2880 + a^2/181440))
  const series = add(mul(a, 0.5), mul(a2, add(1 / 24, mul(a2, add(-1 / 2880, mul(a2, 1 / 181440))))));
  const near0 = add(log(neg(a)), series);
  const u = exp(a);
  const middle = log(sub(1, u));
  // -u (1 + u (1/2 + u (1/3 + ...))) by Horner
  let poly: Value = a.graph.scalar(INV[INV.length - 1], a.dtype);
  for (let k = INV.length - 2; k >= 0; k--) poly = add(mul(u, poly), INV[k]);
  const tail = neg(mul(u, poly));
  const y = where(greater(a, -LN2), near0, where(greater(a, -LN10), middle, tail));
  // d/da log(1 - e^a) = -e^a / (1 - e^a) = -exp(a - y): accurate wherever y is.
  customGradient([a], [y], ([dy]) => [neg(mul(dy!, exp(sub(a, y))))]);
  return y;
}

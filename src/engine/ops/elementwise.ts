// Elementwise primitives: each op's forward (ONNX type) and its VJP side by side.
// VJPs never unbroadcast: the reverse pass sums gradients back to input shapes once.
import { type Value } from '../graph';
import { type OpSpec } from '../graph';
import { type Operand, apply1, broadcastOut, lift, sameAs } from './core';
import { cast } from './shape';
import { where } from './indexing';

const unary = (type: string, vjp?: OpSpec['vjp']): OpSpec => ({ type, infer: sameAs(0), vjp });
const binary = (type: string, vjp?: OpSpec['vjp']): OpSpec => ({ type, infer: broadcastOut(), vjp });
const compare = (type: string): OpSpec => ({ type, infer: broadcastOut('bool') });

const Add = binary('Add', ([dy]) => [dy, dy]);
const Sub = binary('Sub', ([dy]) => [dy, neg(dy!)]);
const Mul = binary('Mul', ([dy], [a, b]) => [mul(dy!, b!), mul(dy!, a!)]);
// d(a/b) = da/b - a db/b^2 = da/b - y db/b
const Div = binary('Div', ([dy], [, b], [y]) => [div(dy!, b!), neg(mul(dy!, div(y, b!)))]);
// d a^b = b a^(b-1) da + a^b ln(a) db
const Pow = binary('Pow', ([dy], [a, b], [y]) => [
  mul(dy!, mul(b!, pow(a!, sub(b!, 1)))),
  mul(dy!, mul(y, log(a!))),
]);

const Neg = unary('Neg', ([dy]) => [neg(dy!)]);
const Exp = unary('Exp', ([dy], _x, [y]) => [mul(dy!, y)]); // d e^x = e^x
const Log = unary('Log', ([dy], [x]) => [div(dy!, x!)]); // d ln x = 1/x
const Sqrt = unary('Sqrt', ([dy], _x, [y]) => [div(mul(dy!, 0.5), y)]); // d sqrt x = 1/(2 sqrt x)
const Tanh = unary('Tanh', ([dy], _x, [y]) => [mul(dy!, sub(1, mul(y, y)))]); // 1 - tanh^2
const Sigmoid = unary('Sigmoid', ([dy], _x, [y]) => [mul(dy!, mul(y, sub(1, y)))]); // s (1 - s)
const Relu = unary('Relu', ([dy], [x]) => [mul(dy!, cast(greater(x!, 0), dy!.dtype))]);
const Abs = unary('Abs', ([dy], [x]) => [mul(dy!, sign(x!))]); // d|x| = sign(x)
// d erf x = 2/sqrt(pi) e^(-x^2)
const Erf = unary('Erf', ([dy], [x]) => [mul(dy!, mul(exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))]);
const Sin = unary('Sin', ([dy], [x]) => [mul(dy!, cos(x!))]);
const Cos = unary('Cos', ([dy], [x]) => [neg(mul(dy!, sin(x!)))]);
const Reciprocal = unary('Reciprocal', ([dy], _x, [y]) => [neg(mul(dy!, mul(y, y)))]); // -1/x^2

const Equal = compare('Equal');
const Less = compare('Less');
const LessOrEqual = compare('LessOrEqual');
const Greater = compare('Greater');
const GreaterOrEqual = compare('GreaterOrEqual');
const And = compare('And');
const Or = compare('Or');
const Not: OpSpec = { type: 'Not', infer: sameAs(0) };

/** a + b with broadcasting. */
export const add = (a: Operand, b: Operand): Value => apply1(Add, lift([a, b]));
/** a - b with broadcasting. */
export const sub = (a: Operand, b: Operand): Value => apply1(Sub, lift([a, b]));
/** a * b with broadcasting. */
export const mul = (a: Operand, b: Operand): Value => apply1(Mul, lift([a, b]));
/** a / b with broadcasting. */
export const div = (a: Operand, b: Operand): Value => apply1(Div, lift([a, b]));
/** a ** b with broadcasting. */
export const pow = (a: Operand, b: Operand): Value => apply1(Pow, lift([a, b]));
// NOTE: maximum, minimum and sign are composites of Where / comparisons / Cast, not ONNX Max,
// Min and Sign: the WebGPU EP has no kernels for those three (they would fall back to the CPU).
// Through Where the larger (smaller) operand takes the gradient; on an exact tie the first one.
/** Elementwise maximum (ties pick `a`). */
export function maximum(a: Operand, b: Operand): Value {
  const [x, y] = lift([a, b]);
  return where(greaterOrEqual(x, y), x, y);
}
/** Elementwise minimum (ties pick `a`). */
export function minimum(a: Operand, b: Operand): Value {
  const [x, y] = lift([a, b]);
  return where(lessOrEqual(x, y), x, y);
}
/** -x. */
export const neg = (x: Value): Value => apply1(Neg, [x]);
/** e^x. */
export const exp = (x: Value): Value => apply1(Exp, [x]);
/** Natural log. */
export const log = (x: Value): Value => apply1(Log, [x]);
/** Square root. */
export const sqrt = (x: Value): Value => apply1(Sqrt, [x]);
/** Hyperbolic tangent. */
export const tanh = (x: Value): Value => apply1(Tanh, [x]);
/** Logistic sigmoid. */
export const sigmoid = (x: Value): Value => apply1(Sigmoid, [x]);
/** max(x, 0). */
export const relu = (x: Value): Value => apply1(Relu, [x]);
/** |x|. */
export const abs = (x: Value): Value => apply1(Abs, [x]);
/** Sign of x (-1, 0, 1) as (x > 0) - (x < 0); no gradient flows through it. */
export const sign = (x: Value): Value => sub(cast(greater(x, 0), x.dtype), cast(less(x, 0), x.dtype));
/** Gauss error function. */
export const erf = (x: Value): Value => apply1(Erf, [x]);
/** Sine. */
export const sin = (x: Value): Value => apply1(Sin, [x]);
/** Cosine. */
export const cos = (x: Value): Value => apply1(Cos, [x]);
/** 1 / x. */
export const reciprocal = (x: Value): Value => apply1(Reciprocal, [x]);
/** a == b (bool). */
export const equal = (a: Operand, b: Operand): Value => apply1(Equal, lift([a, b]));
/** a < b (bool). */
export const less = (a: Operand, b: Operand): Value => apply1(Less, lift([a, b]));
/** a <= b (bool). */
export const lessOrEqual = (a: Operand, b: Operand): Value => apply1(LessOrEqual, lift([a, b]));
/** a > b (bool). */
export const greater = (a: Operand, b: Operand): Value => apply1(Greater, lift([a, b]));
/** a >= b (bool). */
export const greaterOrEqual = (a: Operand, b: Operand): Value => apply1(GreaterOrEqual, lift([a, b]));
/** Logical and of two bool tensors. */
export const and = (a: Value, b: Value): Value => apply1(And, [a, b]);
/** Logical or of two bool tensors. */
export const or = (a: Value, b: Value): Value => apply1(Or, [a, b]);
/** Logical not of a bool tensor. */
export const not = (a: Value): Value => apply1(Not, [a]);

// The element-wise functions of the unary ops in f64, defined once: they build the int8 lookup
// tables at load time. AssemblyScript's Math is a software implementation compiled into the
// artifact, so the tables have the same bits on every host. The f32 run-time paths use the
// vector exp of math/vexp.ts (Sigmoid, Tanh, Softmax) or plain min/max/mul/add kernels.
import { Op } from "../format/spec";

export const HARD_SWISH_ALPHA: f64 = 1.0 / 6.0;

/** sigmoid without overflow: e^x / (1 + e^x) for negative x keeps tiny results accurate. */
@inline export function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

/**
 * f(x) in f64 for a unary op code; p0/p1 are the op's float attributes (Clip: min, max;
 * HardSigmoid: alpha, beta). Identity for any other code (Concat requantization uses it).
 */
export function unary64(op: i32, x: f64, p0: f64, p1: f64): f64 {
  switch (op) {
    case Op.Relu: return max<f64>(x, 0);
    case Op.Clip: return min<f64>(max<f64>(x, p0), p1);
    case Op.Sigmoid: return sigmoid64(x);
    case Op.Tanh: return Math.tanh(x);
    case Op.HardSigmoid: return max<f64>(0, min<f64>(1, p0 * x + p1));
    case Op.HardSwish: return x * max<f64>(0, min<f64>(1, HARD_SWISH_ALPHA * x + 0.5));
    default: return x;
  }
}

// Helpers shared by op implementations: argument checks that produce typed errors.
import { Activation, DType, ErrorCode, Format } from "../format/spec";
import { failAt } from "../runtime/errors";
import { Model, opAttr, opIn, opNumIn, opNumOut, opOut, tDType, tScaleCount, tZeroPoint, isConst, tRank, tDim, tEncoding } from "../model";
import { Encoding } from "../format/spec";

export function expectArity(m: Model, o: u32, minIn: i32, maxIn: i32, nOut: i32): i32 {
  const nin = opNumIn(m, o);
  if (nin < minIn || nin > maxIn) return failAt(ErrorCode.BadOp, "op ", o, ": wrong number of inputs");
  if (opNumOut(m, o) != nOut) return failAt(ErrorCode.BadOp, "op ", o, ": wrong number of outputs");
  for (let i = 0; i < minIn; i++) if (opIn(m, o, i) == <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": required input missing");
  return 0;
}

/** Optional input i, or NoTensor. */
export function optIn(m: Model, o: u32, i: i32): u32 {
  return i < opNumIn(m, o) ? opIn(m, o, i) : <u32>Format.NoTensor;
}

export function expectActivation(m: Model, o: u32, t: u32, what: string): i32 {
  if (isConst(m, t)) return failAt(ErrorCode.BadOp, "op ", o, what);
  return 0;
}

export function expectConst(m: Model, o: u32, t: u32): i32 {
  if (!isConst(m, t)) return failAt(ErrorCode.BadOp, "op ", o, ": weights must be constant");
  return 0;
}

export function expectDense(m: Model, o: u32, t: u32): i32 {
  if (tEncoding(m, t) != Encoding.Dense) return failAt(ErrorCode.BadEncoding, "op ", o, ": this input must be densely encoded");
  return 0;
}

/** Same rank and dims. */
export function sameShape(m: Model, a: u32, b: u32): bool {
  const r = tRank(m, a);
  if (r != tRank(m, b)) return false;
  for (let i = 0; i < r; i++) if (tDim(m, a, i) != tDim(m, b, i)) return false;
  return true;
}

export function expectScaled(m: Model, o: u32, t: u32): i32 {
  if (tDType(m, t) == DType.I8 && tScaleCount(m, t) == 0) return failAt(ErrorCode.BadQuant, "op ", o, ": int8 tensor needs a scale here");
  return 0;
}

export function expectActCode(m: Model, o: u32, act: i32): i32 {
  if (act != Activation.None && act != Activation.Relu && act != Activation.Relu6) return failAt(ErrorCode.BadOp, "op ", o, ": unknown fused activation");
  return 0;
}

@inline export function applyActF32(v: f32, act: i32): f32 {
  if (act == Activation.Relu) return max<f32>(v, 0);
  if (act == Activation.Relu6) return min<f32>(max<f32>(v, 0), 6);
  return v;
}

/** Quantized-domain bounds [lo, hi] for a fused activation on an int8 output. */
export function actRangeI8(act: i32, scale: f32, zp: i32, out: usize): void {
  let lo: i32 = -128;
  let hi: i32 = 127;
  if (act == Activation.Relu || act == Activation.Relu6) lo = max<i32>(lo, zp);
  if (act == Activation.Relu6) {
    const six = <f64>nearest<f64>(6.0 / <f64>scale) + <f64>zp;
    hi = six < <f64>hi ? <i32>six : hi;
    if (hi < lo) hi = lo;
  }
  store<i32>(out, lo);
  store<i32>(out, hi, 4);
}

/**
 * The dtype rules shared by the weighted ops (Dense, Conv2d): f32 x f32 -> f32; int8 x int8 ->
 * int8 (requantized), f32 (dequantized) or int32 (raw; no activation, and no bias when
 * `int32TakesBias` is false); f32 x int8 -> f32 (dynamic, symmetric scaled weights). Bias is a
 * dense constant [N]: int32 for int8 inputs, f32 otherwise.
 */
export function checkWeightedDTypes(m: Model, o: u32, x: u32, w: u32, b: u32, y: u32, N: i32, int32TakesBias: bool): i32 {
  const xt = tDType(m, x), wt = tDType(m, w), yt = tDType(m, y);
  const intIn = xt == DType.I8 && wt == DType.I8;
  if (b != <u32>Format.NoTensor) {
    if (!isConst(m, b) || tEncoding(m, b) != Encoding.Dense || tRank(m, b) != 1 || tDim(m, b, 0) != N) return failAt(ErrorCode.BadShape, "op ", o, ": bias must be a constant [N] (one per output channel)");
    if (tDType(m, b) != (intIn ? DType.I32 : DType.F32)) return failAt(ErrorCode.BadOp, "op ", o, ": bias dtype must be int32 for int8 inputs, f32 otherwise");
  }
  if (xt == DType.F32 && wt == DType.F32) {
    if (yt != DType.F32) return failAt(ErrorCode.BadOp, "op ", o, ": f32 inputs produce f32");
    return 0;
  }
  if (wt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": unsupported weight dtype");
  if (xt == DType.F32) {
    if (yt != DType.F32) return failAt(ErrorCode.BadOp, "op ", o, ": dynamic quantization produces f32");
    if (tScaleCount(m, w) == 0) return failAt(ErrorCode.BadQuant, "op ", o, ": dynamic quantization needs weight scales");
    if (tZeroPoint(m, w) != 0) return failAt(ErrorCode.BadQuant, "op ", o, ": dynamic quantization needs symmetric weights");
    return 0;
  }
  if (xt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": unsupported input dtype");
  if (yt == DType.I32) {
    if (opAttr(m, o, 0) != Activation.None) return failAt(ErrorCode.BadOp, "op ", o, ": int32 output takes no activation");
    if (!int32TakesBias && b != <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": int32 output takes no bias (ConvInteger)");
    return 0;
  }
  if (tScaleCount(m, x) == 0 || tScaleCount(m, w) == 0 || (yt == DType.I8 && tScaleCount(m, y) == 0))
    return failAt(ErrorCode.BadQuant, "op ", o, ": int8 inputs need input, weight and output scales");
  return 0;
}

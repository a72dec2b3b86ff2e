// Element-wise unary ops: Relu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish.
// f32 -> f32 computes the function directly; int8 -> int8 (each side with its own scale and zero
// point) is one 256-entry lookup table built at load, so the run-time path has no float at all.
import { DType, ErrorCode, Format, Op } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opAttrF, opCode, opIn, opOut, opState, setOpState, tDType, tNumel, tptr,
  tScale, tScaleCount, tZeroPoint, isConst,
} from "../model";
import { expectArity, sameShape } from "./common";
import { buildLutI8 } from "../quant/lut";
import { i8_lut } from "../kernels/i8-lut-simd128";
import { f32_clamp } from "../kernels/f32-clamp-simd128";
import { f32_hardsigmoid } from "../kernels/f32-hardsigmoid-simd128";
import { f32_vsigmoid } from "../kernels/f32-vsigmoid-simd128";
import { f32_vtanh } from "../kernels/f32-vtanh-simd128";

/** Number of f32 attributes an op code takes (the rest must be zero). */
function floatAttrCount(op: i32): i32 {
  return op == Op.Clip || op == Op.HardSigmoid ? 2 : 0;
}

export function checkUnary(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 1, 1, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": element-wise input must be an activation");
  if (!sameShape(m, x, y)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must equal the input shape");
  const code = opCode(m, o);
  const nf = floatAttrCount(code);
  for (let i = 0; i < nf; i++) {
    const v = opAttrF(m, o, i);
    if (v != v) return failAt(ErrorCode.BadOp, "op ", o, ": float attribute is NaN");
  }
  for (let i = nf; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  const xt = tDType(m, x);
  if (xt != tDType(m, y)) return failAt(ErrorCode.BadOp, "op ", o, ": element-wise output dtype must equal the input dtype");
  if (xt == DType.F32) return 0;
  if (xt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": element-wise ops take f32 or int8");
  if (tScaleCount(m, x) == 0 || tScaleCount(m, y) == 0) return failAt(ErrorCode.BadQuant, "op ", o, ": int8 element-wise ops need input and output scales");
  return 0;
}

export function prepareUnary(m: Model, o: u32): i32 {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (tDType(m, x) != DType.I8) return 0;
  const lut = own(m, 256);
  if (lut == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing a lookup table");
  buildLutI8(lut, tScale(m, x), tZeroPoint(m, x), tScale(m, y), tZeroPoint(m, y), opCode(m, o), <f64>opAttrF(m, o, 0), <f64>opAttrF(m, o, 1));
  setOpState(m, o, lut);
  return 0;
}

export function runUnary(m: Model, o: u32, batch: i32): void {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const n = <usize>tNumel(m, x) * <usize>batch;
  const xp = tptr(m, x), yp = tptr(m, y);
  const lut = opState(m, o);
  if (lut != 0) {
    i8_lut(xp, lut, n, yp);
    return;
  }
  switch (opCode(m, o)) {
    case Op.Relu: f32_clamp(xp, n, 0, f32.POSITIVE_INFINITY, yp); break;
    case Op.Clip: f32_clamp(xp, n, opAttrF(m, o, 0), opAttrF(m, o, 1), yp); break;
    case Op.HardSigmoid: f32_hardsigmoid(xp, n, opAttrF(m, o, 0), opAttrF(m, o, 1), yp, false); break;
    case Op.HardSwish: f32_hardsigmoid(xp, n, <f32>(1.0 / 6.0), 0.5, yp, true); break;
    case Op.Sigmoid: f32_vsigmoid(xp, n, yp); break;
    case Op.Tanh: f32_vtanh(xp, n, yp); break;
    default: unreachable();
  }
}

// Concat along a per-sample axis (attrs [0]) of up to 6 inputs, f32 or int8. Constant inputs have
// the per-sample shape and are repeated for every sample. int8 inputs whose scale or zero point
// differ from the output's are requantized through a 256-entry table built at load.
import { DType, Encoding, ErrorCode, Format, Op } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opIn, opNumIn, opOut, opState, setOpState, rt, tDType, tDim, tEncoding, tRank,
  tScale, tScaleCount, tZeroPoint, tptr, isConst,
} from "../model";
import { expectArity } from "./common";
import { sameQuant } from "./qparams";
import { buildLutI8 } from "../quant/lut";
import { i8_lut } from "../kernels/i8-lut-simd128";

/** Per input: the requantization table (0: plain copy) and the bytes it adds per outer row. */
const IN_REC: usize = 16;

export function checkConcat(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 1, Format.MaxOpInputs, 1);
  if (r < 0) return r;
  const y = opOut(m, o, 0);
  const rank = tRank(m, y);
  const axis = opAttr(m, o, 0);
  if (axis < 0 || axis >= rank) return failAt(ErrorCode.BadOp, "op ", o, ": concat axis outside the per-sample rank");
  for (let i = 1; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  const dt = tDType(m, y);
  if (dt != DType.F32 && dt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": concat takes f32 or int8");
  const outScaled = dt == DType.I8 && tScaleCount(m, y) > 0;
  let total: i64 = 0;
  const n = opNumIn(m, o);
  for (let k = 0; k < n; k++) {
    const x = opIn(m, o, k);
    if (x == <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": concat inputs cannot be omitted");
    if (tDType(m, x) != dt) return failAt(ErrorCode.BadOp, "op ", o, ": concat inputs and output must share one dtype");
    if (isConst(m, x) && tEncoding(m, x) != Encoding.Dense) return failAt(ErrorCode.BadEncoding, "op ", o, ": constant concat input must be densely encoded");
    if (tRank(m, x) != rank) return failAt(ErrorCode.BadShape, "op ", o, ": concat inputs must have the output's rank");
    for (let i = 0; i < rank; i++) if (i != axis && tDim(m, x, i) != tDim(m, y, i)) return failAt(ErrorCode.BadShape, "op ", o, ": concat inputs differ outside the axis");
    total += tDim(m, x, axis);
    if (dt == DType.I8) {
      if (outScaled && tScaleCount(m, x) != 1) return failAt(ErrorCode.BadQuant, "op ", o, ": int8 concat inputs need a per-tensor scale when the output has one");
      if (!outScaled && !sameQuant(m, x, y)) return failAt(ErrorCode.BadQuant, "op ", o, ": unscaled int8 concat needs unscaled inputs with the output's zero point");
    }
  }
  if (total != <i64>tDim(m, y, axis)) return failAt(ErrorCode.BadShape, "op ", o, ": output axis dim must be the sum of the inputs'");
  return 0;
}

export function prepareConcat(m: Model, o: u32): i32 {
  const y = opOut(m, o, 0);
  const axis = opAttr(m, o, 0);
  const n = opNumIn(m, o);
  const st = own(m, <usize>n * IN_REC);
  if (st == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing concat");
  setOpState(m, o, st);
  const es = rt(m, y).elemSize;
  for (let k = 0; k < n; k++) {
    const x = opIn(m, o, k);
    let inner: u32 = es;
    for (let i = axis; i < tRank(m, x); i++) inner *= <u32>tDim(m, x, i);
    store<u32>(st + <usize>k * IN_REC, inner, 8);
    if (tDType(m, y) == DType.I8 && tScaleCount(m, y) > 0 && !sameQuant(m, x, y)) {
      const lut = own(m, 256);
      if (lut == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing concat");
      buildLutI8(lut, tScale(m, x), tZeroPoint(m, x), tScale(m, y), tZeroPoint(m, y), Op.Concat, 0, 0);
      store<usize>(st + <usize>k * IN_REC, lut);
    }
  }
  return 0;
}

export function runConcat(m: Model, o: u32, batch: i32): void {
  const st = opState(m, o);
  const y = opOut(m, o, 0);
  const axis = opAttr(m, o, 0);
  const n = opNumIn(m, o);
  let outer: usize = 1; // rows per sample before the axis
  for (let i = 0; i < axis; i++) outer *= <usize>tDim(m, y, i);
  let dst = tptr(m, y);
  for (let s: usize = 0; s < <usize>batch; s++) {
    for (let r: usize = 0; r < outer; r++) {
      for (let k = 0; k < n; k++) {
        const x = opIn(m, o, k);
        const rec = st + <usize>k * IN_REC;
        const lut = load<usize>(rec);
        const bytes = <usize>load<u32>(rec, 8);
        const row = isConst(m, x) ? r : s * outer + r;
        const src = tptr(m, x) + row * bytes;
        if (lut != 0) i8_lut(src, lut, bytes, dst);
        else memory.copy(dst, src, bytes);
        dst += bytes;
      }
    }
  }
}

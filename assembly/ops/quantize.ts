// Quantize (ONNX QuantizeLinear, f32 -> int8), Dequantize (DequantizeLinear, int8/int32 -> f32)
// and DynamicQuantize (DynamicQuantizeLinear per sample, mapped from uint8 to int8).
// Quantize/Dequantize take the scale and zero point from the int8 tensor's own record, or from
// optional constant inputs (scale f32 [C] or [1], zero point int8 of the same count) for ONNX's
// per-axis form; then attrs [0] is the per-sample axis with C entries and the int8 tensor must
// be unscaled.
import { DType, Encoding, ErrorCode, Format } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opIn, opOut, opState, setOpState, tDType, tDim, tEncoding, tNumel, tRank, tptr,
  tScale, tScaleCount, tZeroPoint, isConst, dimProduct,
} from "../model";
import { expectArity, optIn, sameShape } from "./common";
import { f32_i8_cvt } from "../kernels/f32-i8-cvt-simd128";
import { i8_f32_cvt } from "../kernels/i8-f32-cvt-simd128";

/** Prepared parameters: count entries of (scale f32, zero point i32), repeated every `inner`. */
@unmanaged class QState {
  count: i32;
  inner: i32; // elements per channel step (product of dims after the axis)
  params: usize; // count x (f32 scale, i32 zero point)
}

/** Validates the optional scale / zero-point inputs (slots 1, 2) against tensor q (the int8 side). */
function checkExplicitParams(m: Model, o: u32, q: u32): i32 {
  const s = optIn(m, o, 1), z = optIn(m, o, 2);
  if (s == <u32>Format.NoTensor) {
    if (z != <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": a zero point input needs a scale input");
    for (let i = 0; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": attributes need a scale input");
    if (tDType(m, q) != DType.I8 || tScaleCount(m, q) != 1) return failAt(ErrorCode.BadQuant, "op ", o, ": the int8 tensor needs a per-tensor scale (or give scale inputs)");
    return 0;
  }
  if (!isConst(m, s) || tEncoding(m, s) != Encoding.Dense || tDType(m, s) != DType.F32 || tRank(m, s) > 1) return failAt(ErrorCode.BadQuant, "op ", o, ": scale input must be a constant f32 scalar or vector");
  const count = tNumel(m, s);
  const sp = tptr(m, s);
  for (let i = 0; i < count; i++) {
    const v = load<f32>(sp + (<usize>i << 2));
    if (!(v > 0) || !isFinite(v)) return failAt(ErrorCode.BadQuant, "op ", o, ": scales must be finite and positive");
  }
  if (z != <u32>Format.NoTensor) {
    if (!isConst(m, z) || tEncoding(m, z) != Encoding.Dense || tDType(m, z) != DType.I8 || tNumel(m, z) != count || tRank(m, z) > 1)
      return failAt(ErrorCode.BadQuant, "op ", o, ": zero point input must be a constant int8 with one entry per scale");
    if (tDType(m, q) == DType.I32) for (let i = 0; i < count; i++) if (load<i8>(tptr(m, z) + <usize>i) != 0) return failAt(ErrorCode.BadQuant, "op ", o, ": int32 dequantization takes zero point 0");
  }
  if (tScaleCount(m, q) != 0 || tZeroPoint(m, q) != 0) return failAt(ErrorCode.BadQuant, "op ", o, ": with scale inputs the quantized tensor must be unscaled");
  const axis = opAttr(m, o, 0);
  for (let i = 1; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  if (axis < 0 || axis >= tRank(m, q)) return failAt(ErrorCode.BadOp, "op ", o, ": axis outside the per-sample rank");
  if (count != 1 && count != tDim(m, q, axis)) return failAt(ErrorCode.BadShape, "op ", o, ": scale count must be 1 or the axis dim");
  return 0;
}

function checkConvert(m: Model, o: u32, from: i32): i32 {
  const r = expectArity(m, o, 1, 3, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": input must be an activation");
  if (!sameShape(m, x, y)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must equal the input shape");
  const q = from == DType.F32 ? y : x;
  const xt = tDType(m, x), yt = tDType(m, y);
  if (from == DType.F32) {
    if (xt != DType.F32 || yt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": quantize maps f32 to int8");
  } else {
    if (yt != DType.F32 || (xt != DType.I8 && xt != DType.I32)) return failAt(ErrorCode.BadOp, "op ", o, ": dequantize maps int8 or int32 to f32");
    if (xt == DType.I32 && optIn(m, o, 1) == <u32>Format.NoTensor) return failAt(ErrorCode.BadQuant, "op ", o, ": int32 dequantization needs a scale input");
  }
  return checkExplicitParams(m, o, q);
}

export function checkQuantize(m: Model, o: u32): i32 { return checkConvert(m, o, DType.F32); }
export function checkDequantize(m: Model, o: u32): i32 { return checkConvert(m, o, DType.I8); }

export function prepareConvert(m: Model, o: u32): i32 {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const q = tDType(m, x) == DType.F32 ? y : x;
  const s = optIn(m, o, 1), z = optIn(m, o, 2);
  const st = changetype<QState>(own(m, offsetof<QState>()));
  if (changetype<usize>(st) == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing quantization");
  setOpState(m, o, changetype<usize>(st));
  st.count = s == <u32>Format.NoTensor ? 1 : tNumel(m, s);
  st.params = own(m, <usize>st.count << 3);
  if (st.params == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing quantization");
  const axis = opAttr(m, o, 0);
  st.inner = st.count == 1 ? tNumel(m, q) : dimProduct(m, q, axis + 1, tRank(m, q));
  for (let c = 0; c < st.count; c++) {
    const p = st.params + (<usize>c << 3);
    if (s == <u32>Format.NoTensor) {
      store<f32>(p, tScale(m, q));
      store<i32>(p, tZeroPoint(m, q), 4);
    } else {
      store<f32>(p, load<f32>(tptr(m, s) + (<usize>c << 2)));
      store<i32>(p, z == <u32>Format.NoTensor ? 0 : <i32>load<i8>(tptr(m, z) + <usize>c), 4);
    }
  }
  return 0;
}

/** Runs of `inner` elements share one (scale, zero point); per tensor the whole batch is one run. */
function runConvert(m: Model, o: u32, batch: i32, quantize: bool): void {
  const st = changetype<QState>(opState(m, o));
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const n = <usize>tNumel(m, x) * <usize>batch;
  const xp = tptr(m, x), yp = tptr(m, y);
  const wide = tDType(m, x) == DType.I32;
  const inner = st.count == 1 ? n : <usize>st.inner;
  const count = <usize>st.count;
  let c: usize = 0;
  for (let i: usize = 0; i < n; i += inner) {
    const scale = load<f32>(st.params + (c << 3)), zp = load<i32>(st.params + (c << 3), 4);
    if (quantize) f32_i8_cvt(xp + (i << 2), inner, scale, zp, yp + i);
    else if (wide) for (let k: usize = 0; k < inner; k++) store<f32>(yp + ((i + k) << 2), <f32>load<i32>(xp + ((i + k) << 2)) * scale);
    else i8_f32_cvt(xp + i, inner, scale, zp, yp + (i << 2));
    if (++c == count) c = 0;
  }
}

export function runQuantize(m: Model, o: u32, batch: i32): void { runConvert(m, o, batch, true); }
export function runDequantize(m: Model, o: u32, batch: i32): void { runConvert(m, o, batch, false); }

// ---- DynamicQuantize ---------------------------------------------------------------------

export function checkDynamicQuantize(m: Model, o: u32): i32 {
  const r = expectArity(m, o, 1, 1, 3);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0), s = opOut(m, o, 1), z = opOut(m, o, 2);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": input must be an activation");
  for (let i = 0; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": dynamic quantize takes no attributes");
  if (!sameShape(m, x, y)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must equal the input shape");
  if (tNumel(m, s) != 1 || tNumel(m, z) != 1) return failAt(ErrorCode.BadShape, "op ", o, ": scale and zero point outputs hold one value per sample");
  if (tDType(m, x) != DType.F32 || tDType(m, y) != DType.I8 || tDType(m, s) != DType.F32 || tDType(m, z) != DType.I8)
    return failAt(ErrorCode.BadOp, "op ", o, ": dynamic quantize maps f32 to (int8, f32 scale, int8 zero point)");
  if (tScaleCount(m, y) != 0 || tZeroPoint(m, y) != 0 || tScaleCount(m, z) != 0 || tZeroPoint(m, z) != 0)
    return failAt(ErrorCode.BadQuant, "op ", o, ": dynamically quantized outputs must be unscaled");
  return 0;
}

export function runDynamicQuantize(m: Model, o: u32, batch: i32): void {
  const x = opIn(m, o, 0), y = opOut(m, o, 0), s = opOut(m, o, 1), z = opOut(m, o, 2);
  const n = <usize>tNumel(m, x);
  for (let b: usize = 0; b < <usize>batch; b++) {
    const xp = tptr(m, x) + ((b * n) << 2), yp = tptr(m, y) + b * n;
    // range widened to include 0 so that 0 is exactly representable
    let lo: f32 = 0, hi: f32 = 0;
    for (let i: usize = 0; i < n; i++) {
      const v = load<f32>(xp + (i << 2));
      lo = min<f32>(lo, v);
      hi = max<f32>(hi, v);
    }
    let scale: f32 = (hi - lo) / 255;
    if (!(scale > 0) || !isFinite(scale)) scale = 1; // all zeros (or non-finite input): as onnxruntime
    // uint8 zero point saturate(round(0 - lo / scale)) in [0, 255], shifted to int8
    const zu = nearest<f32>((0 - lo) / scale);
    const zp = (zu != zu ? 0 : <i32>max<f32>(0, min<f32>(255, zu))) - 128;
    f32_i8_cvt(xp, n, scale, zp, yp);
    store<f32>(tptr(m, s) + (b << 2), scale);
    store<i8>(tptr(m, z) + b, <i8>zp);
  }
}

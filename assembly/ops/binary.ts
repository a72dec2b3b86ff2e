// Add and Mul with the broadcasting models need: b of a's shape (an activation, or a constant
// repeated for every sample), a constant over a's trailing dims (per-channel vectors [C]), or a
// scalar constant. A constant first operand is swapped to second (both ops commute).
// attrs: [0] fused activation (0 none, 1 ReLU, 2 ReLU6).
// int8: fixed point with 2^E-scaled i64 terms computed in f64 at load (quant/fixed64.ts); the run
// time adds/multiplies integers and rounds once.
import { Activation, DType, ErrorCode, Format, Op } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opCode, opIn, opOut, opState, setOpState, tDType, tDim, tEncoding, tNumel, tRank,
  tptr, tScale, tScaleCount, tScalePtr, tZeroPoint, isConst,
} from "../model";
import { Encoding } from "../format/spec";
import { actRangeI8, expectActCode, expectArity, sameShape } from "./common";
import { fixedExponent, roundShiftI64, saturateI8, toFixed } from "../quant/fixed64";
import { f32_vadd, f32_vaddc } from "../kernels/f32-vadd-simd128";
import { f32_vmul, f32_vmulc } from "../kernels/f32-vmul-simd128";
import { f32_clamp } from "../kernels/f32-clamp-simd128";

const MODE_SAME: i32 = 0; // b: an activation with a's shape
const MODE_PERIOD: i32 = 1; // b: a constant repeating every `period` elements of a
const MODE_SCALAR: i32 = 2; // b: a one-element constant

@unmanaged class BinaryState {
  a: u32; // the activation operand
  b: u32;
  mode: i32;
  period: i32; // elements of b per repetition (MODE_PERIOD / MODE_SCALAR)
  act: i32;
  lo: i32; // int8 output bounds after the fused activation
  hi: i32;
  e: i32; // int8: fixed-point exponent
  ta: usize; // Add: i64[256] scaled term per byte of a
  tb: usize; // Add: i64[256] per byte of b (MODE_SAME) or i64[period] per element of b
  k: usize; // Mul: i64[1] multiplier (MODE_SAME) or i64[period] multiplier times (b - zb)
  bcast: i32; // activation b over a's trailing dims (e.g. SE gates [1, 1, C]): elements of b per sample, else 0
}

/** Operand order: the activation first. Returns (a << 16 | b) or a negative error. */
function operands(m: Model, o: u32): i64 {
  let a = opIn(m, o, 0), b = opIn(m, o, 1);
  if (isConst(m, a)) { const t = a; a = b; b = t; }
  if (isConst(m, a)) return failAt(ErrorCode.BadOp, "op ", o, ": at least one operand must be an activation");
  return (<i64>a << 16) | <i64>b;
}

/** Broadcast mode of constant b against a (leading 1-dims of b ignored), or -1. */
function constMode(m: Model, a: u32, b: u32): i32 {
  const rb = tRank(m, b), ra = tRank(m, a);
  let lead = 0;
  while (lead < rb && tDim(m, b, lead) == 1) lead++;
  const k = rb - lead;
  if (k == 0) return MODE_SCALAR;
  if (k > ra) return -1;
  for (let i = 0; i < k; i++) if (tDim(m, b, lead + i) != tDim(m, a, ra - k + i)) return -1;
  return MODE_PERIOD;
}

export function checkBinary(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 2, 2, 1);
  if (r < 0) return r;
  const ab = operands(m, o);
  if (ab < 0) return <i32>ab;
  const a = <u32>(ab >> 16), b = <u32>(ab & 0xffff), y = opOut(m, o, 0);
  if (!sameShape(m, a, y)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must equal the activation operand's shape");
  if (isConst(m, b)) {
    if (tEncoding(m, b) != Encoding.Dense) return failAt(ErrorCode.BadEncoding, "op ", o, ": constant operand must be densely encoded");
    if (constMode(m, a, b) < 0) return failAt(ErrorCode.BadShape, "op ", o, ": constant operand must be a scalar or match the trailing dims of the other");
  } else if (!sameShape(m, a, b) && constMode(m, a, b) < 0) return failAt(ErrorCode.BadShape, "op ", o, ": activation operands must have the same shape, or b a's trailing dims (per-sample broadcast)");
  r = expectActCode(m, o, opAttr(m, o, 0));
  if (r < 0) return r;
  for (let i = 1; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  const dt = tDType(m, a);
  if (tDType(m, b) != dt || tDType(m, y) != dt) return failAt(ErrorCode.BadOp, "op ", o, ": operands and output must share one dtype");
  if (dt == DType.F32) return 0;
  if (dt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": Add/Mul take f32 or int8");
  if (tScaleCount(m, a) == 0 || tScaleCount(m, b) == 0 || tScaleCount(m, y) == 0) return failAt(ErrorCode.BadQuant, "op ", o, ": int8 Add/Mul need scales on both operands and the output");
  return 0;
}

/** Scale of element j of b (per-channel constants carry one scale per slice of dims[0]). */
function scaleB(m: Model, b: u32, j: i32): f64 {
  const count = tScaleCount(m, b);
  const idx = count > 1 ? j / (tNumel(m, b) / count) : 0;
  return <f64>load<f32>(tScalePtr(m, b) + (<usize>idx << 2));
}

function prepareAddI8(m: Model, o: u32, st: BinaryState, y: u32): i32 {
  const a = st.a, b = st.b;
  const sy = <f64>tScale(m, y);
  const realA = <f64>tScale(m, a) / sy;
  const za = tZeroPoint(m, a), zb = tZeroPoint(m, b);
  const nb = st.mode == MODE_SAME ? 1 : st.period;
  let maxReal = realA;
  for (let j = 0; j < nb; j++) maxReal = max<f64>(maxReal, scaleB(m, b, j) / sy);
  const e = fixedExponent(255 * maxReal);
  if (e < 0) return failAt(ErrorCode.BadQuant, "op ", o, ": input to output scale ratio too large");
  st.e = e;
  st.ta = own(m, 256 << 3);
  st.tb = own(m, <usize>(st.mode == MODE_SAME ? 256 : st.period) << 3);
  if (st.ta == 0 || st.tb == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing Add");
  for (let q: i32 = -128; q < 128; q++) store<i64>(st.ta + (<usize>(q & 255) << 3), toFixed(<f64>(q - za) * realA, e));
  if (st.mode == MODE_SAME) {
    const realB = <f64>tScale(m, b) / sy;
    for (let q: i32 = -128; q < 128; q++) store<i64>(st.tb + (<usize>(q & 255) << 3), toFixed(<f64>(q - zb) * realB, e));
  } else {
    const bp = tptr(m, b);
    for (let j = 0; j < st.period; j++) {
      const q = <i32>load<i8>(bp + <usize>j);
      store<i64>(st.tb + (<usize>j << 3), toFixed(<f64>(q - zb) * (scaleB(m, b, j) / sy), e));
    }
  }
  return 0;
}

function prepareMulI8(m: Model, o: u32, st: BinaryState, y: u32): i32 {
  const a = st.a, b = st.b;
  const sa = <f64>tScale(m, a), sy = <f64>tScale(m, y);
  const zb = tZeroPoint(m, b);
  if (st.mode == MODE_SAME) {
    const real = sa * <f64>tScale(m, b) / sy;
    // k = real * 2^e below 2^46 keeps |(a - za)(b - zb) * k| < 2^62
    const e = fixedExponent(real * 64);
    if (e < 0) return failAt(ErrorCode.BadQuant, "op ", o, ": input to output scale ratio too large");
    st.e = e;
    st.k = own(m, 8);
    if (st.k == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing Mul");
    store<i64>(st.k, toFixed(real, e));
    return 0;
  }
  // constant b folded in: y = round((a - za) * k[j] * 2^-e) with k[j] = sa * sb * (b[j] - zb) / sy
  const bp = tptr(m, b);
  let maxK: f64 = 0;
  for (let j = 0; j < st.period; j++) {
    const v = sa * scaleB(m, b, j) / sy * <f64>(<i32>load<i8>(bp + <usize>j) - zb);
    maxK = max<f64>(maxK, abs<f64>(v));
  }
  const e = fixedExponent(maxK); // k[j] <= 2^52, so |(a - za) * k[j]| < 2^60
  if (e < 0) return failAt(ErrorCode.BadQuant, "op ", o, ": input to output scale ratio too large");
  st.e = e;
  st.k = own(m, <usize>st.period << 3);
  if (st.k == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing Mul");
  for (let j = 0; j < st.period; j++) {
    const v = sa * scaleB(m, b, j) / sy * <f64>(<i32>load<i8>(bp + <usize>j) - zb);
    store<i64>(st.k + (<usize>j << 3), toFixed(v, e));
  }
  return 0;
}

export function prepareBinary(m: Model, o: u32): i32 {
  const ab = operands(m, o);
  const st = changetype<BinaryState>(own(m, offsetof<BinaryState>()));
  if (changetype<usize>(st) == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing Add/Mul");
  setOpState(m, o, changetype<usize>(st));
  st.a = <u32>(ab >> 16);
  st.b = <u32>(ab & 0xffff);
  st.act = opAttr(m, o, 0);
  const y = opOut(m, o, 0);
  if (!isConst(m, st.b)) {
    st.mode = MODE_SAME; // a broadcast activation b runs as MODE_SAME over blocks of its size
    st.period = tNumel(m, st.a);
    if (!sameShape(m, st.a, st.b)) st.bcast = tNumel(m, st.b);
  } else {
    st.mode = constMode(m, st.a, st.b);
    st.period = tNumel(m, st.b);
  }
  if (tDType(m, y) != DType.I8) return 0;
  actRangeI8(st.act, tScale(m, y), tZeroPoint(m, y), changetype<usize>(st) + offsetof<BinaryState>("lo"));
  return opCode(m, o) == Op.Add ? prepareAddI8(m, o, st, y) : prepareMulI8(m, o, st, y);
}

function runF32(st: BinaryState, isAdd: bool, ap: usize, bp: usize, n: usize, yp: usize): void {
  if (st.mode == MODE_SAME) {
    if (isAdd) f32_vadd(ap, bp, n, yp); else f32_vmul(ap, bp, n, yp);
  } else if (st.mode == MODE_SCALAR) {
    const c = load<f32>(bp);
    if (isAdd) f32_vaddc(ap, c, n, yp); else f32_vmulc(ap, c, n, yp);
  } else {
    const p = <usize>st.period;
    for (let i: usize = 0; i < n; i += p) {
      const off = i << 2;
      if (isAdd) f32_vadd(ap + off, bp, p, yp + off); else f32_vmul(ap + off, bp, p, yp + off);
    }
  }
  if (st.act == Activation.Relu) f32_clamp(yp, n, 0, f32.POSITIVE_INFINITY, yp);
  else if (st.act == Activation.Relu6) f32_clamp(yp, n, 0, 6, yp);
}

function runAddI8(st: BinaryState, ap: usize, bp: usize, n: usize, yp: usize, zy: i32): void {
  const e = st.e, lo = st.lo - zy, hi = st.hi - zy;
  const ta = st.ta, tb = st.tb;
  if (st.mode == MODE_SAME) {
    for (let i: usize = 0; i < n; i++) {
      const v = load<i64>(ta + (<usize>load<u8>(ap + i) << 3)) + load<i64>(tb + (<usize>load<u8>(bp + i) << 3));
      store<i8>(yp + i, <i8>(saturateI8(roundShiftI64(v, e), lo, hi) + zy));
    }
    return;
  }
  const p = <usize>st.period;
  for (let i: usize = 0, j: usize = 0; i < n; i++) {
    const v = load<i64>(ta + (<usize>load<u8>(ap + i) << 3)) + load<i64>(tb + (j << 3));
    store<i8>(yp + i, <i8>(saturateI8(roundShiftI64(v, e), lo, hi) + zy));
    if (++j == p) j = 0;
  }
}

function runMulI8(st: BinaryState, ap: usize, bp: usize, n: usize, yp: usize, za: i32, zb: i32, zy: i32): void {
  const e = st.e, lo = st.lo - zy, hi = st.hi - zy;
  if (st.mode == MODE_SAME) {
    const k = load<i64>(st.k);
    for (let i: usize = 0; i < n; i++) {
      const prod = (<i32>load<i8>(ap + i) - za) * (<i32>load<i8>(bp + i) - zb);
      store<i8>(yp + i, <i8>(saturateI8(roundShiftI64(<i64>prod * k, e), lo, hi) + zy));
    }
    return;
  }
  const p = <usize>st.period;
  for (let i: usize = 0, j: usize = 0; i < n; i++) {
    const v = <i64>(<i32>load<i8>(ap + i) - za) * load<i64>(st.k + (j << 3));
    store<i8>(yp + i, <i8>(saturateI8(roundShiftI64(v, e), lo, hi) + zy));
    if (++j == p) j = 0;
  }
}

export function runBinary(m: Model, o: u32, batch: i32): void {
  const st = changetype<BinaryState>(opState(m, o));
  const y = opOut(m, o, 0);
  const n = <usize>tNumel(m, st.a) * <usize>batch;
  const ap = tptr(m, st.a), bp = tptr(m, st.b), yp = tptr(m, y);
  const isAdd = opCode(m, o) == Op.Add;
  if (st.bcast != 0) { runBroadcast(m, st, isAdd, batch, ap, bp, yp, y); return; }
  if (tDType(m, y) == DType.F32) { runF32(st, isAdd, ap, bp, n, yp); return; }
  const zy = tZeroPoint(m, y);
  if (isAdd) runAddI8(st, ap, bp, n, yp, zy);
  else runMulI8(st, ap, bp, n, yp, tZeroPoint(m, st.a), tZeroPoint(m, st.b), zy);
}

/** Activation b repeating over a's trailing dims, its own values for every sample. */
function runBroadcast(m: Model, st: BinaryState, isAdd: bool, batch: i32, ap: usize, bp: usize, yp: usize, y: u32): void {
  const per = <usize>tNumel(m, st.a), p = <usize>st.bcast;
  const f32 = tDType(m, y) == DType.F32;
  const size: usize = f32 ? 4 : 1;
  const za = tZeroPoint(m, st.a), zb = tZeroPoint(m, st.b), zy = f32 ? 0 : tZeroPoint(m, y);
  for (let s: usize = 0; s < <usize>batch; s++) {
    const bs = bp + s * p * size;
    for (let i: usize = s * per; i < (s + 1) * per; i += p) {
      const off = i * size;
      if (f32) runF32(st, isAdd, ap + off, bs, p, yp + off);
      else if (isAdd) runAddI8(st, ap + off, bs, p, yp + off, zy);
      else runMulI8(st, ap + off, bs, p, yp + off, za, zb, zy);
    }
  }
}

// MaxPool, AvgPool and GlobalAvgPool over NHWC samples, f32 and int8 (x and y share the dtype).
// Windows follow ONNX (floor mode): window (oh, ow) covers rows oh*sh - pt .. + kh - 1 and columns
// ow*sw - pl .. + kw - 1. Padding never wins a max; an average divides by the in-image count
// unless countIncludePad (then by kh*kw, padding reading as 0.0 / the zero point). Pads are
// smaller than the kernel (checkWindow), so every window holds at least one input pixel.
// int8 MaxPool needs identical input and output quantization (max commutes with it); int8
// averages requantize the integer sum by sx / (sy * count) in fixed point: no float at run time.
import { DType, ErrorCode, Op } from "../format/spec";
import { failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opCode, opIn, opOut, tDType, tDim, tRank, tScale, tScaleCount, tZeroPoint, tptr,
  opState, setOpState, isConst,
} from "../model";
import { expectArity } from "./common";
import { checkWindow, windowCount } from "./window";
import { mulShiftRound, quantizeMultiplier } from "../quant/requant";

const MAX_STEP: i32 = 1 << 16;
const MAX_I8_AREA: i32 = 1 << 16; // int8 window sums (255 * area) stay far inside i32
const MAX_I8_GLOBAL: i32 = 1 << 23;

@unmanaged class PoolState {
  op: i32;
  dtype: i32;
  H: i32;
  W: i32;
  C: i32;
  OH: i32;
  OW: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  pt: i32;
  pl: i32;
  includePad: i32;
  zx: i32;
  zy: i32;
  mult: usize; // int8 averages: (mult, shift) indexed by in-image count 1..kh*kw; one entry when includePad
  acc: usize; // int8 averages: i32[C]
}

export function checkPool(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 1, 1, 1);
  if (r < 0) return r;
  const code = opCode(m, o);
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": pooling input must be an activation");
  if (tRank(m, x) != 3 || tRank(m, y) != 3) return failAt(ErrorCode.BadShape, "op ", o, ": pooling input and output must be [H, W, C] per sample");
  const H = tDim(m, x, 0), W = tDim(m, x, 1), C = tDim(m, x, 2);
  let used = 0;
  let area: i64 = <i64>H * W;
  if (code == Op.GlobalAvgPool) {
    if (tDim(m, y, 0) != 1 || tDim(m, y, 1) != 1 || tDim(m, y, 2) != C) return failAt(ErrorCode.BadShape, "op ", o, ": global pooling output must be [1, 1, C]");
  } else {
    const kh = opAttr(m, o, 0), kw = opAttr(m, o, 1), sh = opAttr(m, o, 2), sw = opAttr(m, o, 3);
    if (kh < 1 || kw < 1) return failAt(ErrorCode.BadOp, "op ", o, ": pooling kernel must be at least 1x1");
    if (sh < 1 || sw < 1 || sh > MAX_STEP || sw > MAX_STEP) return failAt(ErrorCode.BadOp, "op ", o, ": pooling strides must be in 1..65536");
    r = checkWindow(m, o, H, W, kh, kw, 4, 1, 1);
    if (r < 0) return r;
    const OH = windowCount(H, kh, sh, opAttr(m, o, 4), opAttr(m, o, 6), 1);
    const OW = windowCount(W, kw, sw, opAttr(m, o, 5), opAttr(m, o, 7), 1);
    if (tDim(m, y, 0) != OH || tDim(m, y, 1) != OW || tDim(m, y, 2) != C) return failAt(ErrorCode.BadShape, "op ", o, ": pooling output must be [OH, OW, C] as the attributes give");
    used = 8;
    if (code == Op.AvgPool) {
      const inc = opAttr(m, o, 8);
      if (inc != 0 && inc != 1) return failAt(ErrorCode.BadOp, "op ", o, ": countIncludePad must be 0 or 1");
      used = 9;
    }
    area = <i64>kh * kw;
  }
  for (let i = used; i < 10; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  const dt = tDType(m, x);
  if (dt != tDType(m, y)) return failAt(ErrorCode.BadOp, "op ", o, ": pooling keeps the dtype");
  if (dt == DType.F32) return 0;
  if (dt != DType.I8) return failAt(ErrorCode.BadOp, "op ", o, ": pooling takes f32 or int8");
  if (code == Op.MaxPool) {
    if (tScaleCount(m, x) != tScaleCount(m, y) || tZeroPoint(m, x) != tZeroPoint(m, y) || (tScaleCount(m, x) != 0 && tScale(m, x) != tScale(m, y)))
      return failAt(ErrorCode.BadQuant, "op ", o, ": int8 max pooling needs equal input and output quantization");
    return 0;
  }
  if (tScaleCount(m, x) == 0 || tScaleCount(m, y) == 0) return failAt(ErrorCode.BadQuant, "op ", o, ": int8 average pooling needs input and output scales");
  if (area > <i64>(code == Op.GlobalAvgPool ? MAX_I8_GLOBAL : MAX_I8_AREA)) return failAt(ErrorCode.Overflow, "op ", o, ": int8 average pooling window too large for int32 sums");
  return 0;
}

export function preparePool(m: Model, o: u32): i32 {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const st = changetype<PoolState>(own(m, offsetof<PoolState>()));
  if (changetype<usize>(st) == 0) return -ErrorCode.OutOfMemory;
  setOpState(m, o, changetype<usize>(st));
  const code = opCode(m, o);
  st.op = code;
  st.dtype = tDType(m, x);
  st.H = tDim(m, x, 0); st.W = tDim(m, x, 1); st.C = tDim(m, x, 2);
  st.OH = tDim(m, y, 0); st.OW = tDim(m, y, 1);
  if (code == Op.GlobalAvgPool) {
    st.kh = st.H; st.kw = st.W; st.sh = 1; st.sw = 1; st.includePad = 1;
  } else {
    st.kh = opAttr(m, o, 0); st.kw = opAttr(m, o, 1); st.sh = opAttr(m, o, 2); st.sw = opAttr(m, o, 3);
    st.pt = opAttr(m, o, 4); st.pl = opAttr(m, o, 5);
    st.includePad = code == Op.AvgPool ? opAttr(m, o, 8) : 0;
  }
  st.zx = tZeroPoint(m, x);
  st.zy = tZeroPoint(m, y);
  if (st.dtype != DType.I8 || code == Op.MaxPool) return 0;
  const area = st.kh * st.kw;
  st.acc = own(m, <usize>st.C << 2);
  // one divisor when padding counts (global pooling too), else one per possible in-image count
  st.mult = own(m, <usize>(st.includePad ? 1 : area + 1) << 3);
  if (st.acc == 0 || st.mult == 0) return -ErrorCode.OutOfMemory;
  const ratio = <f64>tScale(m, x) / <f64>tScale(m, y);
  if (st.includePad) quantizeMultiplier(ratio / <f64>area, st.mult);
  else for (let n = 1; n <= area; n++) quantizeMultiplier(ratio / <f64>n, st.mult + (<usize>n << 3));
  return 0;
}

// ---- f32 --------------------------------------------------------------------------------------

/**
 * With C >= 4 the C % 4 tail channels run as one more 4-lane block ending at channel C - 1: its
 * overlap with the previous block recomputes those lanes from the same values in the same
 * order, so it rewrites identical results (and reads nothing outside this pixel).
 */
function windowF32(st: PoolState, x: usize, ih0: i32, iw0: i32, y: usize): void {
  const C = st.C, C4 = C >= 4 ? C : C & ~3;
  const isMax = st.op == Op.MaxPool;
  const h0 = max<i32>(ih0, 0), h1 = min<i32>(ih0 + st.kh, st.H);
  const w0 = max<i32>(iw0, 0), w1 = min<i32>(iw0 + st.kw, st.W);
  const count = st.includePad ? st.kh * st.kw : (h1 - h0) * (w1 - w0);
  const inv = f32x4.splat(<f32>count);
  for (let c0 = 0; c0 < C4; c0 += 4) {
    const c = min<i32>(c0, C4 - 4);
    let a = isMax ? f32x4.splat(-Infinity) : f32x4.splat(0);
    for (let ih = h0; ih < h1; ih++)
      for (let iw = w0; iw < w1; iw++) {
        const v = v128.load(x + (((<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c) << 2));
        a = isMax ? f32x4.max(a, v) : f32x4.add(a, v);
      }
    v128.store(y + (<usize>c << 2), isMax ? a : f32x4.div(a, inv));
  }
  for (let c = C4; c < C; c++) {
    let a: f32 = isMax ? -Infinity : 0;
    for (let ih = h0; ih < h1; ih++)
      for (let iw = w0; iw < w1; iw++) {
        const v = load<f32>(x + (((<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c) << 2));
        a = isMax ? max<f32>(a, v) : a + v;
      }
    store<f32>(y + (<usize>c << 2), isMax ? a : a / <f32>count);
  }
}

// ---- int8 -------------------------------------------------------------------------------------

/**
 * `spill`: the sample holds 16 bytes from every window pixel's last channel block on (input)
 * and from this output pixel's (output), so the C % 16 tail channels run as one 16-lane block:
 * the extra input lanes are read and dropped, the extra output lanes land in later output
 * pixels, which are written after this one.
 */
function windowI8(st: PoolState, x: usize, ih0: i32, iw0: i32, y: usize, spill: bool): void {
  const C = st.C;
  const h0 = max<i32>(ih0, 0), h1 = min<i32>(ih0 + st.kh, st.H);
  const w0 = max<i32>(iw0, 0), w1 = min<i32>(iw0 + st.kw, st.W);
  if (st.op == Op.MaxPool) {
    const C16 = spill ? (C + 15) & ~15 : C & ~15;
    for (let c = 0; c < C16; c += 16) {
      let a = i8x16.splat(-128);
      for (let ih = h0; ih < h1; ih++)
        for (let iw = w0; iw < w1; iw++) a = i8x16.max_s(a, v128.load(x + (<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c));
      v128.store(y + <usize>c, a);
    }
    for (let c = C16; c < C; c++) {
      let a: i32 = -128;
      for (let ih = h0; ih < h1; ih++)
        for (let iw = w0; iw < w1; iw++) a = max<i32>(a, <i32>load<i8>(x + (<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c));
      store<i8>(y + <usize>c, <i8>a);
    }
    return;
  }
  // integer sums of x over the in-image part; padding (the zero point) adds 0 after centring
  const valid = (h1 - h0) * (w1 - w0);
  const C8 = C & ~7;
  const acc = st.acc;
  for (let c = 0; c < C8; c += 8) {
    let lo = i32x4.splat(0), hi = i32x4.splat(0);
    for (let ih = h0; ih < h1; ih++)
      for (let iw = w0; iw < w1; iw++) {
        const v = v128.load8x8_s(x + (<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c);
        lo = i32x4.add(lo, i32x4.extend_low_i16x8_s(v));
        hi = i32x4.add(hi, i32x4.extend_high_i16x8_s(v));
      }
    v128.store(acc + (<usize>c << 2), lo);
    v128.store(acc + (<usize>c << 2), hi, 16);
  }
  for (let c = C8; c < C; c++) {
    let s: i32 = 0;
    for (let ih = h0; ih < h1; ih++)
      for (let iw = w0; iw < w1; iw++) s += <i32>load<i8>(x + (<usize>ih * <usize>st.W + <usize>iw) * <usize>C + <usize>c);
    store<i32>(acc + (<usize>c << 2), s);
  }
  const mp = st.mult + (st.includePad ? 0 : <usize>valid << 3);
  const mult = load<i32>(mp), shift = load<i32>(mp, 4);
  const centre = valid * st.zx;
  for (let c = 0; c < C; c++) {
    // i64: a saturated product plus the zero point must not wrap before the clamp
    const v = <i64>mulShiftRound(load<i32>(acc + (<usize>c << 2)) - centre, mult, shift) + <i64>st.zy;
    store<i8>(y + <usize>c, <i8>(v < -128 ? -128 : v > 127 ? 127 : v));
  }
}

export function runPool(m: Model, o: u32, batch: i32): void {
  const st = changetype<PoolState>(opState(m, o));
  const es: usize = st.dtype == DType.I8 ? 1 : 4;
  const inN = <usize>st.H * <usize>st.W * <usize>st.C * es;
  const outN = <usize>st.OH * <usize>st.OW * <usize>st.C * es;
  const xp = tptr(m, opIn(m, o, 0)), yp = tptr(m, opOut(m, o, 0));
  for (let b = 0; b < batch; b++) {
    const x = xp + <usize>b * inN, y = yp + <usize>b * outN;
    const C16 = <usize>(st.C & ~15);
    for (let oh = 0; oh < st.OH; oh++)
      for (let ow = 0; ow < st.OW; ow++) {
        const yo = y + (<usize>oh * <usize>st.OW + <usize>ow) * <usize>st.C * es;
        const ih0 = oh * st.sh - st.pt, iw0 = ow * st.sw - st.pl;
        if (es == 1) {
          // the window's last pixel is its furthest from x
          const last = <usize>(min<i32>(ih0 + st.kh, st.H) - 1) * <usize>st.W + <usize>(min<i32>(iw0 + st.kw, st.W) - 1);
          const spill = last * <usize>st.C + C16 + 16 <= inN && yo - y + C16 + 16 <= outN;
          windowI8(st, x, ih0, iw0, yo, spill);
        } else windowF32(st, x, ih0, iw0, yo);
      }
  }
}

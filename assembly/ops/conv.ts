// Conv2d over NHWC samples: y[oh][ow][n] = act(sum_{kh,kw,c} x[ih][iw][g*Cg + c] * W[n][kh][kw][c] + b[n])
// with ih = oh*sh - pt + kh*dh, iw = ow*sw - pl + kw*dw, g = n / (Cout/groups). Padding reads as
// 0.0 (f32) or the input zero point (int8, ONNX QLinearConv/ConvInteger), i.e. it adds nothing.
// Dtype paths as ops/dense.ts:
//   f32 x, f32 W            -> f32 y
//   int8 x, int8 W          -> int8 y (requantized), f32 y (dequantized) or int32 y (raw, ConvInteger)
//   f32 x, int8 W           -> f32 y, each sample quantized at run time (dynamic quantization)
// Kernels: depthwise (groups == Cin == Cout) runs a per-channel SIMD kernel straight on the
// input (int8: one output row per call over a ring of input rows widened to tap pairs, or per
// pixel where those rows would cost too much memory); everything else is im2col over a tile of
// output pixels followed by a GEMM, except f32 1x1/stride-1/unpadded single-group convs, which
// are a GEMM over the input pixels directly, and int8 single-group convs with few input channels
// (width dilation 1), which widen each sample once into a zero-bordered i16 image and run a
// direct conv kernel on it: their im2col would copy runs of only KW*Cin values per window row,
// which cost far more than the multiply-adds.
// f32 single-group convs with few input channels (width dilation 1) likewise run a direct
// kernel (f32-conv-4x8) on the sample itself, or on a zero-bordered copy when padded; with one
// input channel and width stride 1 (rows of >= 8 outputs) one with pixels in lanes (f32-conv-ci1).
import { Activation, DType, Encoding, ErrorCode, Format } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import {
  Model, own, opAttr, opIn, opOut, tDType, tDim, tRank, tScale, tScaleCount, tScalePtr, tZeroPoint,
  tDataPtr, tptr, tEncoding, opState, setOpState, isConst,
} from "../model";
import { actRangeI8, applyActF32, checkWeightedDTypes, expectActCode, expectArity, expectConst, optIn } from "./common";
import { mulShiftRound, quantizeDynamicRow, quantizeMultiplier } from "../quant/requant";

const zpSlot = memory.data(4); // zero point out-parameter of quantizeDynamicRow
import { weightRows } from "./weights";
import { checkWindow, windowCount } from "./window";
import { f32_gemm_4x8, f32_gemm_pack_8 } from "../kernels/f32-gemm-4x8-simd128";
import { i8_gemm_4x8c2, i8_gemm_pack_8c2 } from "../kernels/i8-gemm-4x8c2-simd128";
import { f32_dwconv_c8 } from "../kernels/f32-dwconv-c8-simd128";
import { i8_dwconv_3x8c2, i8_dwconv_pair_row } from "../kernels/i8-dwconv-3x8c2-simd128";
import { i8_dwconv_c16 } from "../kernels/i8-dwconv-c16-simd128";
import { i8_conv_4x8c2, i8_conv_pad_rows } from "../kernels/i8-conv-4x8c2-simd128";
import { f32_conv_4x8, finish as biasActF32 } from "../kernels/f32-conv-4x8-simd128";
import { f32_conv_ci1_8x4, f32_conv_ci1_pack } from "../kernels/f32-conv-ci1-8x4-simd128";
import { alloc, free } from "../runtime/alloc";

const PATH_F32: i32 = 0;
const PATH_I8: i32 = 1;
const PATH_DYNAMIC: i32 = 2;
const TILE: i32 = 16; // output pixels per im2col + GEMM step
const MAX_STEP: i32 = 1 << 16; // strides and dilations
const DIRECT_MAX_CIN: i32 = 7; // int8 direct kernel below this many input channels (im2col copies < 8)
const DIRECT_TILE: i32 = 64; // output pixels of one row per direct kernel call
const DW_TILE: i32 = 64; // int8 depthwise: output pixels of one row per kernel call
const DW_SMALL_SCRATCH: u64 = 64 << 10; // int8 depthwise pair rows: always fine below this
// f32 direct kernel up to this many input channels when it needs a padded copy of the sample
// (an op-owned buffer as large as the input, so kept for small Cin); unpadded convs take it at
// any Cin (it measured 0.9x im2col + GEMM at Cin 64..128, 0.7x at 24..32)
const DIRECT_F32_MAX_CIN: i32 = 16;

@unmanaged class ConvState {
  path: i32;
  outType: i32;
  act: i32;
  lo: i32;
  hi: i32;
  H: i32;
  W: i32;
  Cin: i32;
  OH: i32;
  OW: i32;
  Cout: i32;
  KH: i32;
  KW: i32;
  sh: i32;
  sw: i32;
  pt: i32;
  pl: i32;
  dh: i32;
  dw: i32;
  groups: i32;
  Cg: i32; // input channels per group
  Cog: i32; // output channels per group
  K: i32; // KH*KW*Cg: one GEMM row
  Kp: i32; // K rounded up to even (int8 pairs)
  depthwise: i32;
  direct: i32; // f32 1x1 stride 1 unpadded single group: GEMM straight over x
  wp: usize; // packed GEMM weights, all groups; depthwise: weights transposed to [KH*KW][C]
  wpGroup: usize; // bytes between groups in wp
  bias: usize;
  mult: usize; // i32[2*Cout] (mult, shift): int8 -> int8
  deq: usize; // f32[Cout]: sx*sw[n] (int8 -> f32), sw[n] (dynamic)
  col: usize; // im2col tile: TILE rows of K floats or Kp i16
  acc: usize; // i32[TILE][Cout]
  xq: usize; // dynamic: one quantized sample
  accStride: i32; // i32 per pixel in acc: Cout, or Np for the direct kernel
  Np: i32; // Cout rounded up to 8
  direct8: i32; // int8 direct kernel over a padded i16 image
  Hp: i32; // padded image rows and columns the windows touch
  Wp: i32;
  pairs: i32; // i16 pairs per window row: ceil(KW*Cin / 2)
  xpad: usize; // i16 [Hp][Wp][Cin] (+ slack), borders stay 0
  vshift: i32; // int8 -> int8 SIMD requant: the largest shift (f64 lanes: any of 1..62; i64 lanes: 31..62), else 0
  biasp: usize; // i32[Np]: bias, zero padded (SIMD requant); f32[Np] for the f32 direct kernel
  directF32: i32; // f32 direct kernel; xpad (f32 [Hp][Wp][Cin]) only when the windows reach padding
  ci1: i32; // f32 direct kernel for one input channel: wp is [KH*KW][Np2], biasp always set
  Np2: i32; // Cout rounded up to even (ci1 weights)
  multp: usize; // i32[Np]: multipliers, zero padded (SIMD requant)
  prep: usize; // i32[Np]: 2^(vshift - shift[n]), the accumulator's factor (SIMD requant)
  // int8 depthwise (i8-dwconv-3x8c2): input rows as tap-pair rows in a ring, reused across
  // output rows
  dwPairs: i32; // 1: i8-dwconv-3x8c2 over pair rows; 0: i8-dwconv-c16 per pixel (less scratch)
  dwKWP: i32; // tap pairs per window row: ceil(KW / 2)
  dwCols: i32; // pair-row columns: ((OW-1)*sw + 2*(KWP-1)*dw) / dwStep + 1
  dwStep: i32; // input columns per pair-row column: gcd(sw, 2*dw)
  dwSlots: i32; // ring slots: min(H, (KH-1)*dh + 1), so one window's rows never share a slot
  dwZx: usize; // u8[Cout]: the input zero point, read for columns in the padding
  dwRing: usize; // [dwSlots][dwCols][Np] i16 pairs
  dwSlotRow: usize; // i32[dwSlots]: the input row a slot holds, -1 none
  dwRows: usize; // u32[KH*KWP]: addresses of the current window's tap pairs
  multf: usize; // f64[Np]: mult[n] * 2^-shift[n] when the f64 requant is exact (else 0)
}

/** Reads attributes [1..9] and validates them against the shapes. */
export function checkConv(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 2, 3, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), w = opIn(m, o, 1), b = optIn(m, o, 2), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": conv input must be an activation");
  r = expectConst(m, o, w);
  if (r < 0) return r;
  if (tRank(m, x) != 3 || tRank(m, y) != 3) return failAt(ErrorCode.BadShape, "op ", o, ": conv input and output must be [H, W, C] per sample");
  if (tRank(m, w) != 4) return failAt(ErrorCode.BadShape, "op ", o, ": conv weights must be [Cout, KH, KW, Cin/groups]");
  r = expectActCode(m, o, opAttr(m, o, 0));
  if (r < 0) return r;
  const sh = opAttr(m, o, 1), sw = opAttr(m, o, 2);
  const dh = opAttr(m, o, 7), dw = opAttr(m, o, 8), groups = opAttr(m, o, 9);
  if (sh < 1 || sw < 1 || sh > MAX_STEP || sw > MAX_STEP) return failAt(ErrorCode.BadOp, "op ", o, ": conv strides must be in 1..65536");
  if (dh < 1 || dw < 1 || dh > MAX_STEP || dw > MAX_STEP) return failAt(ErrorCode.BadOp, "op ", o, ": conv dilations must be in 1..65536");
  const H = tDim(m, x, 0), W = tDim(m, x, 1), Cin = tDim(m, x, 2);
  const Cout = tDim(m, w, 0), KH = tDim(m, w, 1), KW = tDim(m, w, 2), Cg = tDim(m, w, 3);
  if (groups < 1 || Cin % groups != 0 || Cout % groups != 0) return failAt(ErrorCode.BadOp, "op ", o, ": conv groups must be >= 1 and divide Cin and Cout");
  if (<i64>Cg * groups != <i64>Cin) return failAt(ErrorCode.BadShape, "op ", o, ": conv weights' last dim must be Cin / groups");
  r = checkWindow(m, o, H, W, KH, KW, 3, dh, dw);
  if (r < 0) return r;
  const OH = windowCount(H, KH, sh, opAttr(m, o, 3), opAttr(m, o, 5), dh);
  const OW = windowCount(W, KW, sw, opAttr(m, o, 4), opAttr(m, o, 6), dw);
  if (tDim(m, y, 0) != OH || tDim(m, y, 1) != OW || tDim(m, y, 2) != Cout) return failAt(ErrorCode.BadShape, "op ", o, ": conv output must be [OH, OW, Cout] as the attributes give");
  return checkWeightedDTypes(m, o, x, w, b, y, Cout, false);
}

@inline function abs32(v: i32): i32 { return v < 0 ? -v : v; }

function ownChecked(m: Model, bytes: u64): usize {
  if (bytes > 0x70000000) { fail(ErrorCode.OutOfMemory, "conv scratch too large"); return 0; }
  return own(m, <usize>max<u64>(bytes, 16));
}

export function prepareConv(m: Model, o: u32): i32 {
  const x = opIn(m, o, 0), w = opIn(m, o, 1), b = optIn(m, o, 2), y = opOut(m, o, 0);
  const st = changetype<ConvState>(own(m, offsetof<ConvState>()));
  if (changetype<usize>(st) == 0) return -ErrorCode.OutOfMemory;
  setOpState(m, o, changetype<usize>(st));
  st.act = opAttr(m, o, 0);
  st.outType = tDType(m, y);
  st.H = tDim(m, x, 0); st.W = tDim(m, x, 1); st.Cin = tDim(m, x, 2);
  st.OH = tDim(m, y, 0); st.OW = tDim(m, y, 1); st.Cout = tDim(m, y, 2);
  st.KH = tDim(m, w, 1); st.KW = tDim(m, w, 2); st.Cg = tDim(m, w, 3);
  st.sh = opAttr(m, o, 1); st.sw = opAttr(m, o, 2);
  st.pt = opAttr(m, o, 3); st.pl = opAttr(m, o, 4);
  st.dh = opAttr(m, o, 7); st.dw = opAttr(m, o, 8);
  st.groups = opAttr(m, o, 9);
  st.Cog = st.Cout / st.groups;
  st.K = st.KH * st.KW * st.Cg;
  st.Kp = (st.K + 1) & ~1;
  st.depthwise = st.groups == st.Cin && st.groups == st.Cout ? 1 : 0;
  st.bias = b != <u32>Format.NoTensor ? tDataPtr(m, b) : 0;
  const xt = tDType(m, x), wt = tDType(m, w);
  st.path = xt == DType.F32 && wt == DType.F32 ? PATH_F32 : xt == DType.F32 ? PATH_DYNAMIC : PATH_I8;
  const rows = weightRows(m, w); // [Cout][K] plain rows
  if (rows == 0) return -ErrorCode.OutOfMemory;
  const Cout = st.Cout, K = st.K, taps = st.KH * st.KW;
  const blocks = <u64>((st.Cog + 7) >> 3);
  if (st.path == PATH_F32) {
    if (st.depthwise) {
      st.wp = ownChecked(m, <u64>K * Cout * 4);
      if (st.wp == 0) return -ErrorCode.OutOfMemory;
      for (let n = 0; n < Cout; n++)
        for (let t = 0; t < taps; t++)
          store<f32>(st.wp + ((<usize>t * <usize>Cout + <usize>n) << 2), load<f32>(rows + ((<usize>n * <usize>taps + <usize>t) << 2)));
      return 0;
    }
    // one input channel (1x1 unpadded ones too: the 1x1 GEMM below would have K = 1)
    if (st.groups == 1 && st.dw == 1 && st.Cin == 1 && st.sw == 1 && st.OW >= 8) {
      st.ci1 = 1;
      st.Np2 = (Cout + 1) & ~1;
      st.wp = ownChecked(m, <u64>K * st.Np2 * 4);
      if (st.wp == 0) return -ErrorCode.OutOfMemory;
      f32_conv_ci1_pack(rows, K, Cout, st.Np2, st.wp);
      return prepareDirectF32(m, st);
    }
    st.wpGroup = <usize>(blocks * 8 * <u64>K * 4);
    st.wp = ownChecked(m, <u64>st.wpGroup * st.groups);
    if (st.wp == 0) return -ErrorCode.OutOfMemory;
    for (let g = 0; g < st.groups; g++)
      f32_gemm_pack_8(rows + ((<usize>g * <usize>st.Cog * <usize>K) << 2), K, st.Cog, st.wp + <usize>g * st.wpGroup);
    st.direct = st.KH == 1 && st.KW == 1 && st.sh == 1 && st.sw == 1 && st.groups == 1 && opAttr(m, o, 3) == 0 && opAttr(m, o, 4) == 0 && opAttr(m, o, 5) == 0 && opAttr(m, o, 6) == 0 ? 1 : 0;
    if (!st.direct && st.groups == 1 && st.dw == 1 && (st.Cin <= DIRECT_F32_MAX_CIN || !needsPadF32(st))) return prepareDirectF32(m, st);
    if (!st.direct) {
      st.col = ownChecked(m, <u64>TILE * K * 4);
      if (st.col == 0) return -ErrorCode.OutOfMemory;
    }
    return 0;
  }
  // int8 weights: the worst-case accumulator must fit i32 (|x - zx| <= 255)
  const zw = tZeroPoint(m, w);
  for (let n = 0; n < Cout; n++) {
    let abs: i64 = 0;
    const row = rows + <usize>n * <usize>K;
    for (let k = 0; k < K; k++) abs += <i64>abs32(<i32>load<i8>(row + <usize>k) - zw);
    const bmax: i64 = st.bias != 0 && st.path == PATH_I8 ? <i64>abs32(load<i32>(st.bias + (<usize>n << 2))) : 0;
    if (abs * 255 + bmax > <i64>i32.MAX_VALUE) return failAt(ErrorCode.Overflow, "op ", o, ": int32 accumulator could overflow for this output channel");
  }
  if (st.depthwise) {
    if (prepareDepthwiseI8(m, st, rows, zw) < 0) return -ErrorCode.OutOfMemory;
  } else if (st.groups == 1 && st.dw == 1 && st.Cin <= DIRECT_MAX_CIN) {
    if (prepareDirectI8(m, st, rows, zw) < 0) return -ErrorCode.OutOfMemory;
  } else {
    st.wpGroup = <usize>(blocks * 8 * <u64>st.Kp * 2);
    st.wp = ownChecked(m, <u64>st.wpGroup * st.groups);
    st.col = ownChecked(m, <u64>TILE * st.Kp * 2);
    if (st.wp == 0 || st.col == 0) return -ErrorCode.OutOfMemory;
    for (let g = 0; g < st.groups; g++)
      i8_gemm_pack_8c2(rows + <usize>g * <usize>st.Cog * <usize>K, K, st.Cog, zw, st.wp + <usize>g * st.wpGroup);
  }
  st.Np = ((Cout + 7) >> 3) << 3;
  if (!st.direct8 && !st.depthwise) st.accStride = Cout;
  // + 8 i32 of slack: the SIMD requant reads whole blocks of 8 past the last pixel's Cout
  const accPixels = st.direct8 ? min<i32>(st.OW, DIRECT_TILE) : st.depthwise ? (st.dwPairs ? min<i32>(st.OW, DW_TILE) : 1) : TILE;
  st.acc = ownChecked(m, (<u64>accPixels * st.accStride + 8) * 4);
  if (st.acc == 0) return -ErrorCode.OutOfMemory;
  if (st.path == PATH_DYNAMIC) {
    st.xq = ownChecked(m, <u64>st.H * st.W * st.Cin);
    if (st.xq == 0) return -ErrorCode.OutOfMemory;
  }
  const perChannel = tScaleCount(m, w) > 1;
  const swp = tScalePtr(m, w);
  if (st.path == PATH_DYNAMIC || st.outType == DType.F32) {
    st.deq = ownChecked(m, <u64>Cout * 4);
    if (st.deq == 0) return -ErrorCode.OutOfMemory;
    const sx: f32 = st.path == PATH_DYNAMIC ? 1 : tScale(m, x);
    for (let n = 0; n < Cout; n++) store<f32>(st.deq + (<usize>n << 2), sx * load<f32>(swp + (perChannel ? <usize>n << 2 : 0)));
  } else if (st.outType == DType.I8) {
    st.mult = ownChecked(m, <u64>Cout * 8);
    if (st.mult == 0) return -ErrorCode.OutOfMemory;
    const sx = <f64>tScale(m, x), sy = <f64>tScale(m, y);
    for (let n = 0; n < Cout; n++)
      quantizeMultiplier(sx * <f64>load<f32>(swp + (perChannel ? <usize>n << 2 : 0)) / sy, st.mult + (<usize>n << 3));
    actRangeI8(st.act, tScale(m, y), tZeroPoint(m, y), changetype<usize>(st) + offsetof<ConvState>("lo"));
    return prepareSimdRequant(m, st, rows, zw);
  }
  return 0;
}

/** Sets Hp, Wp (the rows and columns the f32 direct kernel's windows span); true when they reach padding. */
function needsPadF32(st: ConvState): bool {
  st.Hp = (st.OH - 1) * st.sh + (st.KH - 1) * st.dh + 1;
  st.Wp = (st.OW - 1) * st.sw + st.KW;
  return st.pt > 0 || st.pl > 0 || st.Hp > st.H || st.Wp > st.W;
}

/** The f32 direct kernel's zero-padded bias and, when a window reaches the padding, padded image. */
function prepareDirectF32(m: Model, st: ConvState): i32 {
  st.directF32 = 1;
  if (needsPadF32(st)) {
    st.xpad = ownChecked(m, <u64>st.Hp * st.Wp * st.Cin * 4);
    if (st.xpad == 0) return -ErrorCode.OutOfMemory;
  }
  if (st.bias != 0 || st.ci1) {
    const Np = ((st.Cout + 7) >> 3) << 3;
    st.biasp = ownChecked(m, <u64>Np * 4);
    if (st.biasp == 0) return -ErrorCode.OutOfMemory;
    if (st.bias != 0) memory.copy(st.biasp, st.bias, <usize>st.Cout << 2);
  }
  return 0;
}

/** The direct int8 kernel's padded image, accumulator stride and weights (see i8-conv-4x8c2). */
function prepareDirectI8(m: Model, st: ConvState, rows: usize, zw: i32): i32 {
  const run = st.KW * st.Cin;
  st.direct8 = 1;
  st.pairs = (run + 1) >> 1;
  st.Hp = (st.OH - 1) * st.sh + (st.KH - 1) * st.dh + 1;
  st.Wp = (st.OW - 1) * st.sw + st.KW;
  st.accStride = ((st.Cout + 7) >> 3) << 3;
  // slack: an odd window row's last pair reads one i16 past the image's last value
  st.xpad = ownChecked(m, (<u64>st.Hp * st.Wp * st.Cin + 8) * 2);
  const Kd = <u64>st.KH * st.pairs * 2;
  st.wp = ownChecked(m, <u64>st.accStride * Kd * 2);
  if (st.xpad == 0 || st.wp == 0) return -1;
  const padded = alloc(<usize>max<u64>(<u64>st.Cout * Kd, 16));
  if (padded == 0) return -1;
  i8_conv_pad_rows(rows, st.Cout, st.KH, run, st.pairs, zw, padded);
  i8_gemm_pack_8c2(padded, <i32>Kd, st.Cout, zw, st.wp);
  free(padded);
  return 0;
}

/** The int8 depthwise kernel's tap-pair weights and ring of pair rows. */
function prepareDepthwiseI8(m: Model, st: ConvState, rows: usize, zw: i32): i32 {
  const C = st.Cout, Cp = ((C + 7) >> 3) << 3, KH = st.KH, KW = st.KW;
  const KWP = (KW + 1) >> 1;
  // pair rows keep every g-th column, g = gcd(stride, 2 * dilation): the only ones windows read
  let g = st.sw, r = 2 * st.dw;
  while (r != 0) { const t = g % r; g = r; r = t; }
  const cols = ((st.OW - 1) * st.sw + 2 * (KWP - 1) * st.dw) / g + 1;
  const slots = <i32>min<i64>(<i64>st.H, <i64>(KH - 1) * st.dh + 1);
  const colBytes = <u64>Cp * 4;
  // The pair rows cost 4 bytes per input value and ring slot: where that scratch would outgrow
  // the op's own bytes (few pixels, many channels: 7x7x1024), the per-pixel kernel runs instead,
  // so peak memory stays within 2x of model + activations.
  const need = <u64>KH * KWP * colBytes + <u64>slots * cols * colBytes + <u64>min<i32>(st.OW, DW_TILE) * colBytes;
  const inBytes: u64 = st.path == PATH_DYNAMIC ? 5 : 1; // dynamic: f32 input plus its int8 copy
  const outBytes: u64 = st.outType == DType.I8 ? 1 : 4;
  const opBytes = <u64>KH * KW * C + <u64>st.H * st.W * C * inBytes + <u64>st.OH * st.OW * C * outBytes;
  if (need > DW_SMALL_SCRATCH && need * 10 > opBytes * 9) {
    st.accStride = C;
    st.wp = ownChecked(m, <u64>KH * KW * C * 2);
    if (st.wp == 0) return -1;
    const taps = KH * KW;
    for (let n = 0; n < C; n++)
      for (let t = 0; t < taps; t++)
        store<i16>(st.wp + ((<usize>t * <usize>C + <usize>n) << 1), <i16>(<i32>load<i8>(rows + <usize>n * <usize>taps + <usize>t) - zw));
    return 0;
  }
  st.dwPairs = 1;
  st.accStride = Cp;
  st.dwKWP = KWP;
  st.dwCols = cols;
  st.dwStep = g;
  st.dwSlots = slots;
  st.wp = ownChecked(m, <u64>KH * KWP * colBytes);
  st.dwZx = ownChecked(m, <u64>C);
  st.dwRing = ownChecked(m, <u64>st.dwSlots * st.dwCols * colBytes);
  st.dwSlotRow = ownChecked(m, <u64>st.dwSlots * 4);
  st.dwRows = ownChecked(m, <u64>KH * KWP * 4);
  if (st.wp == 0 || st.dwZx == 0 || st.dwRing == 0 || st.dwSlotRow == 0 || st.dwRows == 0) return -1;
  // [KH][KWP][Cp] pairs (w[kh][2j] - zw, w[kh][2j+1] - zw); a missing partner and pad channels stay 0
  for (let n = 0; n < C; n++)
    for (let kh = 0; kh < KH; kh++)
      for (let kw = 0; kw < KW; kw++) {
        const v = <i32>load<i8>(rows + <usize>n * <usize>(KH * KW) + <usize>(kh * KW + kw)) - zw;
        const at = st.wp + ((<usize>(kh * KWP + (kw >> 1)) * <usize>Cp + <usize>n) << 2) + (<usize>(kw & 1) << 1);
        store<i16>(at, <i16>v);
      }
  return 0;
}

/**
 * int8 -> int8 on SIMD lanes when every channel's shift s[n] is in 1..62 and the largest, S, is
 * in 31..62: requant then runs 4 lanes at a time in i64x2 with the one shift S, each lane's
 * accumulator first multiplied by 2^(S - s[n]) (exact: a * mult * 2^-s = a * 2^(S-s) * mult * 2^-S).
 * That factor must keep the accumulator inside i32: |acc + bias| <= sum|w - zw| * 255 + |bias|,
 * times 2^(S - s[n]), must stay below 2^31 for every channel; otherwise the scalar path runs.
 * First choice, for any shifts in 1..62: f64 lanes (requantF64Lanes), when that bound times the
 * multiplier stays below 2^52 — the usual case (K * 255 * 127 * 2^31 < 2^52 up to K ~ 60, and
 * trained weights are far below 127 on average).
 */
function prepareSimdRequant(m: Model, st: ConvState, rows: usize, zw: i32): i32 {
  const Cout = st.Cout, K = st.K;
  let S = 0;
  for (let n = 0; n < Cout; n++) {
    const s = load<i32>(st.mult + (<usize>n << 3), 4);
    if (s < 1 || s > 62) return 0;
    S = max<i32>(S, s);
  }
  // f64 lanes are exact when every |acc + bias| * mult stays below 2^52 (see requantF64Lanes)
  let f64ok = true;
  for (let n = 0; n < Cout && f64ok; n++) {
    let abs: i64 = 0;
    const row = rows + <usize>n * <usize>K;
    for (let k = 0; k < K; k++) abs += <i64>abs32(<i32>load<i8>(row + <usize>k) - zw);
    abs = abs * 255 + (st.bias != 0 ? <i64>abs32(load<i32>(st.bias + (<usize>n << 2))) : 0);
    if (abs >= (<i64>1 << 22) || abs * <i64>abs32(load<i32>(st.mult + (<usize>n << 3))) >= (<i64>1 << 52)) f64ok = false;
  }
  if (f64ok) {
    const Np = ((Cout + 7) >> 3) << 3;
    st.biasp = ownChecked(m, <u64>Np * 4);
    st.multf = ownChecked(m, <u64>Np * 8);
    if (st.biasp == 0 || st.multf == 0) return -ErrorCode.OutOfMemory;
    for (let n = 0; n < Cout; n++) {
      const mp = st.mult + (<usize>n << 3);
      // 2^-shift built from its bits: exact for shifts 1..62
      store<f64>(st.multf + (<usize>n << 3), <f64>load<i32>(mp) * reinterpret<f64>(<i64>(1023 - load<i32>(mp, 4)) << 52));
      if (st.bias != 0) store<i32>(st.biasp + (<usize>n << 2), load<i32>(st.bias + (<usize>n << 2)));
    }
    st.vshift = S;
    return 0;
  }
  if (S < 31) return 0;
  for (let n = 0; n < Cout; n++) {
    const d = S - load<i32>(st.mult + (<usize>n << 3), 4);
    if (d == 0) continue;
    if (d > 30) return 0;
    let abs: i64 = 0;
    const row = rows + <usize>n * <usize>K;
    for (let k = 0; k < K; k++) abs += <i64>abs32(<i32>load<i8>(row + <usize>k) - zw);
    abs = abs * 255 + (st.bias != 0 ? <i64>abs32(load<i32>(st.bias + (<usize>n << 2))) : 0);
    if ((abs << d) > <i64>i32.MAX_VALUE) return 0;
  }
  const Np = ((Cout + 7) >> 3) << 3;
  st.biasp = ownChecked(m, <u64>Np * 4);
  st.multp = ownChecked(m, <u64>Np * 4);
  st.prep = ownChecked(m, <u64>Np * 4);
  if (st.biasp == 0 || st.multp == 0 || st.prep == 0) return -ErrorCode.OutOfMemory;
  for (let n = 0; n < Cout; n++) {
    store<i32>(st.multp + (<usize>n << 2), load<i32>(st.mult + (<usize>n << 3)));
    store<i32>(st.prep + (<usize>n << 2), 1 << (S - load<i32>(st.mult + (<usize>n << 3), 4)));
    if (st.bias != 0) store<i32>(st.biasp + (<usize>n << 2), load<i32>(st.bias + (<usize>n << 2)));
  }
  st.vshift = S;
  return 0;
}

// ---- im2col -----------------------------------------------------------------------------------

/** Rows of K floats for output pixels [p0, p0+count) of group g; padding is 0.0. */
function im2colF32(st: ConvState, x: usize, p0: i32, count: i32, g: i32): void {
  const Cg = st.Cg, Cin = st.Cin, H = st.H, W = st.W;
  const run = <usize>Cg << 2;
  let dst = st.col;
  for (let i = 0; i < count; i++) {
    const p = p0 + i;
    const oh = p / st.OW, ow = p - oh * st.OW;
    const ih0 = oh * st.sh - st.pt, iw0 = ow * st.sw - st.pl;
    for (let kh = 0; kh < st.KH; kh++) {
      const ih = ih0 + kh * st.dh;
      for (let kw = 0; kw < st.KW; kw++) {
        const iw = iw0 + kw * st.dw;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) memory.fill(dst, 0, run);
        else memory.copy(dst, x + (((<usize>ih * <usize>W + <usize>iw) * <usize>Cin + <usize>(g * Cg)) << 2), run);
        dst += run;
      }
    }
  }
}

/** Rows of Kp i16 (x - zx) for output pixels [p0, p0+count) of group g; padding is 0. */
function im2colI8(st: ConvState, x: usize, zx: i32, p0: i32, count: i32, g: i32): void {
  const Cg = st.Cg, Cin = st.Cin, H = st.H, W = st.W;
  const C8 = Cg & ~7;
  const zv = i16x8.splat(<i16>zx);
  const run = <usize>Cg << 1;
  let dst = st.col;
  for (let i = 0; i < count; i++) {
    const p = p0 + i;
    const oh = p / st.OW, ow = p - oh * st.OW;
    const ih0 = oh * st.sh - st.pt, iw0 = ow * st.sw - st.pl;
    for (let kh = 0; kh < st.KH; kh++) {
      const ih = ih0 + kh * st.dh;
      for (let kw = 0; kw < st.KW; kw++) {
        const iw = iw0 + kw * st.dw;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) memory.fill(dst, 0, run);
        else {
          const src = x + (<usize>ih * <usize>W + <usize>iw) * <usize>Cin + <usize>(g * Cg);
          let c = 0;
          for (; c < C8; c += 8) v128.store(dst + (<usize>c << 1), i16x8.sub(v128.load8x8_s(src + <usize>c), zv));
          for (; c < Cg; c++) store<i16>(dst + (<usize>c << 1), <i16>(<i32>load<i8>(src + <usize>c) - zx));
        }
        dst += run;
      }
    }
    if (st.Kp != st.K) { store<i16>(dst, 0); dst += 2; }
  }
}

/** x - zx as i16 into the padded image's interior; its borders were zeroed at load and stay 0. */
function fillPadded(st: ConvState, x: usize, zx: i32): void {
  const Cin = st.Cin;
  const n = (min<i32>(st.Wp, st.pl + st.W) - st.pl) * Cin; // values per row (> 0: pl < KW <= Wp)
  const n8 = n & ~7;
  const zv = i16x8.splat(<i16>zx);
  const r1 = min<i32>(st.Hp, st.pt + st.H);
  for (let r = st.pt; r < r1; r++) {
    const src = x + <usize>(r - st.pt) * <usize>st.W * <usize>Cin;
    const dst = st.xpad + ((<usize>r * <usize>st.Wp + <usize>st.pl) * <usize>Cin << 1);
    let c = 0;
    for (; c < n8; c += 8) v128.store(dst + (<usize>c << 1), i16x8.sub(v128.load8x8_s(src + <usize>c), zv));
    for (; c < n; c++) store<i16>(dst + (<usize>c << 1), <i16>(<i32>load<i8>(src + <usize>c) - zx));
  }
}

/** x into the f32 padded image's interior, the rows and columns the windows reach; borders stay 0. */
function fillPaddedF32(st: ConvState, x: usize): void {
  const Cin = <usize>st.Cin;
  const bytes = <usize>(min<i32>(st.Wp, st.pl + st.W) - st.pl) * Cin << 2; // > 0: pl < KW <= Wp
  const r1 = min<i32>(st.Hp, st.pt + st.H);
  for (let r = st.pt; r < r1; r++)
    memory.copy(st.xpad + ((<usize>r * <usize>st.Wp + <usize>st.pl) * Cin << 2), x + (<usize>(r - st.pt) * <usize>st.W * Cin << 2), bytes);
}

// ---- output ---------------------------------------------------------------------------------

function finishF32(st: ConvState, y: usize, count: i32): void {
  const Cout = st.Cout, bias = st.bias, act = st.act;
  if (bias == 0 && act == Activation.None) return;
  for (let i = 0; i < count; i++) {
    const yr = y + ((<usize>i * <usize>Cout) << 2);
    for (let n = 0; n < Cout; n++) {
      const p = yr + (<usize>n << 2);
      let v = load<f32>(p);
      if (bias != 0) v += load<f32>(bias + (<usize>n << 2));
      store<f32>(p, applyActF32(v, act));
    }
  }
}

/**
 * i32 accumulators [count][accStride] -> y (first pixel at y); dynScale is the dynamic input
 * scale; `more` says more of this sample's output follows the tile (it may be overwritten).
 */
function finishI8(st: ConvState, y: usize, count: i32, zy: i32, dynScale: f32, more: bool): void {
  const Cout = st.Cout, bias = st.bias, act = st.act;
  if (st.path == PATH_I8 && st.outType == DType.I8) { requantI8(st, y, count, zy, more); return; }
  const stride = <usize>st.accStride << 2;
  if (st.path == PATH_I8 && st.outType == DType.I32) {
    if (st.accStride == Cout) memory.copy(y, st.acc, (<usize>count * <usize>Cout) << 2);
    else for (let i = 0; i < count; i++) memory.copy(y + ((<usize>i * <usize>Cout) << 2), st.acc + <usize>i * stride, <usize>Cout << 2);
    return;
  }
  // f32 outputs: dequantized int8 (int32 bias inside the sum) or dynamic (f32 bias after scaling)
  const dyn = st.path == PATH_DYNAMIC;
  // dynamic: 4 channels per step, the scalar loop's operations in the same order (f32 lanes
  // round like f32 scalars; the activation as applyActF32 gives it), the rest below
  const C4 = dyn ? Cout & ~3 : 0;
  if (C4 != 0) {
    const sv = f32x4.splat(dynScale), zero = f32x4.splat(0);
    for (let i = 0; i < count; i++) {
      const ar = st.acc + <usize>i * stride;
      const yr = y + ((<usize>i * <usize>Cout) << 2);
      for (let n = 0; n < C4; n += 4) {
        const off = <usize>n << 2;
        const v = f32x4.mul(f32x4.convert_i32x4_s(v128.load(ar + off)), f32x4.mul(sv, v128.load(st.deq + off)));
        v128.store(yr + off, biasActF32(v, bias != 0 ? v128.load(bias + off) : zero, bias != 0, act));
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const ar = st.acc + <usize>i * stride;
    const yr = y + ((<usize>i * <usize>Cout) << 2);
    for (let n = C4; n < Cout; n++) {
      const off = <usize>n << 2;
      let v: f32;
      if (dyn) {
        v = <f32>load<i32>(ar + off) * (dynScale * load<f32>(st.deq + off));
        if (bias != 0) v += load<f32>(bias + off);
      } else {
        let a = load<i32>(ar + off);
        if (bias != 0) a += load<i32>(bias + off);
        v = <f32>a * load<f32>(st.deq + off);
      }
      store<f32>(yr + off, applyActF32(v, act));
    }
  }
}

/**
 * acc + bias -> int8: round_half_even(acc * mult * 2^-shift) + zy, clamped to the activation
 * range, all in i64 so no intermediate wraps. Shifts 1..62 (every real multiplier below 2^30)
 * take the branch-free rounding (q + half - 1 + (q's lowest kept bit)) >> shift, which equals
 * mulShiftRound there; anything else goes through mulShiftRound itself.
 */
function requantI8(st: ConvState, y: usize, count: i32, zy: i32, more: bool): void {
  const Cout = st.Cout, bias = st.bias;
  const lo = <i64>st.lo, hi = <i64>st.hi;
  let i = 0;
  if (st.vshift != 0) {
    // whole blocks of 8 outputs spill past a pixel into the next one: the last pixel of a
    // sample goes scalar
    i = st.Np == Cout || more ? count : count - 1;
    requantI8Simd(st, y, i, zy);
  }
  for (; i < count; i++) {
    const ar = st.acc + ((<usize>i * <usize>st.accStride) << 2);
    const yr = y + <usize>i * <usize>Cout;
    for (let n = 0; n < Cout; n++) {
      let a = load<i32>(ar + (<usize>n << 2));
      if (bias != 0) a += load<i32>(bias + (<usize>n << 2));
      const mp = st.mult + (<usize>n << 3);
      const mult = load<i32>(mp), shift = load<i32>(mp, 4);
      let r: i64;
      if (shift >= 1 && shift <= 62) {
        const prod = <i64>a * <i64>mult;
        const s = <i64>shift;
        r = (prod + ((<i64>1 << (s - 1)) - 1) + ((prod >> s) & 1)) >> s;
      } else r = <i64>mulShiftRound(a, mult, shift);
      r += <i64>zy;
      store<i8>(yr + <usize>n, <i8>(r < lo ? lo : r > hi ? hi : r));
    }
  }
}

/**
 * round_half_even(a * m * 2^-S) for 4 lanes; |result| < 2^31 for S >= 31, so i32 lanes hold it.
 * x64 has no arithmetic i64 lane shift, so the floor shift is a logical one of the sum biased by
 * 2^62 (it stays below 2^64), minus 2^(62-S); bit S of the product is the same either way.
 */
@inline function mulShift4(a: v128, m: v128, S: i32, halfBiased: v128, one: v128, unbias: v128): v128 {
  const pl = i64x2.extmul_low_i32x4_s(a, m), ph = i64x2.extmul_high_i32x4_s(a, m);
  const rl = i64x2.shr_u(i64x2.add(i64x2.add(pl, halfBiased), v128.and(i64x2.shr_u(pl, S), one)), S);
  const rh = i64x2.shr_u(i64x2.add(i64x2.add(ph, halfBiased), v128.and(i64x2.shr_u(ph, S), one)), S);
  return i8x16.shuffle(i64x2.sub(rl, unbias), i64x2.sub(rh, unbias), 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

/**
 * round_half_even(a * m * 2^-S) for 4 lanes with S >= 33, without i64 shifts by S: the product
 * is first rounded to odd at 2^-31 (floor, then the lowest bit set when anything was cut off;
 * the floor fits i32 as |a * m| < 2^62), then rounded half to even by the k = S - 31 >= 2 bits
 * left in i32 lanes. Rounding to odd first cannot move a result: every rounding boundary of the
 * second step is an even integer (k >= 2), the odd intermediate never equals one, and it lies on
 * the same side of each as the exact value.
 */
@inline function mulShiftOdd4(a: v128, m: v128, k: i32, maskK: v128, halfK: v128): v128 {
  const pl = i64x2.extmul_low_i32x4_s(a, m), ph = i64x2.extmul_high_i32x4_s(a, m);
  const u = i8x16.shuffle(i64x2.shr_u(pl, 31), i64x2.shr_u(ph, 31), 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const cut = v128.and(i8x16.shuffle(pl, ph, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27), i32x4.splat(0x7fffffff));
  const one = i32x4.splat(1);
  const v = v128.or(u, v128.andnot(one, i32x4.eq(cut, i32x4.splat(0))));
  const f = i32x4.shr_s(v, k);
  const rem = v128.and(v, maskK);
  // gt is -1 where the rest is above half: subtracting it rounds up; a tie rounds up when f is odd
  return i32x4.add(i32x4.sub(f, i32x4.gt_s(rem, halfK)), v128.and(i32x4.eq(rem, halfK), v128.and(f, one)));
}

/**
 * requantI8 for `count` pixels with the shared shift st.vshift (accumulators scaled by st.prep),
 * the same rounding as the scalar path, clamped to [lo - zy, hi - zy] before adding zy.
 * Channel blocks run outermost, last block first, so each block's multipliers are loaded once:
 * the last block writes whole 8 bytes, up to Np - Cout bytes into the next pixel's first block,
 * which is written afterwards.
 */
function requantI8Simd(st: ConvState, y: usize, count: i32, zy: i32): void {
  if (st.multf != 0) requantF64Lanes(st, y, count, zy);
  else if (st.vshift >= 33) requantI8Lanes(st, y, count, zy, true);
  else requantI8Lanes(st, y, count, zy, false);
}

/**
 * requantI8Simd in f64 lanes, used when |acc + bias| * mult < 2^52 for every channel (checked at
 * load from the weights and bias): the product (acc + bias) * (mult * 2^-shift) is then exact in
 * f64 (a power-of-two scaling of an integer below 2^52; shifts >= 1 keep it below 2^51), and
 * adding 1.5 * 2^52 rounds it to an integer half to even (the default rounding) and leaves that integer, two's complement, in the
 * low 32 bits. Same result as mulShiftRound; about 3 instructions per output instead of ~12.
 */
function requantF64Lanes(st: ConvState, y: usize, count: i32, zy: i32): void {
  const Cout = st.Cout, Np = st.Np;
  const magic = f64x2.splat(6755399441055744.0);
  const loV = i32x4.splat(st.lo - zy), hiV = i32x4.splat(st.hi - zy), zV = i32x4.splat(zy);
  const accStride = <usize>st.accStride << 2;
  for (let n = Np - 8; n >= 0; n -= 8) {
    const o = <usize>n << 2, fo = <usize>n << 3;
    const b0 = v128.load(st.biasp + o), b1 = v128.load(st.biasp + o, 16);
    const f0 = v128.load(st.multf + fo), f1 = v128.load(st.multf + fo, 16);
    const f2 = v128.load(st.multf + fo, 32), f3 = v128.load(st.multf + fo, 48);
    let ar = st.acc + o, yr = y + <usize>n;
    for (let i = 0; i < count; i++) {
      const a0 = i32x4.add(v128.load(ar), b0), a1 = i32x4.add(v128.load(ar, 16), b1);
      const r0 = f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(a0), f0), magic);
      const r1 = f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(a0, a0, 2, 3, 2, 3)), f1), magic);
      const r2 = f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(a1), f2), magic);
      const r3 = f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(a1, a1, 2, 3, 2, 3)), f3), magic);
      let v0 = i32x4.shuffle(r0, r1, 0, 2, 4, 6), v1 = i32x4.shuffle(r2, r3, 0, 2, 4, 6);
      v0 = i32x4.add(i32x4.max_s(i32x4.min_s(v0, hiV), loV), zV);
      v1 = i32x4.add(i32x4.max_s(i32x4.min_s(v1, hiV), loV), zV);
      const h = i16x8.narrow_i32x4_s(v0, v1);
      v128.store64_lane(yr, i8x16.narrow_i16x8_s(h, h), 0);
      ar += accStride;
      yr += <usize>Cout;
    }
  }
}

@inline function requantI8Lanes(st: ConvState, y: usize, count: i32, zy: i32, odd: bool): void {
  const Cout = st.Cout, Np = st.Np, S = st.vshift;
  const halfBiased = i64x2.splat((<i64>1 << 62) + (<i64>1 << (S - 1)) - 1), one = i64x2.splat(1);
  const unbias = i64x2.splat(<i64>1 << (62 - S));
  const k = S - 31;
  const maskK = i32x4.splat((1 << k) - 1), halfK = i32x4.splat(1 << (k - 1));
  const loV = i32x4.splat(st.lo - zy), hiV = i32x4.splat(st.hi - zy), zV = i32x4.splat(zy);
  const accStride = <usize>st.accStride << 2;
  for (let n = Np - 8; n >= 0; n -= 8) {
    const o = <usize>n << 2;
    const b0 = v128.load(st.biasp + o), b1 = v128.load(st.biasp + o, 16);
    const p0 = v128.load(st.prep + o), p1 = v128.load(st.prep + o, 16);
    const m0 = v128.load(st.multp + o), m1 = v128.load(st.multp + o, 16);
    let ar = st.acc + o, yr = y + <usize>n;
    for (let i = 0; i < count; i++) {
      const a0 = i32x4.mul(i32x4.add(v128.load(ar), b0), p0);
      const a1 = i32x4.mul(i32x4.add(v128.load(ar, 16), b1), p1);
      let v0: v128, v1: v128;
      if (odd) {
        v0 = mulShiftOdd4(a0, m0, k, maskK, halfK);
        v1 = mulShiftOdd4(a1, m1, k, maskK, halfK);
      } else {
        v0 = mulShift4(a0, m0, S, halfBiased, one, unbias);
        v1 = mulShift4(a1, m1, S, halfBiased, one, unbias);
      }
      v0 = i32x4.add(i32x4.max_s(i32x4.min_s(v0, hiV), loV), zV);
      v1 = i32x4.add(i32x4.max_s(i32x4.min_s(v1, hiV), loV), zV);
      const h = i16x8.narrow_i32x4_s(v0, v1);
      v128.store64_lane(yr, i8x16.narrow_i16x8_s(h, h), 0);
      ar += accStride;
      yr += <usize>Cout;
    }
  }
}

// ---- run --------------------------------------------------------------------------------------

function runSampleF32(st: ConvState, x: usize, y: usize): void {
  const P = st.OH * st.OW, Cout = st.Cout;
  if (st.depthwise) {
    for (let p = 0; p < P; p++) {
      const oh = p / st.OW, ow = p - oh * st.OW;
      const yp = y + ((<usize>p * <usize>Cout) << 2);
      f32_dwconv_c8(x, st.H, st.W, Cout, oh * st.sh - st.pt, ow * st.sw - st.pl, st.dh, st.dw, st.KH, st.KW, st.wp, yp);
      finishF32(st, yp, 1);
    }
    return;
  }
  if (st.directF32) {
    let a = x, rowBytes = (<usize>st.W * <usize>st.Cin) << 2;
    if (st.xpad != 0) {
      fillPaddedF32(st, x);
      a = st.xpad;
      rowBytes = (<usize>st.Wp * <usize>st.Cin) << 2;
    }
    if (st.ci1) {
      f32_conv_ci1_8x4(a, st.OH, st.OW, <usize>st.sh * rowBytes, <usize>st.dh * rowBytes, st.KH, st.KW, st.wp, Cout, st.Np2, st.biasp, st.act, y, Cout);
      return;
    }
    const pixStride = (<usize>st.sw * <usize>st.Cin) << 2;
    const rowOut = (<usize>st.OW * <usize>Cout) << 2;
    for (let oh = 0; oh < st.OH; oh++)
      f32_conv_4x8(a + <usize>(oh * st.sh) * rowBytes, pixStride, <usize>st.dh * rowBytes, st.KH, st.KW * st.Cin, st.OW, st.wp, Cout, st.biasp, st.act, y + <usize>oh * rowOut, Cout);
    return;
  }
  if (st.direct) {
    f32_gemm_4x8(x, st.Cin, P, st.wp, st.K, Cout, y, Cout);
    finishF32(st, y, P);
    return;
  }
  for (let p0 = 0; p0 < P; p0 += TILE) {
    const count = min<i32>(TILE, P - p0);
    const yt = y + ((<usize>p0 * <usize>Cout) << 2);
    for (let g = 0; g < st.groups; g++) {
      im2colF32(st, x, p0, count, g);
      f32_gemm_4x8(st.col, st.K, count, st.wp + <usize>g * st.wpGroup, st.K, st.Cog, yt + (<usize>(g * st.Cog) << 2), Cout);
    }
    finishF32(st, yt, count);
  }
}

/** int8 depthwise, one output row at a time over pair rows cached in the ring. */
function runDepthwiseI8(st: ConvState, x: usize, zx: i32, y: usize, zy: i32, dynScale: f32, es: usize, raw: bool): void {
  const Cout = st.Cout, Cp = st.accStride;
  const slotBytes = <usize>st.dwCols * <usize>Cp << 2;
  const g = st.dwStep;
  const pixStep = (<usize>(st.sw / g) * <usize>Cp) << 2, colStep = (<usize>(2 * st.dw / g) * <usize>Cp) << 2;
  const wRow = (<usize>st.dwKWP * <usize>Cp) << 2;
  for (let s = 0; s < st.dwSlots; s++) store<i32>(st.dwSlotRow + (<usize>s << 2), -1);
  memory.fill(st.dwZx, <u8>zx, <usize>Cout); // what columns in the padding read
  // int32 outputs with whole blocks of 8 channels go straight to y
  const direct = raw && Cout == Cp;
  for (let oh = 0; oh < st.OH; oh++) {
    // window rows inside the image: kh in [kh0, kh1)
    const ih0 = oh * st.sh - st.pt;
    const kh0 = ih0 >= 0 ? 0 : (-ih0 + st.dh - 1) / st.dh;
    const room = st.H - 1 - ih0;
    const kh1 = room < 0 ? 0 : min<i32>(st.KH, room / st.dh + 1);
    for (let kh = kh0; kh < kh1; kh++) {
      const ih = ih0 + kh * st.dh;
      const slot = ih % st.dwSlots;
      const q = st.dwRing + <usize>slot * slotBytes;
      if (load<i32>(st.dwSlotRow + (<usize>slot << 2)) != ih) {
        i8_dwconv_pair_row(x + <usize>ih * <usize>st.W * <usize>Cout, st.W, Cout, Cp, st.pl, st.dw, st.dwStep, st.dwCols, zx, st.dwZx, q);
        store<i32>(st.dwSlotRow + (<usize>slot << 2), ih);
      }
      for (let j = 0; j < st.dwKWP; j++)
        store<u32>(st.dwRows + (<usize>((kh - kh0) * st.dwKWP + j) << 2), <u32>(q + <usize>j * colStep));
    }
    const T = max<i32>(kh1 - kh0, 0) * st.dwKWP;
    const w = st.wp + <usize>kh0 * wRow;
    for (let ow = 0; ow < st.OW; ow += DW_TILE) {
      const count = min<i32>(DW_TILE, st.OW - ow);
      const p = <usize>oh * <usize>st.OW + <usize>ow;
      const yp = y + p * <usize>Cout * es;
      if (direct) {
        i8_dwconv_3x8c2(st.dwRows, T, pixStep, count, Cp, w, yp, <usize>Cout << 2);
      } else {
        i8_dwconv_3x8c2(st.dwRows, T, pixStep, count, Cp, w, st.acc, <usize>Cp << 2);
        finishI8(st, yp, count, zy, dynScale, oh + 1 < st.OH || ow + count < st.OW);
      }
      // the next tile's windows start count pixels further along the same pair rows
      if (ow + count < st.OW)
        for (let t = 0; t < T; t++) {
          const rp = st.dwRows + (<usize>t << 2);
          store<u32>(rp, load<u32>(rp) + <u32>(<usize>count * pixStep));
        }
    }
  }
}

/** x: one int8 sample with zero point zx; y: its output (element size by path). */
function runSampleI8(st: ConvState, x: usize, zx: i32, y: usize, zy: i32, dynScale: f32): void {
  const P = st.OH * st.OW, Cout = st.Cout;
  const es: usize = st.outType == DType.I8 ? 1 : 4;
  if (st.direct8) {
    fillPadded(st, x, zx);
    const Cin = <usize>st.Cin;
    const pixStride = (<usize>st.sw * Cin) << 1;
    const rowBytes = (<usize>st.Wp * Cin) << 1;
    const chunk = min<i32>(st.OW, DIRECT_TILE);
    for (let oh = 0; oh < st.OH; oh++) {
      const a = st.xpad + <usize>(oh * st.sh) * rowBytes;
      for (let ow = 0; ow < st.OW; ow += chunk) {
        const count = min<i32>(chunk, st.OW - ow);
        i8_conv_4x8c2(a + <usize>ow * pixStride, pixStride, <usize>st.dh * rowBytes, st.KH, st.pairs, count, st.wp, Cout, st.acc, st.accStride);
        finishI8(st, y + (<usize>oh * <usize>st.OW + <usize>ow) * <usize>Cout * es, count, zy, dynScale, oh + 1 < st.OH || ow + count < st.OW);
      }
    }
    return;
  }
  // int32 outputs (no bias, no activation): these kernels write exactly Cout values per pixel,
  // so they write y itself
  const raw = st.path == PATH_I8 && st.outType == DType.I32;
  if (st.depthwise && st.dwPairs) {
    runDepthwiseI8(st, x, zx, y, zy, dynScale, es, raw);
    return;
  }
  if (st.depthwise) {
    for (let p = 0; p < P; p++) {
      const oh = p / st.OW, ow = p - oh * st.OW;
      const yp = y + <usize>p * <usize>Cout * es;
      i8_dwconv_c16(x, st.H, st.W, Cout, oh * st.sh - st.pt, ow * st.sw - st.pl, st.dh, st.dw, st.KH, st.KW, zx, st.wp, raw ? yp : st.acc);
      if (!raw) finishI8(st, yp, 1, zy, dynScale, p + 1 < P);
    }
    return;
  }
  for (let p0 = 0; p0 < P; p0 += TILE) {
    const count = min<i32>(TILE, P - p0);
    const yp = y + <usize>p0 * <usize>Cout * es;
    const acc = raw ? yp : st.acc;
    for (let g = 0; g < st.groups; g++) {
      im2colI8(st, x, zx, p0, count, g);
      i8_gemm_4x8c2(st.col, st.Kp, count, st.wp + <usize>g * st.wpGroup, st.Kp, st.Cog, acc + (<usize>(g * st.Cog) << 2), Cout);
    }
    if (!raw) finishI8(st, yp, count, zy, dynScale, p0 + count < P);
  }
}

export function runConv(m: Model, o: u32, batch: i32): void {
  const st = changetype<ConvState>(opState(m, o));
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const inN = <usize>st.H * <usize>st.W * <usize>st.Cin;
  const outN = <usize>st.OH * <usize>st.OW * <usize>st.Cout;
  const xp = tptr(m, x), yp = tptr(m, y);
  if (st.path == PATH_F32) {
    for (let b = 0; b < batch; b++) runSampleF32(st, xp + ((<usize>b * inN) << 2), yp + ((<usize>b * outN) << 2));
    return;
  }
  if (st.path == PATH_DYNAMIC) {
    for (let b = 0; b < batch; b++) {
      // per-sample asymmetric quantization, range widened to include 0 (ONNX DynamicQuantizeLinear)
      const xs = xp + ((<usize>b * inN) << 2);
      const scale = quantizeDynamicRow(xs, <i32>inN, st.xq, zpSlot);
      const zx = load<i32>(zpSlot);
      runSampleI8(st, st.xq, zx, yp + ((<usize>b * outN) << 2), 0, scale);
    }
    return;
  }
  const zx = tZeroPoint(m, x);
  const zy = st.outType == DType.I8 ? tZeroPoint(m, y) : 0;
  const es: usize = st.outType == DType.I8 ? 1 : 4;
  for (let b = 0; b < batch; b++) runSampleI8(st, xp + <usize>b * inN, zx, yp + <usize>b * outN * es, zy, 0);
}

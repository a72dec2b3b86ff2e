// Dense (Gemm/MatMul with constant weights): y[.., n] = act(sum_k x[.., k] * W[n, k] + b[n]).
// Three paths chosen by dtypes at load:
//   f32 x, f32 W            -> f32 y
//   int8 x, int8 W          -> int8 y (requantized), f32 y (dequantized) or int32 y (raw, MatMulInteger)
//   f32 x, int8 W           -> f32 y, x quantized per sample at run time (dynamic quantization)
// Compressed weight encodings (CSR, 2:4, codebook) dispatch to their own kernels.
import { Activation, DType, Encoding, ErrorCode } from "../format/spec";
import { fail, failAt } from "../runtime/errors";
import { own } from "../model";
import {
  Model, opAttr, opCode, opIn, opNumIn, opOut, outputId, tDType, tDim, tRank, tNumel, tLastDim, tScale, tScaleCount, tScalePtr,
  tZeroPoint, tDataPtr, tDataLen, tAuxPtr, tAuxLen, tBits, tptr, tEncoding, opState, setOpState, isConst, trec,
} from "../model";
import { actRangeI8, applyActF32, checkWeightedDTypes, expectActCode, expectArity, expectConst, optIn } from "./common";
import { Format, Op, TensorField } from "../format/spec";
import { mulShiftRound, quantizeDynamicRow, quantizeMultiplier } from "../quant/requant";
import { i8_gemv_1x8c8 } from "../kernels/i8-gemv-1x8c8-simd128";
import { i8_gemm_4x2c8 } from "../kernels/i8-gemm-4x2c8-simd128";
import { f32_gemv_1x4 } from "../kernels/f32-gemv-1x4-simd128";
import { i8_pack_xt32, i8_spmm_32x2, i8_spmm_unpack32 } from "../kernels/i8-spmm-32x2-simd128";
import { i8_spmv_1x8, i8_spmv_widen } from "../kernels/i8-spmv-1x8-simd128";
import { i8_gemv_1x4c8_packed } from "../kernels/i8-gemv-1x4c8-packed-simd128";
import { i8_gemm_4x2c8_packed, i8_pack_x4 } from "../kernels/i8-gemm-4x2c8-packed-simd128";
import { i8_gemm_4x2c16_relaxed, i8_gemv_1x4c16_relaxed } from "../kernels/i8-gemm-4x2c16-relaxed";
import { PAIRGEMM_GROUP_BYTES, i8_pairgemm_32x1, i8_pairgemm_pack } from "../kernels/i8-pairgemm-32x1-simd128";
import { i8_nm24_gemv_1x1 } from "../kernels/i8-nm24-gemv-1x1-simd128";
import { cb4_decode_split, cb4_decode_split_block4, cb4_pack_x4_split, cb4_split_row } from "../kernels/cb4-decode-split-simd128";
import { i8_gemm_4x2c32_panel } from "../kernels/i8-gemm-4x2c32-panel-simd128";
import { decodeRowsI8, packedOffset, packRowsInPlace, weightRows } from "./weights";

const PATH_F32: i32 = 0;
const PATH_I8: i32 = 1;
const PATH_DYNAMIC: i32 = 2;
const MR: i32 = 4; // rows the dense GEMM microkernel takes at once
const SPARSE_MR: i32 = 32; // rows the sparse kernel takes at once
const SPARSE_NB: i32 = 256; // outputs per sparse kernel call (bounds its transposed scratch)
// The sparse kernel costs about the same per nonzero whatever the rows (up to 32) of the call; the
// panel path costs a decode per nonzero plus a dense multiply per row. Measured at 1024 x 1024
// (2..64 rows, 50-90 % zeros) the sparse kernel wins once rows * N * K >= ~20 * nnz.
const SPARSE_WORK: i64 = 16;

// int8 weight kernels, chosen at load from the weights' encoding and density
const KERNEL_DENSE: i32 = 0; // the container's dense rows, plain or packed (ops/weights.ts packRowsInPlace)
const KERNEL_CSR: i32 = 1; // the container's CSR read in place (few rows per call: the panel path, or the scalar GEMV)
const KERNEL_PANEL: i32 = 3; // 2:4, codebook, denser CSR: 8 rows decoded per step into an L1 panel
const PANEL_N: i32 = 8;
const PANEL_MR: i32 = 32; // rows per call, so each decoded panel serves 32 activation rows
const KERNEL_PAIR: i32 = 4; // int8 2:4: pair table of the activations, one dot per kept weight pair and 4 rows
const SPMV_MAX_ROWS: i32 = 4; // CSR calls with fewer rows gather per row (i8-spmv-1x8)
const PAIR_MIN_ROWS: i32 = 4;
const OWN_SCAN_MAX: u32 = 4096; // tensors scanned per in-place rewrite (ownsItsBytes) // fewer rows take the 2:4 GEMV
const PAIR_MR: i32 = 32; // rows per call (8 blocks of 4 in the pair table)
const PAIR_NB: i32 = 256; // outputs per pass over a K tile (bounds accT)
const PAIR_KG: i32 = 32; // groups of 4 per K tile: 32 x 768 B of pair table stay in L1 while PAIR_NB rows use them
const KERNEL_CB4: i32 = 5; // int8 4-bit codebook: CB4_PANEL_N rows decoded per step in split order, serving all CB4_MR rows
const CB4_PANEL_N: i32 = 8;
const CB4_MR: i32 = 64; // rows per call: each panel is decoded once per 64 activation rows
const MAX_MR: i32 = 64; // the largest rows-per-call above (sizes the dynamic path's per-row scratch)
const KERNEL_RELAXED7: i32 = 2; // relaxed build only: packed rows, each shifted into 0..127 (u = w - min(row))

@unmanaged class DenseState {
  path: i32;
  N: i32;
  K: i32;
  rows: i32; // rows per sample
  outType: i32;
  lo: i32;
  hi: i32;
  act: i32;
  mult: usize; // i32[2N] (mult, shift) for int8 -> int8
  deq: usize; // f32[N]: sx * sw[n] (int8 -> f32), sw[n] (dynamic)
  wsum: usize; // i32[N]: sum_k w[n][k]
  bias: usize; // bias data or 0
  acc: usize; // scratch i32 [mr][N] (0 for int32 outputs, accumulated in place)
  xq: usize; // scratch i8[MR][K] (dynamic)
  w: usize; // int8 weights [N][K] in the container, KERNEL_DENSE (packed when st.packed) and KERNEL_RELAXED7
  kernel: i32;
  mr: i32; // rows per kernel call
  rowPtr: usize; // KERNEL_CSR: the container's CSR arrays
  cols: usize;
  vals: usize;
  xt: usize; // KERNEL_CSR scratch: i8 [K][32]
  nnz: i64; // KERNEL_CSR: nonzeros
  accT: usize; // KERNEL_CSR scratch: i32 [SPARSE_NB][32]
  wt: u32; // weight tensor id
  panel: usize; // KERNEL_PANEL scratch: i8 [PANEL_N][K]
  lut: usize; // KERNEL_PANEL: 16 int8 centroids of a 4-bit codebook
  pairs: usize; // KERNEL_PAIR scratch: the pair table [K/4][6][8] v128
  packed: i32; // chunk size of the packed layout st.w was rewritten into at load (8, or 16 for KERNEL_RELAXED7), 0 when plain
  wmin: usize; // KERNEL_RELAXED7: i32[N], row n stores u = w - wmin[n]
  cw: usize; // int8 path: i32[N] = K zx zw - zx * wsum[n] + bias[n], the correction's per-output constant
  cwZero: i32; // 1 when every cw[n] is 0
  xpk: usize; // packed layout: 4 activation rows repacked per GEMM call (i8_pack_x4), 4K bytes; KERNEL_CB4: CB4_MR rows in split order
}

export function checkDense(m: Model, o: u32): i32 {
  let r = expectArity(m, o, 2, 3, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), w = opIn(m, o, 1), b = optIn(m, o, 2), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": dense input must be an activation");
  r = expectConst(m, o, w);
  if (r < 0) return r;
  if (tRank(m, w) != 2) return failAt(ErrorCode.BadShape, "op ", o, ": dense weights must be [N, K]");
  const N = tDim(m, w, 0), K = tDim(m, w, 1);
  if (tLastDim(m, x) != K) return failAt(ErrorCode.BadShape, "op ", o, ": input's last dim differs from the weights' K");
  const rank = tRank(m, x);
  if (tRank(m, y) != rank || tLastDim(m, y) != N) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must be the input's with the last dim N");
  for (let i = 0; i < rank - 1; i++) if (tDim(m, y, i) != tDim(m, x, i)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must be the input's with the last dim N");
  r = expectActCode(m, o, opAttr(m, o, 0));
  if (r < 0) return r;
  for (let i = 1; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": unused attributes must be zero");
  return checkWeightedDTypes(m, o, x, w, b, y, N, true);
}

export function prepareDense(m: Model, o: u32): i32 {
  const x = opIn(m, o, 0), w = opIn(m, o, 1), b = optIn(m, o, 2), y = opOut(m, o, 0);
  const N = tDim(m, w, 0), K = tDim(m, w, 1);
  const st = changetype<DenseState>(own(m, offsetof<DenseState>()));
  if (changetype<usize>(st) == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  setOpState(m, o, changetype<usize>(st));
  st.N = N;
  st.K = K;
  st.rows = tNumel(m, x) / K;
  st.act = opAttr(m, o, 0);
  st.outType = tDType(m, y);
  st.bias = b != <u32>Format.NoTensor ? tDataPtr(m, b) : 0;
  const xt = tDType(m, x), wt = tDType(m, w);
  if (xt == DType.F32 && wt == DType.F32) {
    st.path = PATH_F32;
    st.w = weightRows(m, w);
    return st.w == 0 ? -ErrorCode.OutOfMemory : 0;
  }
  st.path = xt == DType.F32 ? PATH_DYNAMIC : PATH_I8;
  const zw = tZeroPoint(m, w);
  st.kernel = KERNEL_DENSE;
  st.mr = MR;
  if (tEncoding(m, w) == Encoding.Csr) {
    // sparse enough that skipping zeros can beat the dense kernel, given enough rows per call
    // (at 50 % the sparse kernel took 0.6x the panel path's time at 64 rows; see SPARSE_WORK)
    const nnz = <i64>tDataLen(m, w);
    if (nnz * 2 <= <i64>N * <i64>K) {
      st.kernel = KERNEL_CSR;
      st.nnz = nnz;
      st.mr = SPARSE_MR;
      st.rowPtr = tAuxPtr(m, w);
      st.cols = st.rowPtr + (<usize>(N + 1) << 2);
      st.vals = tDataPtr(m, w);
      st.xt = own(m, <usize>K << 5);
      st.accT = own(m, <usize>min(N, SPARSE_NB) << 7);
      if (st.xt == 0 || st.accT == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    }
  }
  st.wt = w;
  if (st.kernel == KERNEL_DENSE && tEncoding(m, w) == Encoding.Nm24) {
    // 2:4 read in place; the panel only serves the row sums below
    st.kernel = KERNEL_PAIR;
    st.mr = PAIR_MR;
    st.panel = own(m, <usize>K + 16);
    st.pairs = own(m, <usize>(K >> 2) * PAIRGEMM_GROUP_BYTES);
    st.accT = own(m, <usize>min(N, PAIR_NB) << 7);
    if (st.panel == 0 || st.pairs == 0 || st.accT == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  } else if (st.kernel != KERNEL_DENSE || tEncoding(m, w) != Encoding.Dense) {
    // compressed rows are decoded a panel at a time while running: no decoded copy of the tensor
    // (for CSR too, for calls with too few rows for the sparse kernel)
    let panelRows = PANEL_N;
    if (st.kernel == KERNEL_DENSE && tEncoding(m, w) == Encoding.Codebook && tBits(m, w) == 4) {
      st.kernel = KERNEL_CB4;
      st.mr = CB4_MR;
      panelRows = CB4_PANEL_N;
      st.xpk = own(m, <usize>CB4_MR * <usize>K + 16);
      if (st.xpk == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    } else if (st.kernel == KERNEL_DENSE) {
      st.kernel = KERNEL_PANEL;
      st.mr = PANEL_MR;
    }
    st.panel = own(m, <usize>panelRows * <usize>K + 16);
    st.lut = own(m, 16);
    if (st.panel == 0 || st.lut == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    if (tEncoding(m, w) == Encoding.Codebook && tBits(m, w) == 4) memory.copy(st.lut, tAuxPtr(m, w), <usize>tAuxLen(m, w));
  } else if (st.kernel == KERNEL_DENSE) {
    const r = layoutDenseWeights(m, o, st);
    if (r < 0) return r;
  }
  // int32 outputs are accumulated in place (runDense); the others need a row block of scratch
  const inPlace = st.path == PATH_I8 && st.outType == DType.I32;
  st.acc = inPlace ? 0 : own(m, <usize>(st.mr * N) << 2);
  st.wsum = own(m, <usize>N << 2);
  if (st.path == PATH_DYNAMIC) {
    st.xq = own(m, <usize>(st.mr * K) + 16);
    if (st.xq == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  }
  if ((st.acc == 0 && !inPlace) || st.wsum == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  // row sums for the input zero-point correction, and the int32 overflow bound
  const bias = st.bias;
  for (let n = 0; n < N; n++) {
    let s: i64 = 0, abs: i64 = 0;
    if (st.kernel == KERNEL_CSR) {
      const a = load<u32>(st.rowPtr + (<usize>n << 2)), b = load<u32>(st.rowPtr + (<usize>(n + 1) << 2));
      for (let j = a; j < b; j++) {
        const v = <i32>load<i8>(st.vals + <usize>j);
        s += v;
        abs += <i64>abs_i32(v - zw);
      }
      abs += <i64>(K - <i32>(b - a)) * <i64>abs_i32(zw);
    } else if (st.kernel == KERNEL_PANEL || st.kernel == KERNEL_PAIR || st.kernel == KERNEL_CB4) {
      decodeRowsI8(m, w, n, 1, st.panel, st.lut);
      for (let k = 0; k < K; k++) {
        const v = <i32>load<i8>(st.panel + <usize>k);
        s += v;
        abs += <i64>abs_i32(v - zw);
      }
    } else {
      for (let k = 0; k < K; k++) {
        const v = weightAt(st, n, k);
        s += v;
        abs += <i64>abs_i32(v - zw);
      }
    }
    const bmax: i64 = bias != 0 && st.path == PATH_I8 ? <i64>abs_i32(load<i32>(bias + (<usize>n << 2))) : 0;
    if (abs * 255 + bmax > <i64>i32.MAX_VALUE) return failAt(ErrorCode.Overflow, "op ", o, ": int32 accumulator could overflow for this weight row");
    store<i32>(st.wsum + (<usize>n << 2), <i32>s);
  }
  if (st.path == PATH_I8) {
    st.cw = own(m, <usize>N << 2);
    if (st.cw == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    const zx = tZeroPoint(m, x);
    st.cwZero = 1;
    for (let n = 0; n < N; n++) {
      let c = K * zx * zw - zx * load<i32>(st.wsum + (<usize>n << 2));
      if (bias != 0) c += load<i32>(bias + (<usize>n << 2));
      store<i32>(st.cw + (<usize>n << 2), c);
      if (c != 0) st.cwZero = 0;
    }
  }
  const perChannel = tScaleCount(m, w) > 1;
  const sw = tScalePtr(m, w);
  if (st.path == PATH_DYNAMIC || st.outType == DType.F32) {
    st.deq = own(m, <usize>N << 2);
    if (st.deq == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    const sx: f32 = st.path == PATH_DYNAMIC ? 1 : tScale(m, x);
    for (let n = 0; n < N; n++) store<f32>(st.deq + (<usize>n << 2), sx * load<f32>(sw + (perChannel ? <usize>n << 2 : 0)));
  } else if (st.outType == DType.I8) {
    st.mult = own(m, <usize>N << 3);
    if (st.mult == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
    const sx = <f64>tScale(m, x), sy = <f64>tScale(m, y);
    for (let n = 0; n < N; n++) {
      const real = sx * <f64>load<f32>(sw + (perChannel ? <usize>n << 2 : 0)) / sy;
      quantizeMultiplier(real, st.mult + (<usize>n << 3));
    }
    actRangeI8(st.act, tScale(m, y), tZeroPoint(m, y), changetype<usize>(st) + offsetof<DenseState>("lo"));
  }
  return 0;
}

/**
 * Lays out dense int8 weights for the kernels. When only Dense ops read the tensor (as their
 * weights), it is rewritten in place into the packed layout (memory stays 1x); in the relaxed
 * build, when every row's values span at most 128 consecutive integers, rows are first stored as
 * u = w - min(row) in 0..127 for the exact relaxed dot. A later Dense op sharing the tensor takes
 * the layout the first one chose. Otherwise the rows stay plain and the row-major kernels run.
 */
function layoutDenseWeights(m: Model, o: u32, st: DenseState): i32 {
  const w = st.wt;
  const N = st.N, K = st.K;
  st.w = tDataPtr(m, w);
  for (let e: u32 = 0; e < o; e++) {
    if (opCode(m, e) != Op.Dense || opIn(m, e, 1) != w) continue;
    const first = changetype<DenseState>(opState(m, e));
    st.packed = first.packed;
    st.kernel = first.kernel;
    st.wmin = first.wmin;
    return allocPackScratch(m, st);
  }
  if (!onlyDenseReads(m, w) || !ownsItsBytes(m, w)) return 0;
  if (ASC_FEATURE_RELAXED_SIMD) {
    const r = shiftRows7(m, st);
    if (r < 0) return r;
  }
  const kc = st.kernel == KERNEL_RELAXED7 ? 16 : 8;
  if (!packRowsInPlace(st.w, N, K, kc)) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  st.packed = kc;
  return allocPackScratch(m, st);
}

function allocPackScratch(m: Model, st: DenseState): i32 {
  if (st.packed == 0) return 0;
  st.xpk = own(m, (<usize>st.K << 2) + 16);
  return st.xpk == 0 ? fail(ErrorCode.OutOfMemory, "out of memory preparing dense") : 0;
}

@inline function overlaps(a: usize, alen: usize, b: usize, blen: usize): bool {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

/**
 * True when tensor t's data bytes belong to it alone, so rewriting them in place cannot change
 * anything validated: the file's offsets are free to point two regions at the same bytes, and a
 * crafted file whose weights overlap the tensor table (found by fuzzing) had its input records
 * rewritten by the packing. The data must not overlap the header, the tensor, op and io tables,
 * or any other tensor's data, aux, scale or name bytes. The scan is bounded per model (a file
 * with very many tensors keeps its weights as they are: the plain layout, the same results).
 */
function ownsItsBytes(m: Model, t: u32): bool {
  const p = tDataPtr(m, t), len = <usize>tDataLen(m, t);
  if (overlaps(p, len, m.buf, Format.HeaderSize)) return false;
  if (overlaps(p, len, m.tensors, <usize>m.nTensors * Format.TensorRecordSize)) return false;
  if (overlaps(p, len, m.ops, <usize>m.nOps * Format.OpRecordSize)) return false;
  if (overlaps(p, len, m.io, <usize>(m.nIn + m.nOut) << 2)) return false;
  if (m.nTensors > OWN_SCAN_MAX) return false;
  for (let u: u32 = 0; u < m.nTensors; u++) {
    const rec = trec(m, u);
    if (u != t && overlaps(p, len, m.buf + <usize>load<u32>(rec, TensorField.DataOff), load<u32>(rec, TensorField.DataLen))) return false;
    if (overlaps(p, len, m.buf + <usize>load<u32>(rec, TensorField.AuxOff), load<u32>(rec, TensorField.AuxLen))) return false;
    if (overlaps(p, len, m.buf + <usize>load<u32>(rec, TensorField.ScaleOff), <usize>load<u32>(rec, TensorField.ScaleCount) << 2)) return false;
    if (overlaps(p, len, m.buf + <usize>load<u32>(rec, TensorField.NameOff), load<u32>(rec, TensorField.NameLen))) return false;
  }
  return true;
}

/** True when every op that reads tensor t reads it as the weights of a Dense op (and it is no graph output). */
function onlyDenseReads(m: Model, t: u32): bool {
  for (let e: u32 = 0; e < m.nOps; e++) {
    const n = opNumIn(m, e);
    for (let i = 0; i < n; i++) if (opIn(m, e, i) == t && (opCode(m, e) != Op.Dense || i != 1)) return false;
  }
  for (let i: u32 = 0; i < m.nOut; i++) if (outputId(m, i) == t) return false;
  return true;
}

/** Relaxed build: when every row spans at most 128 consecutive values, stores u = w - min(row) in place. */
function shiftRows7(m: Model, st: DenseState): i32 {
  const N = st.N, K = st.K;
  for (let n = 0; n < N; n++) {
    const row = st.w + <usize>n * <usize>K;
    let lo: i32 = 127, hi: i32 = -128;
    for (let k = 0; k < K; k++) {
      const v = <i32>load<i8>(row + <usize>k);
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    if (hi - lo > 127) return 0;
  }
  st.wmin = own(m, <usize>N << 2);
  if (st.wmin == 0) return fail(ErrorCode.OutOfMemory, "out of memory preparing dense");
  for (let n = 0; n < N; n++) {
    const row = st.w + <usize>n * <usize>K;
    let lo: i32 = 127;
    for (let k = 0; k < K; k++) lo = min(lo, <i32>load<i8>(row + <usize>k));
    for (let k = 0; k < K; k++) store<u8>(row + <usize>k, <u8>(<i32>load<i8>(row + <usize>k) - lo));
    store<i32>(st.wmin + (<usize>n << 2), lo);
  }
  st.kernel = KERNEL_RELAXED7;
  return 0;
}

/** The original int8 weight (n, k) of a KERNEL_DENSE / KERNEL_RELAXED7 tensor, whatever its layout. */
function weightAt(st: DenseState, n: i32, k: i32): i32 {
  const off = st.packed != 0 ? packedOffset(st.N, st.K, n, k, st.packed) : <usize>n * <usize>st.K + <usize>k;
  if (st.kernel == KERNEL_RELAXED7) return <i32>load<u8>(st.w + off) + load<i32>(st.wmin + (<usize>n << 2));
  return <i32>load<i8>(st.w + off);
}

@inline function abs_i32(v: i32): i32 { return v < 0 ? -v : v; }

function finishRowF32(st: DenseState, yr: usize): void {
  const N = st.N;
  const bias = st.bias;
  for (let n = 0; n < N; n++) {
    const p = yr + (<usize>n << 2);
    let v = load<f32>(p);
    if (bias != 0) v += load<f32>(bias + (<usize>n << 2));
    store<f32>(p, applyActF32(v, st.act));
  }
}

/** sum of K int8 values. */
function sumI8(x: usize, K: i32): i32 {
  const K16 = K & ~15;
  let v = i32x4.splat(0);
  for (let k = 0; k < K16; k += 16) v = i32x4.add(v, i32x4.extadd_pairwise_i16x8_s(i16x8.extadd_pairwise_i8x16_s(v128.load(x + <usize>k))));
  let s = (i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + (i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
  for (let k = K16; k < K; k++) s += <i32>load<i8>(x + <usize>k);
  return s;
}

/**
 * acc (raw sum over K of x times the stored weights) -> corrected int32 accumulators, in place:
 * sum (x - zx)(w - zw) + bias (int8 path) = acc - zx * wsum[n] + K zx zw - zw * sum x (+ bias[n])
 * (+ wmin[n] * sum x when the weights are stored shifted, KERNEL_RELAXED7). With a static zx
 * (int8 path) the per-output constant part is precomputed at load in st.cw. Wrapping int32
 * arithmetic throughout: the true result fits, so any order gives the same bits.
 */
function correct(st: DenseState, accr: usize, xr: usize, zx: i32, zw: i32): void {
  const N = st.N, K = st.K;
  const shifted = st.kernel == KERNEL_RELAXED7;
  const xsum = zw != 0 || shifted ? sumI8(xr, K) : 0;
  const wsum = st.wsum, cw = st.cw, wmin = st.wmin;
  const N4 = N & ~3;
  if (cw != 0) {
    if (st.cwZero != 0 && zw == 0 && !shifted) return; // nothing to add (symmetric int8, no bias)
    const c = i32x4.splat(-zw * xsum);
    const xs = i32x4.splat(xsum);
    if (shifted) {
      for (let n = 0; n < N4; n += 4) {
        const o = <usize>n << 2;
        v128.store(accr + o, i32x4.add(i32x4.add(v128.load(accr + o), v128.load(cw + o)), i32x4.add(c, i32x4.mul(v128.load(wmin + o), xs))));
      }
    } else {
      for (let n = 0; n < N4; n += 4) {
        const o = <usize>n << 2;
        v128.store(accr + o, i32x4.add(i32x4.add(v128.load(accr + o), v128.load(cw + o)), c));
      }
    }
    for (let n = N4; n < N; n++) {
      const o = <usize>n << 2;
      let a = load<i32>(accr + o) + load<i32>(cw + o) - zw * xsum;
      if (shifted) a += load<i32>(wmin + o) * xsum;
      store<i32>(accr + o, a);
    }
    return;
  }
  // dynamic path: zx changes per row, zw = 0, bias is f32 and added after dequantization
  for (let n = 0; n < N; n++) {
    const o = <usize>n << 2;
    let a = load<i32>(accr + o) - zx * load<i32>(wsum + o) + K * zx * zw - zw * xsum;
    if (shifted) a += load<i32>(wmin + o) * xsum;
    store<i32>(accr + o, a);
  }
}

/** Compressed weights decoded PANEL_N rows at a time into an L1 panel, times `n` rows of x by the dense kernels. */
function accumulatePanels(m: Model, st: DenseState, xr: usize, n: i32, acc: usize): void {
  const N = st.N, K = st.K;
  const lut = st.lut;
  for (let nb = 0; nb < N; nb += PANEL_N) {
    const cnt = min(PANEL_N, N - nb);
    decodeRowsI8(m, st.wt, nb, cnt, st.panel, lut);
    let r = 0;
    for (; r + MR <= n; r += MR) i8_gemm_4x2c8(xr + <usize>r * <usize>K, st.panel, K, cnt, acc + (<usize>(r * N + nb) << 2), N);
    for (; r < n; r++) i8_gemv_1x8c8(xr + <usize>r * <usize>K, st.panel, K, cnt, acc + (<usize>(r * N + nb) << 2));
  }
}

/**
 * KERNEL_CB4: the `n` activation rows permuted into split order once (4-row blocks packed for the
 * panel GEMM, leftover rows plain for the GEMV), then per step CB4_PANEL_N weight rows decoded in
 * split order and multiplied by all n rows.
 */
function accumulateCb4(m: Model, st: DenseState, xr: usize, n: i32, acc: usize): void {
  const N = st.N, K = st.K;
  const rs = <usize>K;
  const n4 = n & ~3;
  const xs = st.xpk, panel = st.panel, lut = st.lut;
  for (let r = 0; r < n4; r += 4) cb4_pack_x4_split(xr + <usize>r * rs, K, xs + <usize>r * rs);
  for (let r = n4; r < n; r++) cb4_split_row(xr + <usize>r * rs, K, xs + <usize>r * rs);
  const rowBytes = <usize>((K + 1) >> 1);
  const data = tDataPtr(m, st.wt);
  if (n4 == 0) {
    // 1-3 rows: the panel in the packed layout (blocks of 4 rows, then plain rows), read by the
    // packed GEMV that dense weights use at batch 1
    for (let nb = 0; nb < N; nb += CB4_PANEL_N) {
      const cnt = min(CB4_PANEL_N, N - nb);
      const c4 = cnt & ~3;
      for (let i = 0; i < c4; i += 4) cb4_decode_split_block4(data + <usize>(nb + i) * rowBytes, rowBytes, K, lut, panel + <usize>i * rs);
      for (let i = c4; i < cnt; i++) cb4_decode_split(data + <usize>(nb + i) * rowBytes, K, lut, panel + <usize>i * rs);
      for (let r = 0; r < n; r++) i8_gemv_1x4c8_packed(xs + <usize>r * rs, panel, K, cnt, acc + (<usize>(r * N + nb) << 2));
    }
    return;
  }
  for (let nb = 0; nb < N; nb += CB4_PANEL_N) {
    const cnt = min(CB4_PANEL_N, N - nb);
    for (let i = 0; i < cnt; i++) cb4_decode_split(data + <usize>(nb + i) * rowBytes, K, lut, panel + <usize>i * rs);
    let r = 0;
    for (; r < n4; r += 4) i8_gemm_4x2c32_panel(xs + <usize>r * rs, panel, K, cnt, acc + (<usize>(r * N + nb) << 2), N);
    for (; r < n; r++) i8_gemv_1x8c8(xs + <usize>r * rs, panel, K, cnt, acc + (<usize>(r * N + nb) << 2));
  }
}

/** Raw int8 products for `n` rows (1..st.mr) of x into acc ([n][N]); kernel choice by weight layout. */
function accumulate(m: Model, st: DenseState, xr: usize, n: i32, acc: usize): void {
  const N = st.N, K = st.K;
  if (st.kernel == KERNEL_PAIR) {
    accumulatePairs(m, st, xr, n, acc);
    return;
  }
  if (st.kernel == KERNEL_PANEL) {
    accumulatePanels(m, st, xr, n, acc);
    return;
  }
  if (st.kernel == KERNEL_CB4) {
    accumulateCb4(m, st, xr, n, acc);
    return;
  }
  if (st.kernel == KERNEL_CSR) {
    if (n < SPMV_MAX_ROWS) {
      for (let r = 0; r < n; r++) {
        i8_spmv_widen(xr + <usize>r * <usize>K, K, st.xt); // st.xt (K x 32 bytes) is free between calls of the batch kernel
        i8_spmv_1x8(st.xt, st.rowPtr, st.cols, st.vals, N, acc + (<usize>(r * N) << 2));
      }
      return;
    }
    if (<i64>n * <i64>N * <i64>K < SPARSE_WORK * st.nnz) { accumulatePanels(m, st, xr, n, acc); return; } // too few rows to pay for the sparse kernel
    i8_pack_xt32(xr, K, n, st.xt);
    for (let nb = 0; nb < N; nb += SPARSE_NB) {
      const cnt = min(SPARSE_NB, N - nb);
      i8_spmm_32x2(st.xt, st.rowPtr + (<usize>nb << 2), st.cols, st.vals, cnt, st.wsum + (<usize>nb << 2), st.accT);
      i8_spmm_unpack32(st.accT, cnt, n, acc + (<usize>nb << 2), N);
    }
    return;
  }
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (st.kernel == KERNEL_RELAXED7) {
      if (n == MR) {
        i8_pack_x4(xr, K, 16, st.xpk);
        i8_gemm_4x2c16_relaxed(st.xpk, st.w, K, N, acc, N);
      } else {
        for (let r = 0; r < n; r++) i8_gemv_1x4c16_relaxed(xr + <usize>r * <usize>K, st.w, K, N, acc + (<usize>(r * N) << 2));
      }
      // the row shifts are undone by correct(): sum x*w = sum x*u + wmin[n] * sum x
      return;
    }
  }
  if (st.packed != 0) {
    if (n == MR) {
      i8_pack_x4(xr, K, 8, st.xpk);
      i8_gemm_4x2c8_packed(st.xpk, st.w, K, N, acc, N);
    } else {
      for (let r = 0; r < n; r++) i8_gemv_1x4c8_packed(xr + <usize>r * <usize>K, st.w, K, N, acc + (<usize>(r * N) << 2));
    }
    return;
  }
  if (n == MR) { i8_gemm_4x2c8(xr, st.w, K, N, acc, N); return; }
  for (let r = 0; r < n; r++) i8_gemv_1x8c8(xr + <usize>r * <usize>K, st.w, K, N, acc + (<usize>(r * N) << 2));
}

/** KERNEL_PAIR: the pair table of `n` rows, then K tiles x PAIR_NB outputs through the pair kernel. */
function accumulatePairs(m: Model, st: DenseState, xr: usize, n: i32, acc: usize): void {
  const N = st.N, K = st.K, G = K >> 2;
  const vals = tDataPtr(m, st.wt);
  if (n < PAIR_MIN_ROWS) {
    // a pair-table block of 4 rows would waste lanes: gather the kept activations per row instead
    for (let r = 0; r < n; r++) i8_nm24_gemv_1x1(xr + <usize>r * <usize>K, vals, tAuxPtr(m, st.wt), K, N, acc + (<usize>(r * N) << 2));
    return;
  }
  const blocks = (n + 3) >> 2;
  i8_pairgemm_pack(xr, K, n, st.pairs);
  for (let nb = 0; nb < N; nb += PAIR_NB) {
    const cnt = min(PAIR_NB, N - nb);
    for (let g0 = 0; g0 < G; g0 += PAIR_KG) {
      const g1 = min(G, g0 + PAIR_KG);
      // up to 8 row blocks per kernel call (the kernel has a variant for each count)
      for (let j = 0; j < blocks;) {
        const left = blocks - j;
        const nbk = min(left, 8);
        i8_pairgemm_32x1(nbk, st.pairs + (<usize>j << 4), vals, tAuxPtr(m, st.wt), K, g0, g1, nb, cnt, st.accT + (<usize>j << 4), g0 == 0);
        j += nbk;
      }
    }
    i8_spmm_unpack32(st.accT, cnt, n, acc + (<usize>nb << 2), N); // the same [N][32] accumulator layout
  }
}

export function runDense(m: Model, o: u32, batch: i32): void {
  const st = changetype<DenseState>(opState(m, o));
  const x = opIn(m, o, 0), w = opIn(m, o, 1), y = opOut(m, o, 0);
  const N = st.N, K = st.K;
  const rows = st.rows * batch;
  const xp = tptr(m, x), yp = tptr(m, y);
  if (st.path == PATH_F32) {
    for (let r = 0; r < rows; r++) {
      const yr = yp + (<usize>r * <usize>N << 2);
      f32_gemv_1x4(xp + (<usize>r * <usize>K << 2), st.w, K, N, yr);
      finishRowF32(st, yr);
    }
    return;
  }
  const zw = tZeroPoint(m, w);
  if (st.path == PATH_DYNAMIC) {
    const scales = memory.data(MAX_MR * 4), zps = memory.data(MAX_MR * 4);
    for (let r0 = 0; r0 < rows; r0 += st.mr) {
      const n = min(st.mr, rows - r0);
      for (let i = 0; i < n; i++)
        store<f32>(scales + (<usize>i << 2), quantizeDynamicRow(xp + (<usize>(r0 + i) * <usize>K << 2), K, st.xq + <usize>i * <usize>K, zps + (<usize>i << 2)));
      accumulate(m, st, st.xq, n, st.acc);
      for (let i = 0; i < n; i++) {
        const accr = st.acc + (<usize>(i * N) << 2);
        correct(st, accr, st.xq + <usize>i * <usize>K, load<i32>(zps + (<usize>i << 2)), 0);
        const scale = load<f32>(scales + (<usize>i << 2));
        const yr = yp + (<usize>(r0 + i) * <usize>N << 2);
        // bias is f32 here: added after dequantization, not by correct()
        for (let j = 0; j < N; j++) {
          const a = load<i32>(accr + (<usize>j << 2));
          store<f32>(yr + (<usize>j << 2), <f32>a * (scale * load<f32>(st.deq + (<usize>j << 2))));
        }
        finishRowF32(st, yr);
      }
    }
    return;
  }
  const zx = tZeroPoint(m, x);
  const outType = st.outType;
  const zy = outType == DType.I8 ? tZeroPoint(m, y) : 0;
  for (let r0 = 0; r0 < rows; r0 += st.mr) {
    const cnt = min(st.mr, rows - r0);
    // int32 output: the kernels write the output rows directly (no copy)
    const acc = outType == DType.I32 ? yp + (<usize>r0 * <usize>N << 2) : st.acc;
    accumulate(m, st, xp + <usize>r0 * <usize>K, cnt, acc);
    for (let i = 0; i < cnt; i++) {
      const r = r0 + i;
      const xr = xp + <usize>r * <usize>K;
      const accr = acc + (<usize>(i * N) << 2);
      correct(st, accr, xr, zx, zw);
      if (outType == DType.I32) {
        // already in place
      } else if (outType == DType.F32) {
        const yr = yp + (<usize>r * <usize>N << 2);
        for (let n = 0; n < N; n++) {
          const v = <f32>load<i32>(accr + (<usize>n << 2)) * load<f32>(st.deq + (<usize>n << 2));
          store<f32>(yr + (<usize>n << 2), applyActF32(v, st.act));
        }
      } else {
        const yr = yp + <usize>r * <usize>N;
        const lo = st.lo, hi = st.hi;
        for (let n = 0; n < N; n++) {
          const mp = st.mult + (<usize>n << 3);
          let v = mulShiftRound(load<i32>(accr + (<usize>n << 2)), load<i32>(mp), load<i32>(mp, 4)) + zy;
          v = v < lo ? lo : v > hi ? hi : v;
          store<i8>(yr + <usize>n, <i8>v);
        }
      }
    }
  }
}

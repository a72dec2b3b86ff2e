// The training kernels' ABI (docs/abi.md, "Training kernels"): f32 buffers the host placed in
// linear memory, described by sizes or by a ConvDesc / PoolDesc record. Every entry validates its
// shapes and that each buffer lies inside memory before a kernel touches it. Gradient outputs are
// added to (the host zeroes them); forward outputs are overwritten.
import { ErrorCode, Format } from "../format/spec";
import { alloc, free } from "../runtime/alloc";
import { clearError, fail } from "../runtime/errors";
import { ConvDesc, PoolDesc, cd, pd } from "./desc";
import { f32_conv2d_backward_input, f32_conv2d_backward_weights, f32_conv2d_forward } from "./f32-conv2d-im2col-4x8-simd128";
import { f32_matmul_4x8 } from "./f32-matmul-4x8-simd128";
import { f32_avgpool_nhwc, f32_maxpool_backward_nhwc, f32_maxpool_nhwc } from "./f32-pool-nhwc";
import { f32_transpose_4x4 } from "./f32-transpose-4x4-scalar";
import { f32_bias_add, f32_bias_grad, f32_relu, f32_relu_backward } from "./f32-relu-simd128";

/** A buffer of `elems` 4-byte values at p lies inside memory (p = 0 only when optional). */
function inMem(p: usize, elems: i64, optional: bool = false): bool {
  if (p == 0) return optional;
  return (p & 3) == 0 && <u64>p + <u64>elems * 4 <= (<u64>memory.size() << 16);
}

function sizeOk(n: i64): bool { return n > 0 && n <= <i64>Format.MaxElements; }

const BAD_BUF = "training buffer outside memory or misaligned";

export function edgeq_train_matmul(transA: i32, transB: i32, M: i32, N: i32, K: i32, a: usize, b: usize, c: usize, accumulate: i32): i32 {
  clearError();
  if (M < 1 || N < 1 || K < 1 || !sizeOk(<i64>M * K) || !sizeOk(<i64>K * N) || !sizeOk(<i64>M * N)) return fail(ErrorCode.BadShape, "matmul sizes must be positive and at most 2^28 elements");
  if (!inMem(a, <i64>M * K) || !inMem(b, <i64>K * N) || !inMem(c, <i64>M * N)) return fail(ErrorCode.BadArgument, BAD_BUF);
  // A transposed B is copied to [K, ldb] with ldb = N rounded up to 8 (zero padding), which also
  // lets the matmul finish rows with whole vectors.
  let bb = b, ldb = N;
  if (transB) {
    ldb = (N + 7) & ~7;
    bb = alloc(<usize>K * ldb << 2);
    if (bb == 0) return fail(ErrorCode.OutOfMemory, "no scratch for the transposed operand");
    if (ldb != N) memory.fill(bb, 0, <usize>K * ldb << 2);
    f32_transpose_4x4(b, N, K, bb, ldb);
  }
  if (transA) f32_matmul_4x8(M, N, K, a, 1, M, bb, ldb, c, N, accumulate != 0, transB != 0);
  else f32_matmul_4x8(M, N, K, a, K, 1, bb, ldb, c, N, accumulate != 0, transB != 0);
  if (transB) free(bb);
  return 0;
}

function checkConv(d: usize): i32 {
  if (!inMem(d, ConvDesc.Count)) return fail(ErrorCode.BadArgument, "conv descriptor outside memory");
  for (let f = 0; f < ConvDesc.Count; f++) {
    const v = cd(d, f);
    if (f == ConvDesc.PT || f == ConvDesc.PL ? v < 0 : v < 1) return fail(ErrorCode.BadShape, "conv descriptor field out of range");
  }
  const G = cd(d, ConvDesc.Groups);
  if (cd(d, ConvDesc.C) % G != 0 || cd(d, ConvDesc.Cout) % G != 0) return fail(ErrorCode.BadShape, "conv channels not divisible by groups");
  if (!sizeOk(<i64>cd(d, ConvDesc.B) * cd(d, ConvDesc.H) * cd(d, ConvDesc.W) * cd(d, ConvDesc.C))
    || !sizeOk(<i64>cd(d, ConvDesc.B) * cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW) * cd(d, ConvDesc.Cout))
    || !sizeOk(<i64>cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW) * cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / G))
    || !sizeOk(<i64>cd(d, ConvDesc.Cout) * cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * cd(d, ConvDesc.C)))
    return fail(ErrorCode.Overflow, "conv sizes exceed 2^28 elements");
  return 0;
}

@inline function xElems(d: usize): i64 { return <i64>cd(d, ConvDesc.B) * cd(d, ConvDesc.H) * cd(d, ConvDesc.W) * cd(d, ConvDesc.C); }
@inline function yElems(d: usize): i64 { return <i64>cd(d, ConvDesc.B) * cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW) * cd(d, ConvDesc.Cout); }
@inline function wElems(d: usize): i64 { return <i64>cd(d, ConvDesc.Cout) * cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / cd(d, ConvDesc.Groups)); }

const NO_SCRATCH = "no scratch memory for the convolution patches";

export function edgeq_train_conv2d_forward(d: usize, x: usize, w: usize, bias: usize, y: usize): i32 {
  clearError();
  const e = checkConv(d);
  if (e < 0) return e;
  if (!inMem(x, xElems(d)) || !inMem(w, wElems(d)) || !inMem(bias, cd(d, ConvDesc.Cout), true) || !inMem(y, yElems(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  return f32_conv2d_forward(d, x, w, bias, y) ? 0 : fail(ErrorCode.OutOfMemory, NO_SCRATCH);
}

export function edgeq_train_conv2d_backward_input(d: usize, dy: usize, w: usize, dx: usize): i32 {
  clearError();
  const e = checkConv(d);
  if (e < 0) return e;
  if (!inMem(dy, yElems(d)) || !inMem(w, wElems(d)) || !inMem(dx, xElems(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  return f32_conv2d_backward_input(d, dy, w, dx) ? 0 : fail(ErrorCode.OutOfMemory, NO_SCRATCH);
}

export function edgeq_train_conv2d_backward_weights(d: usize, x: usize, dy: usize, dw: usize, db: usize): i32 {
  clearError();
  const e = checkConv(d);
  if (e < 0) return e;
  if (!inMem(x, xElems(d)) || !inMem(dy, yElems(d)) || !inMem(dw, wElems(d)) || !inMem(db, cd(d, ConvDesc.Cout), true)) return fail(ErrorCode.BadArgument, BAD_BUF);
  return f32_conv2d_backward_weights(d, x, dy, dw, db) ? 0 : fail(ErrorCode.OutOfMemory, NO_SCRATCH);
}

function checkPool(d: usize): i32 {
  if (!inMem(d, PoolDesc.Count)) return fail(ErrorCode.BadArgument, "pool descriptor outside memory");
  for (let f = 0; f < PoolDesc.CountIncludePad; f++) {
    const v = pd(d, f);
    if (f == PoolDesc.PT || f == PoolDesc.PL ? v < 0 : v < 1) return fail(ErrorCode.BadShape, "pool descriptor field out of range");
  }
  if (!sizeOk(<i64>pd(d, PoolDesc.B) * pd(d, PoolDesc.H) * pd(d, PoolDesc.W) * pd(d, PoolDesc.C))
    || !sizeOk(<i64>pd(d, PoolDesc.B) * pd(d, PoolDesc.OH) * pd(d, PoolDesc.OW) * pd(d, PoolDesc.C)))
    return fail(ErrorCode.Overflow, "pool sizes exceed 2^28 elements");
  return 0;
}

@inline function pIn(d: usize): i64 { return <i64>pd(d, PoolDesc.B) * pd(d, PoolDesc.H) * pd(d, PoolDesc.W) * pd(d, PoolDesc.C); }
@inline function pOut(d: usize): i64 { return <i64>pd(d, PoolDesc.B) * pd(d, PoolDesc.OH) * pd(d, PoolDesc.OW) * pd(d, PoolDesc.C); }

export function edgeq_train_maxpool_forward(d: usize, x: usize, y: usize, argmax: usize): i32 {
  clearError();
  const e = checkPool(d);
  if (e < 0) return e;
  if (!inMem(x, pIn(d)) || !inMem(y, pOut(d)) || !inMem(argmax, pOut(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_maxpool_nhwc(d, x, y, argmax);
  return 0;
}

export function edgeq_train_maxpool_backward(d: usize, dy: usize, argmax: usize, dx: usize): i32 {
  clearError();
  const e = checkPool(d);
  if (e < 0) return e;
  if (!inMem(dy, pOut(d)) || !inMem(argmax, pOut(d)) || !inMem(dx, pIn(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_maxpool_backward_nhwc(<i32>pOut(d), dy, argmax, <i32>pIn(d), dx);
  return 0;
}

export function edgeq_train_avgpool_forward(d: usize, x: usize, y: usize): i32 {
  clearError();
  const e = checkPool(d);
  if (e < 0) return e;
  if (!inMem(x, pIn(d)) || !inMem(y, pOut(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_avgpool_nhwc(d, x, y, false);
  return 0;
}

export function edgeq_train_avgpool_backward(d: usize, dy: usize, dx: usize): i32 {
  clearError();
  const e = checkPool(d);
  if (e < 0) return e;
  if (!inMem(dy, pOut(d)) || !inMem(dx, pIn(d))) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_avgpool_nhwc(d, dy, dx, true);
  return 0;
}

export function edgeq_train_relu(x: usize, y: usize, n: i32, hi: f32): i32 {
  clearError();
  if (n < 1 || !sizeOk(n) || !(hi >= 0)) return fail(ErrorCode.BadShape, "relu: size must be positive, upper clip >= 0");
  if (!inMem(x, n) || !inMem(y, n)) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_relu(x, y, n, hi);
  return 0;
}

export function edgeq_train_relu_backward(x: usize, dy: usize, dx: usize, n: i32, hi: f32): i32 {
  clearError();
  if (n < 1 || !sizeOk(n) || !(hi >= 0)) return fail(ErrorCode.BadShape, "relu: size must be positive, upper clip >= 0");
  if (!inMem(x, n) || !inMem(dy, n) || !inMem(dx, n)) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_relu_backward(x, dy, dx, n, hi);
  return 0;
}

export function edgeq_train_bias_add(y: usize, bias: usize, rows: i32, n: i32): i32 {
  clearError();
  if (rows < 1 || n < 1 || !sizeOk(<i64>rows * n)) return fail(ErrorCode.BadShape, "bias: sizes must be positive");
  if (!inMem(y, <i64>rows * n) || !inMem(bias, n)) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_bias_add(y, bias, rows, n);
  return 0;
}

export function edgeq_train_bias_grad(dy: usize, rows: i32, n: i32, db: usize): i32 {
  clearError();
  if (rows < 1 || n < 1 || !sizeOk(<i64>rows * n)) return fail(ErrorCode.BadShape, "bias: sizes must be positive");
  if (!inMem(dy, <i64>rows * n) || !inMem(db, n)) return fail(ErrorCode.BadArgument, BAD_BUF);
  f32_bias_grad(dy, rows, n, db);
  return 0;
}

// int8 GEMM microkernel, 4 rows x 2 outputs per step, K consumed 8 at a time:
// acc[r][n] = sum_k x[r][k] * w[n][k] for 4 rows of x at once, so every weight load feeds four
// dot products. Same exact widening as the GEMV (v128.load8x8_s + i32x4.dot_i16x8_s); 8
// accumulators + 4 activations + 2 weights fit the 16 x64 vector registers without spills.
// Raw products only; the caller applies zero points, bias and requantization.
import { dotTailI8, hsum } from "./i8-reduce";

/**
 * x: 4 rows with stride K; w: row-major [N][K]; acc: 4 rows of N i32 with stride ldc elements.
 * Rows past the fourth are the caller's (the GEMV handles leftovers).
 */
export function i8_gemm_4x2c8(x: usize, w: usize, K: i32, N: i32, acc: usize, ldc: i32): void {
  const K8 = K & ~7;
  const xs = <usize>K;
  const x0 = x, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
  const as = <usize>ldc << 2;
  let n = 0;
  for (; n + 2 <= N; n += 2) {
    const w0 = w + <usize>n * xs;
    const w1 = w0 + xs;
    let a00 = i32x4.splat(0), a01 = i32x4.splat(0);
    let a10 = i32x4.splat(0), a11 = i32x4.splat(0);
    let a20 = i32x4.splat(0), a21 = i32x4.splat(0);
    let a30 = i32x4.splat(0), a31 = i32x4.splat(0);
    for (let k = 0; k < K8; k += 8) {
      const o = <usize>k;
      const v0 = v128.load8x8_s(w0 + o);
      const v1 = v128.load8x8_s(w1 + o);
      const u0 = v128.load8x8_s(x0 + o);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u0, v0));
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u0, v1));
      const u1 = v128.load8x8_s(x1 + o);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u1, v0));
      a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u1, v1));
      const u2 = v128.load8x8_s(x2 + o);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u2, v0));
      a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u2, v1));
      const u3 = v128.load8x8_s(x3 + o);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u3, v0));
      a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u3, v1));
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a00) + dotTailI8(x0 + <usize>K8, w0 + <usize>K8, K - K8));
    store<i32>(p, hsum(a01) + dotTailI8(x0 + <usize>K8, w1 + <usize>K8, K - K8), 4);
    store<i32>(p + as, hsum(a10) + dotTailI8(x1 + <usize>K8, w0 + <usize>K8, K - K8));
    store<i32>(p + as, hsum(a11) + dotTailI8(x1 + <usize>K8, w1 + <usize>K8, K - K8), 4);
    store<i32>(p + 2 * as, hsum(a20) + dotTailI8(x2 + <usize>K8, w0 + <usize>K8, K - K8));
    store<i32>(p + 2 * as, hsum(a21) + dotTailI8(x2 + <usize>K8, w1 + <usize>K8, K - K8), 4);
    store<i32>(p + 3 * as, hsum(a30) + dotTailI8(x3 + <usize>K8, w0 + <usize>K8, K - K8));
    store<i32>(p + 3 * as, hsum(a31) + dotTailI8(x3 + <usize>K8, w1 + <usize>K8, K - K8), 4);
  }
  for (; n < N; n++) {
    const wr = w + <usize>n * xs;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    for (let k = 0; k < K8; k += 8) {
      const o = <usize>k;
      const v = v128.load8x8_s(wr + o);
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(v128.load8x8_s(x0 + o), v));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(v128.load8x8_s(x1 + o), v));
      b2 = i32x4.add(b2, i32x4.dot_i16x8_s(v128.load8x8_s(x2 + o), v));
      b3 = i32x4.add(b3, i32x4.dot_i16x8_s(v128.load8x8_s(x3 + o), v));
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(b0) + dotTailI8(x0 + <usize>K8, wr + <usize>K8, K - K8));
    store<i32>(p + as, hsum(b1) + dotTailI8(x1 + <usize>K8, wr + <usize>K8, K - K8));
    store<i32>(p + 2 * as, hsum(b2) + dotTailI8(x2 + <usize>K8, wr + <usize>K8, K - K8));
    store<i32>(p + 3 * as, hsum(b3) + dotTailI8(x3 + <usize>K8, wr + <usize>K8, K - K8));
  }
}

// int8 GEMV, 1 row x 8 outputs per step, K consumed 8 at a time: acc[n] = sum_k x[k] * w[n][k].
// Raw products only; zero points, bias and requantization are the caller's (see ops/dense.ts).
// v128.load8x8_s loads and sign-extends 8 int8 to i16 in one instruction, so i32x4.dot_i16x8_s
// stays exact for the full int8 range without separate widening shuffles. Eight independent
// accumulators hide the dot latency and share one activation load.
import { dotTailI8, hsum } from "./i8-reduce";

/** w is row-major [N][K] (row stride K); acc receives N i32 values. */
export function i8_gemv_1x8c8(x: usize, w: usize, K: i32, N: i32, acc: usize): void {
  const K8 = K & ~7;
  const stride = <usize>K;
  let n = 0;
  for (; n + 8 <= N; n += 8) {
    const w0 = w + <usize>n * stride;
    const w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
    const w4 = w3 + stride, w5 = w4 + stride, w6 = w5 + stride, w7 = w6 + stride;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
    for (let k = 0; k < K8; k += 8) {
      const o = <usize>k;
      const xv = v128.load8x8_s(x + o);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w0 + o)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w1 + o)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w2 + o)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w3 + o)));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w4 + o)));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w5 + o)));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w6 + o)));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(xv, v128.load8x8_s(w7 + o)));
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a0) + dotTailI8(x + <usize>K8, w0 + <usize>K8, K - K8));
    store<i32>(p, hsum(a1) + dotTailI8(x + <usize>K8, w1 + <usize>K8, K - K8), 4);
    store<i32>(p, hsum(a2) + dotTailI8(x + <usize>K8, w2 + <usize>K8, K - K8), 8);
    store<i32>(p, hsum(a3) + dotTailI8(x + <usize>K8, w3 + <usize>K8, K - K8), 12);
    store<i32>(p, hsum(a4) + dotTailI8(x + <usize>K8, w4 + <usize>K8, K - K8), 16);
    store<i32>(p, hsum(a5) + dotTailI8(x + <usize>K8, w5 + <usize>K8, K - K8), 20);
    store<i32>(p, hsum(a6) + dotTailI8(x + <usize>K8, w6 + <usize>K8, K - K8), 24);
    store<i32>(p, hsum(a7) + dotTailI8(x + <usize>K8, w7 + <usize>K8, K - K8), 28);
  }
  for (; n < N; n++) {
    const wr = w + <usize>n * stride;
    let a = i32x4.splat(0);
    for (let k = 0; k < K8; k += 8) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load8x8_s(x + <usize>k), v128.load8x8_s(wr + <usize>k)));
    store<i32>(acc + (<usize>n << 2), hsum(a) + dotTailI8(x + <usize>K8, wr + <usize>K8, K - K8));
  }
}

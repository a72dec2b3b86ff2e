// int8 GEMV, 1 row x 4 outputs per step, K consumed 16 at a time: acc[n] = sum_k x[k] * w[n][k].
// Raw products only; zero points, bias and requantization are the caller's (see ops/dense.ts).
// Widening to i16 keeps i32x4.dot_i16x8_s exact for the full int8 range.

@inline function dot16(a: v128, xl: v128, xh: v128, wv: v128): v128 {
  return i32x4.add(a, i32x4.add(
    i32x4.dot_i16x8_s(xl, i16x8.extend_low_i8x16_s(wv)),
    i32x4.dot_i16x8_s(xh, i16x8.extend_high_i8x16_s(wv))));
}

@inline function hsum(a: v128): i32 {
  return i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
}

function tail(x: usize, w: usize, from: i32, K: i32): i32 {
  let s: i32 = 0;
  for (let k = from; k < K; k++) s += <i32>load<i8>(x + <usize>k) * <i32>load<i8>(w + <usize>k);
  return s;
}

/** w is row-major [N][K] (row stride K); acc receives N i32 values. */
export function i8_gemv_1x4c16(x: usize, w: usize, K: i32, N: i32, acc: usize): void {
  const K16 = K & ~15;
  const stride = <usize>K;
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const w0 = w + <usize>n * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const xv = v128.load(x + <usize>k);
      const xl = i16x8.extend_low_i8x16_s(xv);
      const xh = i16x8.extend_high_i8x16_s(xv);
      a0 = dot16(a0, xl, xh, v128.load(w0 + <usize>k));
      a1 = dot16(a1, xl, xh, v128.load(w1 + <usize>k));
      a2 = dot16(a2, xl, xh, v128.load(w2 + <usize>k));
      a3 = dot16(a3, xl, xh, v128.load(w3 + <usize>k));
    }
    const o = acc + (<usize>n << 2);
    store<i32>(o, hsum(a0) + tail(x, w0, K16, K));
    store<i32>(o, hsum(a1) + tail(x, w1, K16, K), 4);
    store<i32>(o, hsum(a2) + tail(x, w2, K16, K), 8);
    store<i32>(o, hsum(a3) + tail(x, w3, K16, K), 12);
  }
  for (; n < N; n++) {
    const wr = w + <usize>n * stride;
    let a = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const xv = v128.load(x + <usize>k);
      a = dot16(a, i16x8.extend_low_i8x16_s(xv), i16x8.extend_high_i8x16_s(xv), v128.load(wr + <usize>k));
    }
    store<i32>(acc + (<usize>n << 2), hsum(a) + tail(x, wr, K16, K));
  }
}

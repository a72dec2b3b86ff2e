// Relaxed-SIMD int8 GEMM/GEMV over weights shifted into 0..127 ("7-bit" weights).
//
// i32x4.relaxed_dot_i8x16_i7x16_add_s is exact only while its second operand stays in 0..127
// (x64 lowers it to pmaddubsw, which treats that operand as unsigned and saturates pairs at
// int16: 2 * 128 * 127 < 32767 keeps it exact). Weights whose values span at most 128
// consecutive integers [c, c + 127] are stored once at load as u = w - c in 0..127, and the
// caller adds c * sum_k x[k] back, so the result is bit-identical to the SIMD128 kernels.
// Per 16 multiply-adds this is one instruction sequence (pmaddubsw, pmaddwd, paddd) instead of
// two widening loads, two dots and two adds. Only compiled into the relaxed build.

@inline function hsum(a: v128): i32 {
  return (i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1)) + (i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3));
}

function tail(x: usize, u: usize, from: i32, K: i32): i32 {
  let s: i32 = 0;
  for (let k = from; k < K; k++) s += <i32>load<i8>(x + <usize>k) * <i32>load<u8>(u + <usize>k);
  return s;
}

@inline function rdot(x: v128, u: v128, acc: v128): v128 {
  return i32x4.relaxed_dot_i8x16_i7x16_add_s(x, u, acc);
}

/** acc[n] = sum_k x[k] * u[n][k] for one row; u row-major [N][K] in 0..127. */
export function i8_gemv_1x8c16_relaxed(x: usize, u: usize, K: i32, N: i32, acc: usize): void {
  const K16 = K & ~15;
  const st = <usize>K;
  let n = 0;
  for (; n + 8 <= N; n += 8) {
    const w0 = u + <usize>n * st;
    const w1 = w0 + st, w2 = w1 + st, w3 = w2 + st, w4 = w3 + st, w5 = w4 + st, w6 = w5 + st, w7 = w6 + st;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const o = <usize>k;
      const xv = v128.load(x + o);
      a0 = rdot(xv, v128.load(w0 + o), a0);
      a1 = rdot(xv, v128.load(w1 + o), a1);
      a2 = rdot(xv, v128.load(w2 + o), a2);
      a3 = rdot(xv, v128.load(w3 + o), a3);
      a4 = rdot(xv, v128.load(w4 + o), a4);
      a5 = rdot(xv, v128.load(w5 + o), a5);
      a6 = rdot(xv, v128.load(w6 + o), a6);
      a7 = rdot(xv, v128.load(w7 + o), a7);
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a0) + tail(x, w0, K16, K));
    store<i32>(p, hsum(a1) + tail(x, w1, K16, K), 4);
    store<i32>(p, hsum(a2) + tail(x, w2, K16, K), 8);
    store<i32>(p, hsum(a3) + tail(x, w3, K16, K), 12);
    store<i32>(p, hsum(a4) + tail(x, w4, K16, K), 16);
    store<i32>(p, hsum(a5) + tail(x, w5, K16, K), 20);
    store<i32>(p, hsum(a6) + tail(x, w6, K16, K), 24);
    store<i32>(p, hsum(a7) + tail(x, w7, K16, K), 28);
  }
  for (; n < N; n++) {
    const wr = u + <usize>n * st;
    let a = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) a = rdot(v128.load(x + <usize>k), v128.load(wr + <usize>k), a);
    store<i32>(acc + (<usize>n << 2), hsum(a) + tail(x, wr, K16, K));
  }
}

/** 4 rows of x (stride K) times u [N][K] in 0..127 -> acc [4][N]. */
export function i8_gemm_4x2c16_relaxed(x: usize, u: usize, K: i32, N: i32, acc: usize): void {
  const K16 = K & ~15;
  const xs = <usize>K;
  const x0 = x, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
  const as = <usize>N << 2;
  let n = 0;
  for (; n + 2 <= N; n += 2) {
    const w0 = u + <usize>n * xs;
    const w1 = w0 + xs;
    let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a10 = i32x4.splat(0), a11 = i32x4.splat(0);
    let a20 = i32x4.splat(0), a21 = i32x4.splat(0), a30 = i32x4.splat(0), a31 = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const o = <usize>k;
      const v0 = v128.load(w0 + o), v1 = v128.load(w1 + o);
      const u0 = v128.load(x0 + o);
      a00 = rdot(u0, v0, a00);
      a01 = rdot(u0, v1, a01);
      const u1 = v128.load(x1 + o);
      a10 = rdot(u1, v0, a10);
      a11 = rdot(u1, v1, a11);
      const u2 = v128.load(x2 + o);
      a20 = rdot(u2, v0, a20);
      a21 = rdot(u2, v1, a21);
      const u3 = v128.load(x3 + o);
      a30 = rdot(u3, v0, a30);
      a31 = rdot(u3, v1, a31);
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a00) + tail(x0, w0, K16, K));
    store<i32>(p, hsum(a01) + tail(x0, w1, K16, K), 4);
    store<i32>(p + as, hsum(a10) + tail(x1, w0, K16, K));
    store<i32>(p + as, hsum(a11) + tail(x1, w1, K16, K), 4);
    store<i32>(p + 2 * as, hsum(a20) + tail(x2, w0, K16, K));
    store<i32>(p + 2 * as, hsum(a21) + tail(x2, w1, K16, K), 4);
    store<i32>(p + 3 * as, hsum(a30) + tail(x3, w0, K16, K));
    store<i32>(p + 3 * as, hsum(a31) + tail(x3, w1, K16, K), 4);
  }
  for (; n < N; n++) {
    const wr = u + <usize>n * xs;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    for (let k = 0; k < K16; k += 16) {
      const o = <usize>k;
      const v = v128.load(wr + o);
      b0 = rdot(v128.load(x0 + o), v, b0);
      b1 = rdot(v128.load(x1 + o), v, b1);
      b2 = rdot(v128.load(x2 + o), v, b2);
      b3 = rdot(v128.load(x3 + o), v, b3);
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(b0) + tail(x0, wr, K16, K));
    store<i32>(p + as, hsum(b1) + tail(x1, wr, K16, K));
    store<i32>(p + 2 * as, hsum(b2) + tail(x2, wr, K16, K));
    store<i32>(p + 3 * as, hsum(b3) + tail(x3, wr, K16, K));
  }
}

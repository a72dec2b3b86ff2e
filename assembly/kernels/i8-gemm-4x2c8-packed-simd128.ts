// int8 GEMM over row-interleaved weights, 4 rows x 2 outputs per step, K consumed 8 at a time:
// acc[r][n] = sum_k x[r][k] * w[n][k]. Weights are in the packed layout of ops/weights.ts
// (packRowsInPlace with kc = 8: blocks of 4 rows, [K/8][4][8], then the block's K tail [4][K%8]);
// the 4 activation rows are packed the same way per call (i8_pack_x4: [K/8][4][8], then [4][K%8]),
// so the inner loop reads through two moving pointers with constant offsets that V8 folds into
// the loads. Each weight load feeds 4 dots; 8 accumulators + 2 weights + 1 activation stay in
// registers. Exact widening as the GEMV (v128.load8x8_s + i32x4.dot_i16x8_s). Raw products only.
import { dotTailI8, hsum } from "./i8-reduce";

/**
 * Packs 4 rows of x (row stride K) into dst: [K/kc][4][kc], then the K tail [4][K%kc]; dst holds
 * 4K bytes. kc = 8 for the SIMD128 GEMM, 16 for the relaxed one.
 */
export function i8_pack_x4(x: usize, K: i32, kc: i32, dst: usize): void {
  const Kc = K - K % kc;
  const kt = <usize>(K - Kc);
  const cs = <usize>kc;
  for (let r = 0; r < 4; r++) {
    const src = x + <usize>r * <usize>K;
    let d = dst + <usize>r * cs;
    if (kc == 8) for (let k = 0; k < Kc; k += 8) { store<u64>(d, load<u64>(src + <usize>k)); d += 32; }
    else for (let k = 0; k < Kc; k += 16) { v128.store(d, v128.load(src + <usize>k)); d += 64; }
    memory.copy(dst + (<usize>Kc << 2) + <usize>r * kt, src + <usize>Kc, kt);
  }
}

/** xp: 4 activation rows packed by i8_pack_x4 (kc = 8); w: [N][K] packed with kc = 8; acc: 4 rows of N i32, stride ldc. */
export function i8_gemm_4x2c8_packed(xp: usize, w: usize, K: i32, N: i32, acc: usize, ldc: i32): void {
  const K8 = K & ~7;
  const kt = K - K8;
  const t = <usize>kt;
  const N4 = N & ~3;
  const as = <usize>ldc << 2;
  const xe = xp + (<usize>K8 << 2);
  for (let n = 0; n < N4; n += 2) {
    const block = w + <usize>(n >> 2) * (<usize>K << 2);
    let pw = block + (<usize>(n & 3) << 3);
    let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a10 = i32x4.splat(0), a11 = i32x4.splat(0);
    let a20 = i32x4.splat(0), a21 = i32x4.splat(0), a30 = i32x4.splat(0), a31 = i32x4.splat(0);
    for (let px = xp; px < xe; px += 32) {
      const v0 = v128.load8x8_s(pw), v1 = v128.load8x8_s(pw, 8);
      let u = v128.load8x8_s(px);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u, v0));
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u, v1));
      u = v128.load8x8_s(px, 8);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u, v0));
      a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u, v1));
      u = v128.load8x8_s(px, 16);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u, v0));
      a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u, v1));
      u = v128.load8x8_s(px, 24);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u, v0));
      a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u, v1));
      pw += 32;
    }
    // K tails: the block's rows n, n+1 and the 4 packed activation rows
    const w0 = block + (<usize>K8 << 2) + <usize>(n & 3) * t, w1 = w0 + t;
    const x0 = xe, x1 = x0 + t, x2 = x1 + t, x3 = x2 + t;
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a00) + dotTailI8(x0, w0, kt));
    store<i32>(p, hsum(a01) + dotTailI8(x0, w1, kt), 4);
    store<i32>(p + as, hsum(a10) + dotTailI8(x1, w0, kt));
    store<i32>(p + as, hsum(a11) + dotTailI8(x1, w1, kt), 4);
    store<i32>(p + 2 * as, hsum(a20) + dotTailI8(x2, w0, kt));
    store<i32>(p + 2 * as, hsum(a21) + dotTailI8(x2, w1, kt), 4);
    store<i32>(p + 3 * as, hsum(a30) + dotTailI8(x3, w0, kt));
    store<i32>(p + 3 * as, hsum(a31) + dotTailI8(x3, w1, kt), 4);
  }
  // rows past the last block stay plain [n][K]
  for (let n = N4; n < N; n++) {
    let pw = w + <usize>n * <usize>K;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    for (let px = xp; px < xe; px += 32) {
      const v = v128.load8x8_s(pw);
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(v128.load8x8_s(px), v));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(v128.load8x8_s(px, 8), v));
      b2 = i32x4.add(b2, i32x4.dot_i16x8_s(v128.load8x8_s(px, 16), v));
      b3 = i32x4.add(b3, i32x4.dot_i16x8_s(v128.load8x8_s(px, 24), v));
      pw += 8;
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(b0) + dotTailI8(xe, pw, kt));
    store<i32>(p + as, hsum(b1) + dotTailI8(xe + t, pw, kt));
    store<i32>(p + 2 * as, hsum(b2) + dotTailI8(xe + 2 * t, pw, kt));
    store<i32>(p + 3 * as, hsum(b3) + dotTailI8(xe + 3 * t, pw, kt));
  }
}

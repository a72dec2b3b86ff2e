// Relaxed-SIMD int8 GEMV/GEMM over row-interleaved "7-bit" weights (relaxed build only).
//
// The relaxed int8 dot is exact only while its second operand stays in 0..127 (x64 lowers it to
// pmaddubsw, which treats that operand as unsigned and saturates pairs at int16; 2 * 128 * 127 <
// 32767 keeps it exact). ops/dense.ts stores each weight row whose values span at most 128
// consecutive integers as u = w - min(row) in 0..127 and adds min(row) * sum_k x[k] back, so the
// result is bit-identical to the SIMD128 kernels. The weights are in the packed layout of
// ops/weights.ts with kc = 16 (blocks of 4 rows, [K/16][4][16], then the block's K tail [4][K%16]).
//
// i16x8.relaxed_dot_i8x16_i7x16_s (pmaddubsw) followed by i32x4.dot_i16x8_s against a vector of
// ones held in a register is used instead of i32x4.relaxed_dot_i8x16_i7x16_add_s: V8 11 (Node 20)
// rebuilds the ones vector (pcmpeqd + psrlw) inside every fused relaxed dot, 5 instructions per
// 16 multiply-adds instead of 3. The ones vector is built from a run-time value so that neither
// Binaryen nor V8 turns it back into a constant that is rematerialized at each use.
import { hsum, hsum4 } from "./i8-reduce";

function dotTail(x: usize, u: usize, len: i32): i32 {
  let s: i32 = 0;
  for (let k = 0; k < len; k++) s += <i32>load<i8>(x + <usize>k) * <i32>load<u8>(u + <usize>k);
  return s;
}

/** sum of 16 products x[i] * u[i] folded into acc's 4 lanes; ones: i16x8 of 1. */
@inline function rdot(x: v128, u: v128, ones: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(x, u), ones));
}

/** i16x8 of 1, from a value the compilers cannot see is constant (K >= 1). */
@inline function onesOf(K: i32): v128 {
  return i16x8.splat(<i16>(<i32>(K > 0) | <i32>(K >>> 31)));
}

/**
 * acc[n] = sum_k x[k] * u[n][k] for one row; u packed with kc = 16, in 0..127. 1 row x 4 outputs
 * per step, 32 K per loop iteration: 4 accumulators + 2 activation + 8 weight vectors + ones.
 */
export function i8_gemv_1x4c16_relaxed(x: usize, u: usize, K: i32, N: i32, acc: usize): void {
  const K16 = K & ~15;
  const kt = K - K16;
  const t = <usize>kt;
  const N4 = N & ~3;
  const xe = x + <usize>K16;
  const xe32 = x + <usize>(K & ~31);
  const ones = onesOf(K);
  let p = u;
  for (let n = 0; n < N4; n += 4) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let xp = x;
    for (; xp < xe32; xp += 32) {
      const xl = v128.load(xp), xh = v128.load(xp, 16);
      a0 = rdot(xl, v128.load(p), ones, a0);
      a1 = rdot(xl, v128.load(p, 16), ones, a1);
      a2 = rdot(xl, v128.load(p, 32), ones, a2);
      a3 = rdot(xl, v128.load(p, 48), ones, a3);
      a0 = rdot(xh, v128.load(p, 64), ones, a0);
      a1 = rdot(xh, v128.load(p, 80), ones, a1);
      a2 = rdot(xh, v128.load(p, 96), ones, a2);
      a3 = rdot(xh, v128.load(p, 112), ones, a3);
      p += 128;
    }
    if (xp < xe) { // one chunk of 16 left
      const xl = v128.load(xp);
      a0 = rdot(xl, v128.load(p), ones, a0);
      a1 = rdot(xl, v128.load(p, 16), ones, a1);
      a2 = rdot(xl, v128.load(p, 32), ones, a2);
      a3 = rdot(xl, v128.load(p, 48), ones, a3);
      p += 64;
    }
    const o = acc + (<usize>n << 2);
    v128.store(o, hsum4(a0, a1, a2, a3));
    if (kt != 0) {
      store<i32>(o, load<i32>(o) + dotTail(xe, p, kt));
      store<i32>(o, load<i32>(o, 4) + dotTail(xe, p + t, kt), 4);
      store<i32>(o, load<i32>(o, 8) + dotTail(xe, p + 2 * t, kt), 8);
      store<i32>(o, load<i32>(o, 12) + dotTail(xe, p + 3 * t, kt), 12);
      p += t << 2;
    }
  }
  for (let n = N4; n < N; n++) {
    let a = i32x4.splat(0);
    let wp = u + <usize>n * <usize>K;
    for (let xp = x; xp < xe; xp += 16) {
      a = rdot(v128.load(xp), v128.load(wp), ones, a);
      wp += 16;
    }
    store<i32>(acc + (<usize>n << 2), hsum(a) + dotTail(xe, wp, kt));
  }
}

/**
 * xp: 4 activation rows packed by i8_pack_x4 (kc = 16); u: packed with kc = 16 [N][K] in 0..127
 * -> acc [4][N] (stride ldc). Per pair of outputs, two 2x2 tiles (activation rows 0-1, then 2-3;
 * the weight pair stays in L1 between them) with 32 K per iteration: 4 accumulators + 4
 * activation + 4 weight vectors + ones fit the registers. A 4x2 tile needs one register more
 * than x64 has (V8 issues all of an iteration's loads first), and the spill or a memory operand
 * for ones cost about 15 %.
 */
export function i8_gemm_4x2c16_relaxed(xp: usize, u: usize, K: i32, N: i32, acc: usize, ldc: i32): void {
  const K16 = K & ~15;
  const kt = K - K16;
  const t = <usize>kt;
  const N4 = N & ~3;
  const as = <usize>ldc << 2;
  const xe = xp + (<usize>K16 << 2);
  const ones = onesOf(K);
  const xe32 = xp + (<usize>(K & ~31) << 2);
  for (let n = 0; n < N4; n += 2) {
    const block = u + <usize>(n >> 2) * (<usize>K << 2);
    const w0 = block + (<usize>(n & 3) << 4);
    // two 2x2 tiles (activation rows 0-1, then 2-3) over the same weight pair, which stays in L1
    for (let rp = 0; rp < 4; rp += 2) {
      let pw = w0;
      let px = xp + (<usize>rp << 4);
      let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a10 = i32x4.splat(0), a11 = i32x4.splat(0);
      for (; px < xe32; px += 128) {
        const v0 = v128.load(pw), v1 = v128.load(pw, 16), v2 = v128.load(pw, 64), v3 = v128.load(pw, 80);
        const x0 = v128.load(px), x1 = v128.load(px, 16), x2 = v128.load(px, 64), x3 = v128.load(px, 80);
        a00 = rdot(x0, v0, ones, a00);
        a01 = rdot(x0, v1, ones, a01);
        a10 = rdot(x1, v0, ones, a10);
        a11 = rdot(x1, v1, ones, a11);
        a00 = rdot(x2, v2, ones, a00);
        a01 = rdot(x2, v3, ones, a01);
        a10 = rdot(x3, v2, ones, a10);
        a11 = rdot(x3, v3, ones, a11);
        pw += 128;
      }
      if (px < xe) { // one chunk of 16 left
        const v0 = v128.load(pw), v1 = v128.load(pw, 16);
        const x0 = v128.load(px), x1 = v128.load(px, 16);
        a00 = rdot(x0, v0, ones, a00);
        a01 = rdot(x0, v1, ones, a01);
        a10 = rdot(x1, v0, ones, a10);
        a11 = rdot(x1, v1, ones, a11);
      }
      // [row rp: n, n+1 | row rp+1: n, n+1]
      const r = hsum4(a00, a01, a10, a11);
      const p = acc + <usize>rp * as + (<usize>n << 2);
      store<i64>(p, i64x2.extract_lane(r, 0));
      store<i64>(p + as, i64x2.extract_lane(r, 1));
      if (kt != 0) {
        const wt0 = block + (<usize>K16 << 2) + <usize>(n & 3) * t, wt1 = wt0 + t;
        const xt0 = xe + <usize>rp * t, xt1 = xt0 + t;
        store<i32>(p, load<i32>(p) + dotTail(xt0, wt0, kt));
        store<i32>(p, load<i32>(p, 4) + dotTail(xt0, wt1, kt), 4);
        store<i32>(p + as, load<i32>(p + as) + dotTail(xt1, wt0, kt));
        store<i32>(p + as, load<i32>(p + as, 4) + dotTail(xt1, wt1, kt), 4);
      }
    }
  }
  for (let n = N4; n < N; n++) {
    const wr = u + <usize>n * <usize>K;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    let pw = wr;
    for (let px = xp; px < xe; px += 64) {
      const v = v128.load(pw);
      b0 = rdot(v128.load(px), v, ones, b0);
      b1 = rdot(v128.load(px, 16), v, ones, b1);
      b2 = rdot(v128.load(px, 32), v, ones, b2);
      b3 = rdot(v128.load(px, 48), v, ones, b3);
      pw += 16;
    }
    const wt = wr + <usize>K16;
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(b0) + dotTail(xe, wt, kt));
    store<i32>(p + as, hsum(b1) + dotTail(xe + t, wt, kt));
    store<i32>(p + 2 * as, hsum(b2) + dotTail(xe + 2 * t, wt, kt));
    store<i32>(p + 3 * as, hsum(b3) + dotTail(xe + 3 * t, wt, kt));
  }
}

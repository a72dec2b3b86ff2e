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

@inline function hsum(a: v128): i32 {
  return (i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1)) + (i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3));
}

function dotTail(x: usize, u: usize, len: i32): i32 {
  let s: i32 = 0;
  for (let k = 0; k < len; k++) s += <i32>load<i8>(x + <usize>k) * <i32>load<u8>(u + <usize>k);
  return s;
}

/** sum of 16 products x[i] * u[i] folded into acc's 4 lanes; ones: i16x8 of 1. */
@inline function rdot(x: v128, u: v128, ones: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(x, u), ones));
}

@inline function rdotc(x: v128, u: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(x, u)));
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
    store<i32>(o, hsum(a0) + dotTail(xe, p, kt));
    store<i32>(o, hsum(a1) + dotTail(xe, p + t, kt), 4);
    store<i32>(o, hsum(a2) + dotTail(xe, p + 2 * t, kt), 8);
    store<i32>(o, hsum(a3) + dotTail(xe, p + 3 * t, kt), 12);
    p += t << 2;
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

/** xp: 4 activation rows packed by i8_pack_x4 (kc = 16); u: packed with kc = 16 [N][K] in 0..127 -> acc [4][N] (stride ldc). */
export function i8_gemm_4x2c16_relaxed(xp: usize, u: usize, K: i32, N: i32, acc: usize, ldc: i32): void {
  const K16 = K & ~15;
  const kt = K - K16;
  const t = <usize>kt;
  const N4 = N & ~3;
  const as = <usize>ldc << 2;
  const xe = xp + (<usize>K16 << 2);
  const ones = onesOf(K);
  for (let n = 0; n < N4; n += 2) {
    const block = u + <usize>(n >> 2) * (<usize>K << 2);
    let pw = block + (<usize>(n & 3) << 4);
    let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a10 = i32x4.splat(0), a11 = i32x4.splat(0);
    let a20 = i32x4.splat(0), a21 = i32x4.splat(0), a30 = i32x4.splat(0), a31 = i32x4.splat(0);
    for (let px = xp; px < xe; px += 64) {
      const v0 = v128.load(pw), v1 = v128.load(pw, 16);
      let x = v128.load(px);
      a00 = rdotc(x, v0, a00);
      a01 = rdotc(x, v1, a01);
      x = v128.load(px, 16);
      a10 = rdotc(x, v0, a10);
      a11 = rdotc(x, v1, a11);
      x = v128.load(px, 32);
      a20 = rdotc(x, v0, a20);
      a21 = rdotc(x, v1, a21);
      x = v128.load(px, 48);
      a30 = rdotc(x, v0, a30);
      a31 = rdotc(x, v1, a31);
      pw += 64;
    }
    const w0 = block + (<usize>K16 << 2) + <usize>(n & 3) * t, w1 = w0 + t;
    const x0 = xe, x1 = x0 + t, x2 = x1 + t, x3 = x2 + t;
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(a00) + dotTail(x0, w0, kt));
    store<i32>(p, hsum(a01) + dotTail(x0, w1, kt), 4);
    store<i32>(p + as, hsum(a10) + dotTail(x1, w0, kt));
    store<i32>(p + as, hsum(a11) + dotTail(x1, w1, kt), 4);
    store<i32>(p + 2 * as, hsum(a20) + dotTail(x2, w0, kt));
    store<i32>(p + 2 * as, hsum(a21) + dotTail(x2, w1, kt), 4);
    store<i32>(p + 3 * as, hsum(a30) + dotTail(x3, w0, kt));
    store<i32>(p + 3 * as, hsum(a31) + dotTail(x3, w1, kt), 4);
  }
  for (let n = N4; n < N; n++) {
    const wr = u + <usize>n * <usize>K;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    let pw = wr;
    for (let px = xp; px < xe; px += 64) {
      const v = v128.load(pw);
      b0 = rdotc(v128.load(px), v, b0);
      b1 = rdotc(v128.load(px, 16), v, b1);
      b2 = rdotc(v128.load(px, 32), v, b2);
      b3 = rdotc(v128.load(px, 48), v, b3);
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

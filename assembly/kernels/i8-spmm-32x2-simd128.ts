// Unstructured sparse int8 weights x dense activations: 32 batch rows at a time, two nonzeros
// of an output row per multiply.
//
// Layouts:
// - the container's CSR, read in place: rowPtr u32[N+1], col u16[nnz], val i8[nnz];
// - xt: the activation block per call, [K][32] u8 holding x + 128 (row m of the block in byte m):
//   32 KB at K = 1024, half the int16 layout. Splitting K into L1-sized panels (per-row splits
//   at load, partial sums carried between panels) measured no faster, even at K = 4096: two
//   32-byte reads per pair leave the loop bound by its instruction count, not by L2 latency;
// - accT: [N][32] int32 sums, one row of 32 batch rows per output.
// Two consecutive nonzeros (k1, w1), (k2, w2) of output row n are taken together: the bytes of
// rows k1 and k2 of xt are interleaved, zero-extended to int16 pairs (x[m][k1] + 128,
// x[m][k2] + 128), and one i32x4.dot_i16x8_s against splat(w1 | w2 << 16) adds both products
// for four batch rows, so every lane of every dot does useful work. The +128 bias makes the
// widening a zero-extension (one shuffle; sign extension of a high half costs two); it adds
// 128 * (sum of the row's weights), which the accumulators start from minus. An odd nonzero out
// is paired with weight 0. All int32 sums are exact modulo 2^32 and the true sums fit (checked
// at load), so the result is bit-identical in any order.

/**
 * Packs `rows` (1..32) rows of int8 x (row stride K) into xt [K][32] as u8 x + 128; bytes past
 * `rows` keep stale values (their sums are never read). Full 16 x 16 blocks are transposed with
 * byte shuffles, the rest byte by byte.
 */
export function i8_pack_xt32(x: usize, K: i32, rows: i32, xt: usize): void {
  const K16 = K & ~15;
  const bias = i8x16.splat(-128);
  let m0 = 0;
  for (; m0 + 16 <= rows; m0 += 16) {
    const src = x + <usize>m0 * <usize>K;
    for (let k = 0; k < K16; k += 16) transpose16(src + <usize>k, <usize>K, xt + (<usize>k << 5) + <usize>m0, bias);
  }
  for (let k = 0; k < K; k++) {
    const dst = xt + (<usize>k << 5);
    const src = x + <usize>k;
    // rows done by the blocks above only for k < K16
    for (let m = k < K16 ? m0 : 0; m < rows; m++) store<u8>(dst + <usize>m, <u8>(load<u8>(src + <usize>m * <usize>K) ^ 0x80));
  }
}

// 16 rows of 16 bytes (stride ld) -> 16 columns at dst, dst + 32, ..., each xor 0x80.
// Four rounds of interleaving: bytes, then 16-, 32- and 64-bit pieces.
@inline function transpose16(src: usize, ld: usize, dst: usize, bias: v128): void {
  const r0 = v128.xor(v128.load(src), bias), r1 = v128.xor(v128.load(src + ld), bias);
  const r2 = v128.xor(v128.load(src + 2 * ld), bias), r3 = v128.xor(v128.load(src + 3 * ld), bias);
  const r4 = v128.xor(v128.load(src + 4 * ld), bias), r5 = v128.xor(v128.load(src + 5 * ld), bias);
  const r6 = v128.xor(v128.load(src + 6 * ld), bias), r7 = v128.xor(v128.load(src + 7 * ld), bias);
  const r8 = v128.xor(v128.load(src + 8 * ld), bias), r9 = v128.xor(v128.load(src + 9 * ld), bias);
  const ra = v128.xor(v128.load(src + 10 * ld), bias), rb = v128.xor(v128.load(src + 11 * ld), bias);
  const rc = v128.xor(v128.load(src + 12 * ld), bias), rd = v128.xor(v128.load(src + 13 * ld), bias);
  const re = v128.xor(v128.load(src + 14 * ld), bias), rf = v128.xor(v128.load(src + 15 * ld), bias);
  // bytes: a_i = (r0[i], r1[i]) pairs ...
  const a0 = zip8lo(r0, r1), a1 = zip8hi(r0, r1), a2 = zip8lo(r2, r3), a3 = zip8hi(r2, r3);
  const a4 = zip8lo(r4, r5), a5 = zip8hi(r4, r5), a6 = zip8lo(r6, r7), a7 = zip8hi(r6, r7);
  const a8 = zip8lo(r8, r9), a9 = zip8hi(r8, r9), aa = zip8lo(ra, rb), ab = zip8hi(ra, rb);
  const ac = zip8lo(rc, rd), ad = zip8hi(rc, rd), ae = zip8lo(re, rf), af = zip8hi(re, rf);
  // 16-bit pieces: rows 0-3 together
  const b0 = zip16lo(a0, a2), b1 = zip16hi(a0, a2), b2 = zip16lo(a1, a3), b3 = zip16hi(a1, a3);
  const b4 = zip16lo(a4, a6), b5 = zip16hi(a4, a6), b6 = zip16lo(a5, a7), b7 = zip16hi(a5, a7);
  const b8 = zip16lo(a8, aa), b9 = zip16hi(a8, aa), ba = zip16lo(a9, ab), bb = zip16hi(a9, ab);
  const bc = zip16lo(ac, ae), bd = zip16hi(ac, ae), be = zip16lo(ad, af), bf = zip16hi(ad, af);
  // 32-bit pieces: rows 0-7 together
  const c0 = zip32lo(b0, b4), c1 = zip32hi(b0, b4), c2 = zip32lo(b1, b5), c3 = zip32hi(b1, b5);
  const c4 = zip32lo(b2, b6), c5 = zip32hi(b2, b6), c6 = zip32lo(b3, b7), c7 = zip32hi(b3, b7);
  const c8 = zip32lo(b8, bc), c9 = zip32hi(b8, bc), ca = zip32lo(b9, bd), cb = zip32hi(b9, bd);
  const cc = zip32lo(ba, be), cd = zip32hi(ba, be), ce = zip32lo(bb, bf), cf = zip32hi(bb, bf);
  // 64-bit pieces: all 16 rows of column k
  v128.store(dst, zip64lo(c0, c8)); v128.store(dst + 32, zip64hi(c0, c8));
  v128.store(dst + 64, zip64lo(c1, c9)); v128.store(dst + 96, zip64hi(c1, c9));
  v128.store(dst + 128, zip64lo(c2, ca)); v128.store(dst + 160, zip64hi(c2, ca));
  v128.store(dst + 192, zip64lo(c3, cb)); v128.store(dst + 224, zip64hi(c3, cb));
  v128.store(dst + 256, zip64lo(c4, cc)); v128.store(dst + 288, zip64hi(c4, cc));
  v128.store(dst + 320, zip64lo(c5, cd)); v128.store(dst + 352, zip64hi(c5, cd));
  v128.store(dst + 384, zip64lo(c6, ce)); v128.store(dst + 416, zip64hi(c6, ce));
  v128.store(dst + 448, zip64lo(c7, cf)); v128.store(dst + 480, zip64hi(c7, cf));
}

@inline function zip8lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
@inline function zip8hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
@inline function zip16lo(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
@inline function zip16hi(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
@inline function zip32lo(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
@inline function zip32hi(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
@inline function zip64lo(a: v128, b: v128): v128 { return i64x2.shuffle(a, b, 0, 2); }
@inline function zip64hi(a: v128, b: v128): v128 { return i64x2.shuffle(a, b, 1, 3); }

/**
 * accT [N][32] i32 (row m of the block in lane m) -> acc [rows][ldc] (the first N columns):
 * 4 x 4 blocks transposed in registers, the row and column tails one by one.
 */
export function i8_spmm_unpack32(accT: usize, N: i32, rows: i32, acc: usize, ldc: i32): void {
  const N4 = N & ~3, R4 = rows & ~3;
  const ld = <usize>ldc << 2;
  for (let m = 0; m < R4; m += 4) {
    const out = acc + <usize>m * ld;
    for (let n = 0; n < N4; n += 4) {
      const src = accT + (<usize>n << 7) + (<usize>m << 2);
      const a = v128.load(src), b = v128.load(src, 128), c = v128.load(src, 256), d = v128.load(src, 384);
      const t0 = zip32lo(a, b), t1 = zip32hi(a, b), t2 = zip32lo(c, d), t3 = zip32hi(c, d);
      const o = out + (<usize>n << 2);
      v128.store(o, zip64lo(t0, t2));
      v128.store(o + ld, zip64hi(t0, t2));
      v128.store(o + 2 * ld, zip64lo(t1, t3));
      v128.store(o + 3 * ld, zip64hi(t1, t3));
    }
  }
  for (let m = 0; m < rows; m++) {
    const out = acc + <usize>m * ld;
    const src = accT + (<usize>m << 2);
    for (let n = m < R4 ? N4 : 0; n < N; n++) store<i32>(out + (<usize>n << 2), load<i32>(src + (<usize>n << 7)));
  }
}

// interleaves the low (high) eight bytes of a and b: (a0, b0, a1, b1, ...)
@inline function zipLo(a: v128, b: v128): v128 { return zip8lo(a, b); }
@inline function zipHi(a: v128, b: v128): v128 { return zip8hi(a, b); }
// four rows' int16 pairs (x[m][k1] + 128, x[m][k2] + 128) from an interleaved byte vector, times the weight pair
@inline function dotLo(z: v128, w: v128): v128 { return i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(z), w); }
@inline function dotHi(z: v128, w: v128): v128 { return i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(z), w); }

/**
 * accT[n][m] = sum over row n's nonzeros (col k, val w) of x[m][k] * w, for m < 32, from xt (x + 128)
 * and wsum (i32 [N], the sum of row n's weights: the accumulators start at -128 * wsum[n]).
 */
export function i8_spmm_32x2(xt: usize, rowPtr: usize, cols: usize, vals: usize, N: i32, wsum: usize, accT: usize): void {
  let j = load<u32>(rowPtr);
  for (let n = 0; n < N; n++) {
    const o = accT + (<usize>n << 7);
    const s = i32x4.splat(load<i32>(wsum + (<usize>n << 2)) * -128);
    let s0 = s, s1 = s, s2 = s, s3 = s, s4 = s, s5 = s, s6 = s, s7 = s;
    const b = load<u32>(rowPtr + (<usize>(n + 1) << 2));
    for (; j + 1 < b; j += 2) {
      const kk = load<u32>(cols + (<usize>j << 1));
      const p = xt + (<usize>(kk & 0xffff) << 5);
      const q = xt + (<usize>(kk >> 16) << 5);
      // (w1, w2) as int16 in every int32 lane
      const w = i16x8.extend_low_i8x16_s(v128.load16_splat(vals + <usize>j));
      let u = v128.load(p), v = v128.load(q);
      let z = zipLo(u, v);
      s0 = i32x4.add(s0, dotLo(z, w));
      s1 = i32x4.add(s1, dotHi(z, w));
      z = zipHi(u, v);
      s2 = i32x4.add(s2, dotLo(z, w));
      s3 = i32x4.add(s3, dotHi(z, w));
      u = v128.load(p, 16); v = v128.load(q, 16);
      z = zipLo(u, v);
      s4 = i32x4.add(s4, dotLo(z, w));
      s5 = i32x4.add(s5, dotHi(z, w));
      z = zipHi(u, v);
      s6 = i32x4.add(s6, dotLo(z, w));
      s7 = i32x4.add(s7, dotHi(z, w));
    }
    if (j < b) {
      // the odd one: paired with itself, the second weight zero
      const p = xt + (<usize>load<u16>(cols + (<usize>j << 1)) << 5);
      const w = i32x4.splat(<i32>load<i8>(vals + <usize>j) & 0xffff);
      let u = v128.load(p);
      let z = zipLo(u, u);
      s0 = i32x4.add(s0, dotLo(z, w));
      s1 = i32x4.add(s1, dotHi(z, w));
      z = zipHi(u, u);
      s2 = i32x4.add(s2, dotLo(z, w));
      s3 = i32x4.add(s3, dotHi(z, w));
      u = v128.load(p, 16);
      z = zipLo(u, u);
      s4 = i32x4.add(s4, dotLo(z, w));
      s5 = i32x4.add(s5, dotHi(z, w));
      z = zipHi(u, u);
      s6 = i32x4.add(s6, dotLo(z, w));
      s7 = i32x4.add(s7, dotHi(z, w));
    }
    j = b;
    v128.store(o, s0); v128.store(o, s1, 16);
    v128.store(o, s2, 32); v128.store(o, s3, 48);
    v128.store(o, s4, 64); v128.store(o, s5, 80);
    v128.store(o, s6, 96); v128.store(o, s7, 112);
  }
}

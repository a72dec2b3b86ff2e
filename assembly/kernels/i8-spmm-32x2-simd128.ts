// Unstructured sparse int8 weights x dense activations: 32 batch rows at a time, two nonzeros
// of an output row per multiply.
//
// Layouts:
// - the container's CSR, read in place: rowPtr u32[N+1], col u16[nnz], val i8[nnz];
// - xt: the activation block per call, [K][32] int8 (row m of the block in byte m), 32 KB at
//   K = 1024 so the random per-nonzero reads stay in L1 (int16 was 64 KB and missed L1).
// Two consecutive nonzeros (k1, w1), (k2, w2) of output row n are taken together: the eight
// rows x[m][k1] and x[m][k2] are loaded widened to int16 (v128.load8x8_s), interleaved into
// (x[m][k1], x[m][k2]) pairs, and one i32x4.dot_i16x8_s against splat(w1 | w2 << 16) adds
// x[m][k1]*w1 + x[m][k2]*w2 for four rows: every lane of every dot does useful work. A row
// with an odd count pairs its last nonzero with weight 0. Sums are exact int32 (any order).

/** Packs `rows` (1..32) rows of int8 x (row stride K) into xt [K][32] i8; lanes past `rows` keep stale values (their sums are never read). */
export function i8_pack_xt32(x: usize, K: i32, rows: i32, xt: usize): void {
  // k outer: the stores run sequentially and the 32 source lines stay cached across k
  for (let k = 0; k < K; k++) {
    const dst = xt + (<usize>k << 5);
    const src = x + <usize>k;
    for (let m = 0; m < rows; m++) store<i8>(dst + <usize>m, load<i8>(src + <usize>m * <usize>K));
  }
}

/** accT [N][32] i32 (row m of the block in lane m) -> acc [rows][ldc] (the first N columns). */
export function i8_spmm_unpack32(accT: usize, N: i32, rows: i32, acc: usize, ldc: i32): void {
  for (let m = 0; m < rows; m++) {
    const out = acc + (<usize>(m * ldc) << 2);
    const src = accT + (<usize>m << 2);
    for (let n = 0; n < N; n++) store<i32>(out + (<usize>n << 2), load<i32>(src + (<usize>n << 7)));
  }
}

// interleaves the low (high) four int16 of a and b: (a0, b0, a1, b1, ...)
@inline function zipLo(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
@inline function zipHi(a: v128, b: v128): v128 { return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }

/** accT[n][m] = sum over row n's nonzeros (col k, val w) of xt[k][m] * w, for m < 32. */
export function i8_spmm_32x2(xt: usize, rowPtr: usize, cols: usize, vals: usize, N: i32, accT: usize): void {
  let a = load<u32>(rowPtr);
  for (let n = 0; n < N; n++) {
    let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
    let s4 = i32x4.splat(0), s5 = i32x4.splat(0), s6 = i32x4.splat(0), s7 = i32x4.splat(0);
    const b = load<u32>(rowPtr + (<usize>(n + 1) << 2));
    let j = a;
    for (; j + 1 < b; j += 2) {
      const kk = load<u32>(cols + (<usize>j << 1));
      const p = xt + (<usize>(kk & 0xffff) << 5);
      const q = xt + (<usize>(kk >> 16) << 5);
      // (w1, w2) as int16 in every int32 lane
      const w = i16x8.extend_low_i8x16_s(v128.load16_splat(vals + <usize>j));
      let u = v128.load8x8_s(p), v = v128.load8x8_s(q);
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(zipLo(u, v), w));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(zipHi(u, v), w));
      u = v128.load8x8_s(p, 8); v = v128.load8x8_s(q, 8);
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(zipLo(u, v), w));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(zipHi(u, v), w));
      u = v128.load8x8_s(p, 16); v = v128.load8x8_s(q, 16);
      s4 = i32x4.add(s4, i32x4.dot_i16x8_s(zipLo(u, v), w));
      s5 = i32x4.add(s5, i32x4.dot_i16x8_s(zipHi(u, v), w));
      u = v128.load8x8_s(p, 24); v = v128.load8x8_s(q, 24);
      s6 = i32x4.add(s6, i32x4.dot_i16x8_s(zipLo(u, v), w));
      s7 = i32x4.add(s7, i32x4.dot_i16x8_s(zipHi(u, v), w));
    }
    if (j < b) {
      // the odd one: paired with itself, the second weight zero
      const p = xt + (<usize>load<u16>(cols + (<usize>j << 1)) << 5);
      const w = i32x4.splat(<i32>load<i8>(vals + <usize>j) & 0xffff);
      let u = v128.load8x8_s(p);
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(zipLo(u, u), w));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(zipHi(u, u), w));
      u = v128.load8x8_s(p, 8);
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(zipLo(u, u), w));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(zipHi(u, u), w));
      u = v128.load8x8_s(p, 16);
      s4 = i32x4.add(s4, i32x4.dot_i16x8_s(zipLo(u, u), w));
      s5 = i32x4.add(s5, i32x4.dot_i16x8_s(zipHi(u, u), w));
      u = v128.load8x8_s(p, 24);
      s6 = i32x4.add(s6, i32x4.dot_i16x8_s(zipLo(u, u), w));
      s7 = i32x4.add(s7, i32x4.dot_i16x8_s(zipHi(u, u), w));
    }
    a = b;
    const o = accT + (<usize>n << 7);
    v128.store(o, s0); v128.store(o, s1, 16);
    v128.store(o, s2, 32); v128.store(o, s3, 48);
    v128.store(o, s4, 64); v128.store(o, s5, 80);
    v128.store(o, s6, 96); v128.store(o, s7, 112);
  }
}

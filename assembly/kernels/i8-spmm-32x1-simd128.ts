// Unstructured sparse int8 weights x dense activations, 32 batch rows at a time.
//
// Layouts:
// - the container's CSR, read in place: rowPtr u32[N+1], col u16[nnz], val i8[nnz] (no copy:
//   a per-nonzero record array was 1.3x the container at 90 % zeros and broke the memory budget,
//   while the loop is bound by the activation loads, not by the two extra scalar loads);
// - xt: the activation block per call, [K][32] int16 (row m of the block in lane m), so a
//   nonzero w[n][k] meets all 32 rows with four 16-byte loads from xt + 64k.
// The multiply is i32x4.dot_i16x8_s against splat(w in the low int16 of each int32 lane) and
// splat(w in the high int16): the first yields the even rows of a vector, the second the odd
// rows. Exact for the full int8 range (each lane adds one product and a product with zero).

/** Packs `rows` (1..32) rows of int8 x (row stride K) into xt [K][32] i16, zero-filling the rest. */
export function i8_pack_xt32(x: usize, K: i32, rows: i32, xt: usize): void {
  if (rows < 32) memory.fill(xt, 0, <usize>K << 6);
  for (let m = 0; m < rows; m++) {
    const xr = x + <usize>m * <usize>K;
    const col = xt + (<usize>m << 1);
    for (let k = 0; k < K; k++) store<i16>(col + (<usize>k << 6), <i16>load<i8>(xr + <usize>k));
  }
}

/**
 * accT [N][32] as the kernel leaves it -> acc [rows][ldc] (the first N columns). Within each group of 8 rows the kernel
 * stores the even rows (4 lanes) and then the odd rows; writing straight to [m][N] would put
 * 32 stores 4N bytes apart per output, which alias in L1 when N is a power of two.
 */
export function i8_spmm_unpack32(accT: usize, N: i32, rows: i32, acc: usize, ldc: i32): void {
  for (let m = 0; m < rows; m++) {
    const pos = <usize>((m & ~7) + ((m & 1) << 2) + ((m & 7) >> 1)) << 2;
    const out = acc + (<usize>(m * ldc) << 2);
    for (let n = 0; n < N; n++) store<i32>(out + (<usize>n << 2), load<i32>(accT + (<usize>n << 7) + pos));
  }
}

/** accT[n][32] (see i8_spmm_unpack32) = sum over row n's nonzeros of xt[k][m] * w. */
export function i8_spmm_32x1(xt: usize, rowPtr: usize, cols: usize, vals: usize, N: i32, accT: usize): void {
  let a = load<u32>(rowPtr);
  for (let n = 0; n < N; n++) {
    let e0 = i32x4.splat(0), o0 = i32x4.splat(0), e1 = i32x4.splat(0), o1 = i32x4.splat(0);
    let e2 = i32x4.splat(0), o2 = i32x4.splat(0), e3 = i32x4.splat(0), o3 = i32x4.splat(0);
    const b = load<u32>(rowPtr + (<usize>(n + 1) << 2));
    for (let j = a; j < b; j++) {
      const w = <i32>load<i8>(vals + <usize>j);
      const wl = i32x4.splat(w & 0xffff);
      const wh = i32x4.splat(w << 16);
      const p = xt + (<usize>load<u16>(cols + (<usize>j << 1)) << 6);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      e0 = i32x4.add(e0, i32x4.dot_i16x8_s(v0, wl));
      o0 = i32x4.add(o0, i32x4.dot_i16x8_s(v0, wh));
      e1 = i32x4.add(e1, i32x4.dot_i16x8_s(v1, wl));
      o1 = i32x4.add(o1, i32x4.dot_i16x8_s(v1, wh));
      e2 = i32x4.add(e2, i32x4.dot_i16x8_s(v2, wl));
      o2 = i32x4.add(o2, i32x4.dot_i16x8_s(v2, wh));
      e3 = i32x4.add(e3, i32x4.dot_i16x8_s(v3, wl));
      o3 = i32x4.add(o3, i32x4.dot_i16x8_s(v3, wh));
    }
    a = b;
    const p = accT + (<usize>n << 7);
    v128.store(p, e0); v128.store(p, o0, 16);
    v128.store(p, e1, 32); v128.store(p, o1, 48);
    v128.store(p, e2, 64); v128.store(p, o2, 80);
    v128.store(p, e3, 96); v128.store(p, o3, 112);
  }
}

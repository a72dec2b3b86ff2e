// int8 GEMM, 4 rows x 8 outputs per step, k consumed in pairs:
//   c[m][n] = sum_k a[m][k] * w[n][k]
// Operands are int8 values already widened to i16 with their zero points subtracted (so in
// -255..255): padding is then plain 0 and no zero-point correction is needed afterwards. Each
// i32x4.dot_i16x8_s adds two products of at most 255*255, exact in i32.
// Weights are packed once at load (i8_gemm_pack_8c2) as [ceil(N/8)][Kp/2][8][2] i16 with Kp = K
// rounded up to even; rows of a must hold Kp values (an odd K gets a trailing 0).

const tmp = memory.data(32, 16);

/** Packs row-major int8 w[N][K] minus zw into wp, which must hold ceil(N/8) * 8 * Kp i16. */
export function i8_gemm_pack_8c2(w: usize, K: i32, N: i32, zw: i32, wp: usize): void {
  const Kp = (K + 1) & ~1;
  const blocks = (N + 7) >> 3;
  for (let nb = 0; nb < blocks; nb++) {
    for (let k = 0; k < Kp; k++) {
      const pair = k >> 1;
      for (let j = 0; j < 8; j++) {
        const n = (nb << 3) + j;
        const v: i32 = n < N && k < K ? <i32>load<i8>(w + <usize>n * <usize>K + <usize>k) - zw : 0;
        const dst = wp + (((<usize>nb * <usize>(Kp >> 1) + <usize>pair) << 5) + (<usize>j << 2) + (<usize>(k & 1) << 1));
        store<i16>(dst, <i16>v);
      }
    }
  }
}

@inline function put8(c: usize, lo: v128, hi: v128, count: i32): void {
  if (count >= 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  v128.store(tmp, lo);
  v128.store(tmp, hi, 16);
  memory.copy(c, tmp, <usize>count << 2);
}

/** a: M rows of Kp i16, row stride lda i16; c: i32, row stride ldc; N outputs per row. */
export function i8_gemm_4x8c2(a: usize, lda: i32, M: i32, wp: usize, Kp: i32, N: i32, c: usize, ldc: i32): void {
  const blocks = (N + 7) >> 3;
  const pairs = Kp >> 1;
  const sa = <usize>lda << 1;
  const sc = <usize>ldc << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = a + <usize>m * sa, a1 = a0 + sa, a2 = a1 + sa, a3 = a2 + sa;
    const c0 = c + <usize>m * sc;
    for (let nb = 0; nb < blocks; nb++) {
      let w = wp + ((<usize>nb * <usize>pairs) << 5);
      let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
      let p1 = i32x4.splat(0), q1 = i32x4.splat(0);
      let p2 = i32x4.splat(0), q2 = i32x4.splat(0);
      let p3 = i32x4.splat(0), q3 = i32x4.splat(0);
      for (let k = 0; k < pairs; k++) {
        const off = <usize>k << 2;
        const wl = v128.load(w);
        const wh = v128.load(w, 16);
        w += 32;
        let xs = v128.load32_splat(a0 + off);
        p0 = i32x4.add(p0, i32x4.dot_i16x8_s(xs, wl));
        q0 = i32x4.add(q0, i32x4.dot_i16x8_s(xs, wh));
        xs = v128.load32_splat(a1 + off);
        p1 = i32x4.add(p1, i32x4.dot_i16x8_s(xs, wl));
        q1 = i32x4.add(q1, i32x4.dot_i16x8_s(xs, wh));
        xs = v128.load32_splat(a2 + off);
        p2 = i32x4.add(p2, i32x4.dot_i16x8_s(xs, wl));
        q2 = i32x4.add(q2, i32x4.dot_i16x8_s(xs, wh));
        xs = v128.load32_splat(a3 + off);
        p3 = i32x4.add(p3, i32x4.dot_i16x8_s(xs, wl));
        q3 = i32x4.add(q3, i32x4.dot_i16x8_s(xs, wh));
      }
      const n = nb << 3;
      const cnt = N - n;
      const cp = c0 + (<usize>n << 2);
      put8(cp, p0, q0, cnt);
      put8(cp + sc, p1, q1, cnt);
      put8(cp + 2 * sc, p2, q2, cnt);
      put8(cp + 3 * sc, p3, q3, cnt);
    }
  }
  for (; m < M; m++) {
    const a0 = a + <usize>m * sa;
    const c0 = c + <usize>m * sc;
    for (let nb = 0; nb < blocks; nb++) {
      let w = wp + ((<usize>nb * <usize>pairs) << 5);
      let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
      for (let k = 0; k < pairs; k++) {
        const xs = v128.load32_splat(a0 + (<usize>k << 2));
        p0 = i32x4.add(p0, i32x4.dot_i16x8_s(xs, v128.load(w)));
        q0 = i32x4.add(q0, i32x4.dot_i16x8_s(xs, v128.load(w, 16)));
        w += 32;
      }
      const n = nb << 3;
      put8(c0 + (<usize>n << 2), p0, q0, N - n);
    }
  }
}

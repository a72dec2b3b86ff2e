// f32 GEMM, 4 rows x 8 outputs per step: c[m][n] = sum_k a[m][k] * w[n][k].
// Weights are packed once at load (f32_gemm_pack_8) as [ceil(N/8)][K][8], zero-filled past N, so
// each k broadcasts one a value against 8 contiguous weights and no horizontal sum is needed.
// Every output is summed in k order (0, 1, ..., K-1) starting from +0, independent of M and N
// blocking, so results are identical on every host and for every tile position.

const tmp = memory.data(32, 16);

/** Packs row-major w[N][K] into wp, which must hold ceil(N/8) * 8 * K floats. */
export function f32_gemm_pack_8(w: usize, K: i32, N: i32, wp: usize): void {
  const blocks = (N + 7) >> 3;
  for (let nb = 0; nb < blocks; nb++) {
    for (let k = 0; k < K; k++) {
      const dst = wp + ((<usize>nb * <usize>K + <usize>k) << 5);
      for (let j = 0; j < 8; j++) {
        const n = (nb << 3) + j;
        store<f32>(dst + (<usize>j << 2), n < N ? load<f32>(w + ((<usize>n * <usize>K + <usize>k) << 2)) : 0);
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

/** a: M rows of K floats, row stride lda floats; c: row stride ldc floats; N outputs per row. */
export function f32_gemm_4x8(a: usize, lda: i32, M: i32, wp: usize, K: i32, N: i32, c: usize, ldc: i32): void {
  const blocks = (N + 7) >> 3;
  const sa = <usize>lda << 2;
  const sc = <usize>ldc << 2;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = a + <usize>m * sa, a1 = a0 + sa, a2 = a1 + sa, a3 = a2 + sa;
    const c0 = c + <usize>m * sc;
    for (let nb = 0; nb < blocks; nb++) {
      let w = wp + ((<usize>nb * <usize>K) << 5);
      let p0 = f32x4.splat(0), q0 = f32x4.splat(0);
      let p1 = f32x4.splat(0), q1 = f32x4.splat(0);
      let p2 = f32x4.splat(0), q2 = f32x4.splat(0);
      let p3 = f32x4.splat(0), q3 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const off = <usize>k << 2;
        const wl = v128.load(w);
        const wh = v128.load(w, 16);
        w += 32;
        let xs = v128.load32_splat(a0 + off);
        p0 = f32x4.add(p0, f32x4.mul(xs, wl));
        q0 = f32x4.add(q0, f32x4.mul(xs, wh));
        xs = v128.load32_splat(a1 + off);
        p1 = f32x4.add(p1, f32x4.mul(xs, wl));
        q1 = f32x4.add(q1, f32x4.mul(xs, wh));
        xs = v128.load32_splat(a2 + off);
        p2 = f32x4.add(p2, f32x4.mul(xs, wl));
        q2 = f32x4.add(q2, f32x4.mul(xs, wh));
        xs = v128.load32_splat(a3 + off);
        p3 = f32x4.add(p3, f32x4.mul(xs, wl));
        q3 = f32x4.add(q3, f32x4.mul(xs, wh));
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
      let w = wp + ((<usize>nb * <usize>K) << 5);
      let p0 = f32x4.splat(0), q0 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const xs = v128.load32_splat(a0 + (<usize>k << 2));
        p0 = f32x4.add(p0, f32x4.mul(xs, v128.load(w)));
        q0 = f32x4.add(q0, f32x4.mul(xs, v128.load(w, 16)));
        w += 32;
      }
      const n = nb << 3;
      put8(c0 + (<usize>n << 2), p0, q0, N - n);
    }
  }
}

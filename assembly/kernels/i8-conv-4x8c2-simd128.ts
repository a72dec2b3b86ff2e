// int8 direct convolution (no im2col), 4 output pixels x 8 output channels per step, taps in pairs:
//   c[p][n] = sum_{kh} sum_{j < 2*pairs} a_p[kh*rowStride + j] * w[n][kh][j]
// The input is one sample already widened to i16 with its zero point subtracted, inside a
// zero-bordered padded image (so padding reads as 0, like i8_gemm_4x8c2's operands). For an
// output pixel whose window starts at a_p, window row kh is the contiguous run of KW*C i16 at
// a_p + kh*rowStride (width dilation 1, one group), consumed in pairs; an odd run's last pair
// reads one i16 past the run, against a zero weight. Pixel p+1's window starts pixStride bytes
// after pixel p's (width stride * C i16).
// Weights are i8_gemm_pack_8c2 of rows [N][KH][2*pairs] (each window row zero-padded to even):
// [ceil(N/8)][KH*pairs][8][2] i16. Outputs are full blocks of 8: c needs ldc >= ceil(N/8)*8.
// For M >= 4 a partial last group of pixels is recomputed as the last 4 pixels, so every step
// runs the 4-pixel loop; it rewrites the same values.

/** a: window origin of pixel 0; M pixels; c: i32 rows of ldc per pixel. */
export function i8_conv_4x8c2(a: usize, pixStride: usize, rowStride: usize, KH: i32, pairs: i32, M: i32, wp: usize, N: i32, c: usize, ldc: i32): void {
  const blocks = (N + 7) >> 3;
  const blockBytes = (<usize>KH * <usize>pairs) << 5;
  const sc = <usize>ldc << 2;
  if (M >= 4) {
    for (let m0 = 0; m0 < M; m0 += 4) {
      const m = min<i32>(m0, M - 4);
      const a0 = a + <usize>m * pixStride, a1 = a0 + pixStride, a2 = a1 + pixStride, a3 = a2 + pixStride;
      const c0 = c + <usize>m * sc;
      for (let nb = 0; nb < blocks; nb++) {
        let w = wp + <usize>nb * blockBytes;
        let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
        let p1 = i32x4.splat(0), q1 = i32x4.splat(0);
        let p2 = i32x4.splat(0), q2 = i32x4.splat(0);
        let p3 = i32x4.splat(0), q3 = i32x4.splat(0);
        let row: usize = 0;
        for (let kh = 0; kh < KH; kh++) {
          for (let k = 0; k < pairs; k++) {
            const off = row + (<usize>k << 2);
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
          row += rowStride;
        }
        const cp = c0 + (<usize>nb << 5);
        v128.store(cp, p0); v128.store(cp, q0, 16);
        v128.store(cp + sc, p1); v128.store(cp + sc, q1, 16);
        v128.store(cp + 2 * sc, p2); v128.store(cp + 2 * sc, q2, 16);
        v128.store(cp + 3 * sc, p3); v128.store(cp + 3 * sc, q3, 16);
      }
    }
    return;
  }
  for (let m = 0; m < M; m++) {
    const a0 = a + <usize>m * pixStride;
    const c0 = c + <usize>m * sc;
    for (let nb = 0; nb < blocks; nb++) {
      let w = wp + <usize>nb * blockBytes;
      let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
      let row: usize = 0;
      for (let kh = 0; kh < KH; kh++) {
        for (let k = 0; k < pairs; k++) {
          const xs = v128.load32_splat(a0 + row + (<usize>k << 2));
          p0 = i32x4.add(p0, i32x4.dot_i16x8_s(xs, v128.load(w)));
          q0 = i32x4.add(q0, i32x4.dot_i16x8_s(xs, v128.load(w, 16)));
          w += 32;
        }
        row += rowStride;
      }
      const cp = c0 + (<usize>nb << 5);
      v128.store(cp, p0);
      v128.store(cp, q0, 16);
    }
  }
}

/**
 * Re-lays row-major int8 weights [N][KH*run] (run = KW*C) as [N][KH][2*pairs] for
 * i8_gemm_pack_8c2: each window row padded to even length with zw, which packs to weight 0.
 */
export function i8_conv_pad_rows(w: usize, N: i32, KH: i32, run: i32, pairs: i32, zw: i32, dst: usize): void {
  const K = KH * run, Kd = KH * pairs * 2;
  for (let n = 0; n < N; n++)
    for (let kh = 0; kh < KH; kh++) {
      const d = dst + <usize>n * <usize>Kd + <usize>kh * <usize>(pairs * 2);
      memory.copy(d, w + <usize>n * <usize>K + <usize>kh * <usize>run, <usize>run);
      if (pairs * 2 != run) store<i8>(d + <usize>run, <i8>zw);
    }
}

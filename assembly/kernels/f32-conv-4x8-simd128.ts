// f32 direct convolution (no im2col), 4 output pixels x 8 output channels per step:
//   c[p][n] = act(sum_{kh} sum_{j < run} a_p[kh*rowStride + j] * w[n][kh*run + j] + b[n])
// The input is one sample, either as it is (unpadded convs) or copied into a zero-bordered
// padded image (padding reads as 0.0, as im2col's zero rows do). For an output pixel whose
// window starts at a_p, window row kh is the contiguous run of KW*C floats at a_p + kh*rowStride
// (width dilation 1, one group); pixel p+1's window starts pixStride bytes after pixel p's.
// Weights are f32_gemm_pack_8 of the plain rows [N][KH*KW*C]: [ceil(N/8)][K][8], zero past N.
// Every output is summed in k order (kh, then kw, then c) from +0, exactly as f32_gemm_4x8 sums
// an im2col row, then the bias is added and the activation applied, as the im2col path does:
// both paths give identical bits. For M >= 4 a last group of 3 pixels is recomputed as the last
// 4 pixels, a last 1 or 2 as the last 2 (which rewrites the same values); 2 pixels run 16
// channels at a time so they keep 8 sums going (LeNet-5's second conv has rows of 10 outputs).
import { Activation } from "../format/spec";

/** Stores the first `count` (1..8) lanes of lo:hi at c, without touching the floats after them. */
@inline function storeLanes(c: usize, lo: v128, hi: v128, count: i32): void {
  if (count >= 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  let v = lo;
  let r = count;
  let p = c;
  if (r >= 4) {
    v128.store(p, lo);
    v = hi;
    r -= 4;
    p += 16;
  }
  if (r & 2) {
    v128.store64_lane(p, v, 0);
    if (r & 1) v128.store32_lane(p, v, 2, 8);
  } else if (r & 1) v128.store32_lane(p, v, 0);
}

/**
 * + bias (when given), then the fused activation with the values applyActF32 gives (ReLU: +0 for
 * v <= 0, -0 included; ReLU6: then 6 above 6; NaN stays NaN), by compare and mask: wasm's
 * f32x4.max/min become ~8 instructions each on x64 to get NaN and signed zeros right.
 */
@inline export function finish(v: v128, b: v128, hasBias: bool, act: i32): v128 {
  if (hasBias) v = f32x4.add(v, b);
  if (act == Activation.None) return v;
  v = v128.andnot(v, f32x4.le(v, f32x4.splat(0)));
  if (act == Activation.Relu6) {
    const six = f32x4.splat(6);
    v = v128.bitselect(six, v, f32x4.gt(v, six));
  }
  return v;
}

/** Two pixels (windows at a0 and a0 + d1), two 8-channel blocks at a time: 8 sums as in the 4x8 step. */
function conv2px(a0: usize, d1: usize, rowStride: usize, KH: i32, runBytes: usize, blocks: i32, blockBytes: usize, wp: usize, N: i32, bias: usize, act: i32, c0: usize, sc: usize): void {
  const hasBias = bias != 0;
  const zero = f32x4.splat(0);
  let nb = 0;
  for (; nb + 2 <= blocks; nb += 2) {
    let w = wp + <usize>nb * blockBytes;
    let p0 = zero, q0 = zero, r0 = zero, s0 = zero; // pixel 0: channels n..n+15
    let p1 = zero, q1 = zero, r1 = zero, s1 = zero; // pixel 1
    let row = a0;
    for (let kh = 0; kh < KH; kh++) {
      const end = row + runBytes;
      for (let x = row; x < end; x += 4) {
        const wl = v128.load(w), wh = v128.load(w, 16);
        const vl = v128.load(w + blockBytes), vh = v128.load(w + blockBytes, 16);
        w += 32;
        let xs = v128.load32_splat(x);
        p0 = f32x4.add(p0, f32x4.mul(xs, wl));
        q0 = f32x4.add(q0, f32x4.mul(xs, wh));
        r0 = f32x4.add(r0, f32x4.mul(xs, vl));
        s0 = f32x4.add(s0, f32x4.mul(xs, vh));
        xs = v128.load32_splat(x + d1);
        p1 = f32x4.add(p1, f32x4.mul(xs, wl));
        q1 = f32x4.add(q1, f32x4.mul(xs, wh));
        r1 = f32x4.add(r1, f32x4.mul(xs, vl));
        s1 = f32x4.add(s1, f32x4.mul(xs, vh));
      }
      row += rowStride;
    }
    const n = nb << 3;
    let bl = zero, bh = zero, cl = zero, ch = zero;
    if (hasBias) {
      const bp = bias + (<usize>n << 2);
      bl = v128.load(bp); bh = v128.load(bp, 16); cl = v128.load(bp, 32); ch = v128.load(bp, 48);
    }
    const cp = c0 + (<usize>n << 2);
    storeLanes(cp, finish(p0, bl, hasBias, act), finish(q0, bh, hasBias, act), 8);
    storeLanes(cp + 32, finish(r0, cl, hasBias, act), finish(s0, ch, hasBias, act), N - n - 8);
    storeLanes(cp + sc, finish(p1, bl, hasBias, act), finish(q1, bh, hasBias, act), 8);
    storeLanes(cp + sc + 32, finish(r1, cl, hasBias, act), finish(s1, ch, hasBias, act), N - n - 8);
  }
  if (nb < blocks) {
    let w = wp + <usize>nb * blockBytes;
    let p0 = zero, q0 = zero, p1 = zero, q1 = zero;
    let row = a0;
    for (let kh = 0; kh < KH; kh++) {
      const end = row + runBytes;
      for (let x = row; x < end; x += 4) {
        const wl = v128.load(w), wh = v128.load(w, 16);
        w += 32;
        let xs = v128.load32_splat(x);
        p0 = f32x4.add(p0, f32x4.mul(xs, wl));
        q0 = f32x4.add(q0, f32x4.mul(xs, wh));
        xs = v128.load32_splat(x + d1);
        p1 = f32x4.add(p1, f32x4.mul(xs, wl));
        q1 = f32x4.add(q1, f32x4.mul(xs, wh));
      }
      row += rowStride;
    }
    const n = nb << 3;
    let bl = zero, bh = zero;
    if (hasBias) {
      bl = v128.load(bias + (<usize>n << 2));
      bh = v128.load(bias + (<usize>n << 2), 16);
    }
    const cp = c0 + (<usize>n << 2);
    storeLanes(cp, finish(p0, bl, hasBias, act), finish(q0, bh, hasBias, act), N - n);
    storeLanes(cp + sc, finish(p1, bl, hasBias, act), finish(q1, bh, hasBias, act), N - n);
  }
}

/**
 * a: window origin of pixel 0; M pixels; wp: packed weights; bias: f32[ceil(N/8)*8] zero padded,
 * or 0 for none; act: Activation; c: output rows of ldc floats per pixel (N written per pixel).
 */
export function f32_conv_4x8(a: usize, pixStride: usize, rowStride: usize, KH: i32, run: i32, M: i32, wp: usize, N: i32, bias: usize, act: i32, c: usize, ldc: i32): void {
  const blocks = (N + 7) >> 3;
  const blockBytes = (<usize>KH * <usize>run) << 5;
  const runBytes = <usize>run << 2;
  const sc = <usize>ldc << 2;
  const hasBias = bias != 0;
  const zero = f32x4.splat(0);
  if (M >= 4) {
    // 1 or 2 pixels past the last group of 4 run as the last 2 pixels, 16 channels at a time
    const rem = M & 3;
    const M4 = rem == 3 ? M : M & ~3;
    if (rem == 1 || rem == 2) {
      const m = M - 2;
      conv2px(a + <usize>m * pixStride, pixStride, rowStride, KH, runBytes, blocks, blockBytes, wp, N, bias, act, c + <usize>m * sc, sc);
    }
    for (let m0 = 0; m0 < M4; m0 += 4) {
      const m = min<i32>(m0, M - 4);
      const a0 = a + <usize>m * pixStride;
      const d1 = pixStride, d2 = pixStride << 1, d3 = d1 + d2;
      const c0 = c + <usize>m * sc;
      for (let nb = 0; nb < blocks; nb++) {
        let w = wp + <usize>nb * blockBytes;
        let p0 = zero, q0 = zero;
        let p1 = zero, q1 = zero;
        let p2 = zero, q2 = zero;
        let p3 = zero, q3 = zero;
        let row = a0;
        for (let kh = 0; kh < KH; kh++) {
          const end = row + runBytes;
          for (let x = row; x < end; x += 4) {
            const wl = v128.load(w);
            const wh = v128.load(w, 16);
            w += 32;
            let xs = v128.load32_splat(x);
            p0 = f32x4.add(p0, f32x4.mul(xs, wl));
            q0 = f32x4.add(q0, f32x4.mul(xs, wh));
            xs = v128.load32_splat(x + d1);
            p1 = f32x4.add(p1, f32x4.mul(xs, wl));
            q1 = f32x4.add(q1, f32x4.mul(xs, wh));
            xs = v128.load32_splat(x + d2);
            p2 = f32x4.add(p2, f32x4.mul(xs, wl));
            q2 = f32x4.add(q2, f32x4.mul(xs, wh));
            xs = v128.load32_splat(x + d3);
            p3 = f32x4.add(p3, f32x4.mul(xs, wl));
            q3 = f32x4.add(q3, f32x4.mul(xs, wh));
          }
          row += rowStride;
        }
        const n = nb << 3;
        const cnt = N - n;
        let bl = zero, bh = zero;
        if (hasBias) {
          bl = v128.load(bias + (<usize>n << 2));
          bh = v128.load(bias + (<usize>n << 2), 16);
        }
        const cp = c0 + (<usize>n << 2);
        storeLanes(cp, finish(p0, bl, hasBias, act), finish(q0, bh, hasBias, act), cnt);
        storeLanes(cp + sc, finish(p1, bl, hasBias, act), finish(q1, bh, hasBias, act), cnt);
        storeLanes(cp + 2 * sc, finish(p2, bl, hasBias, act), finish(q2, bh, hasBias, act), cnt);
        storeLanes(cp + 3 * sc, finish(p3, bl, hasBias, act), finish(q3, bh, hasBias, act), cnt);
      }
    }
    return;
  }
  for (let m = 0; m < M; m++) {
    const a0 = a + <usize>m * pixStride;
    const c0 = c + <usize>m * sc;
    for (let nb = 0; nb < blocks; nb++) {
      let w = wp + <usize>nb * blockBytes;
      let p0 = zero, q0 = zero;
      let row = a0;
      for (let kh = 0; kh < KH; kh++) {
        const end = row + runBytes;
        for (let x = row; x < end; x += 4) {
          const xs = v128.load32_splat(x);
          p0 = f32x4.add(p0, f32x4.mul(xs, v128.load(w)));
          q0 = f32x4.add(q0, f32x4.mul(xs, v128.load(w, 16)));
          w += 32;
        }
        row += rowStride;
      }
      const n = nb << 3;
      let bl = zero, bh = zero;
      if (hasBias) {
        bl = v128.load(bias + (<usize>n << 2));
        bh = v128.load(bias + (<usize>n << 2), 16);
      }
      storeLanes(c0 + (<usize>n << 2), finish(p0, bl, hasBias, act), finish(q0, bh, hasBias, act), N - n);
    }
  }
}

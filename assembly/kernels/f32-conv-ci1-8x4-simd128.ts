// f32 direct convolution for one input channel and width stride 1 (LeNet-5's first layer),
// 8 output pixels of one row x 4 output channels per step, pixels in lanes:
//   c[p][n] = act(sum_{kh, kw} a[oh*rowStep + kh*rowStride + (ow + kw)] * w[n][kh][kw] + b[n])
// With one channel, the 4 pixels ow..ow+3 read 4 adjacent floats at every tap, so a tap costs one
// vector load per 4 pixels and one broadcast per channel, where f32-conv-4x8 (channels in lanes)
// needs a broadcast per pixel. The sums are transposed to NHWC pixel by pixel at the end.
// The input is the sample or its zero-bordered padded copy, rows of rowStride bytes; the window
// of output row oh starts at a + oh*rowStep. Weights: f32_conv_ci1_pack, [KH*KW][Np] floats (taps
// major, channels zero-padded to Np = N rounded up to even). The last 1..3 channels run 2 at a
// time. Every output is summed over taps in (kh, kw) order from +0, then + bias, then the
// activation: the same bits as f32-conv-4x8 and im2col + f32-gemm-4x8 (with one channel a
// tap is a k). Needs OW >= 8: a row's last partial group is recomputed as its last 8 pixels.
import { Activation } from "../format/spec";

/** Packs row-major w[N][T] (T = KH*KW taps) as [T][Np] in wp, which must hold T*Np floats. */
export function f32_conv_ci1_pack(w: usize, T: i32, N: i32, Np: i32, wp: usize): void {
  for (let t = 0; t < T; t++)
    for (let n = 0; n < Np; n++)
      store<f32>(wp + ((<usize>t * <usize>Np + <usize>n) << 2), n < N ? load<f32>(w + ((<usize>n * <usize>T + <usize>t) << 2)) : 0);
}

/** + bias, then ReLU / ReLU6 as applyActF32 gives them (see f32-conv-4x8's finish). */
@inline function finish(v: v128, b: v128, act: i32): v128 {
  v = f32x4.add(v, b);
  if (act == Activation.None) return v;
  v = v128.andnot(v, f32x4.le(v, f32x4.splat(0)));
  if (act == Activation.Relu6) {
    const six = f32x4.splat(6);
    v = v128.bitselect(six, v, f32x4.gt(v, six));
  }
  return v;
}

/** Channels n..n+3 of pixels p..p+3 (one vector per channel) -> 4 NHWC pixel stores. */
@inline function put4x4(c: usize, sc: usize, c0: v128, c1: v128, c2: v128, c3: v128, b: v128, act: i32): void {
  const t0 = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(c2, c3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(c2, c3, 2, 6, 3, 7);
  v128.store(c, finish(v128.shuffle<i64>(t0, t1, 0, 2), b, act));
  v128.store(c + sc, finish(v128.shuffle<i64>(t0, t1, 1, 3), b, act));
  v128.store(c + 2 * sc, finish(v128.shuffle<i64>(t2, t3, 0, 2), b, act));
  v128.store(c + 3 * sc, finish(v128.shuffle<i64>(t2, t3, 1, 3), b, act));
}

/** Channels n, n+1 of pixels p..p+3 -> 4 NHWC pixel stores of 2 floats, or of 1 when `one`. */
@inline function put4x2(c: usize, sc: usize, c0: v128, c1: v128, b: v128, act: i32, one: bool): void {
  const lo = finish(v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), b, act);
  const hi = finish(v128.shuffle<f32>(c0, c1, 2, 6, 3, 7), b, act);
  if (one) {
    v128.store32_lane(c, lo, 0);
    v128.store32_lane(c + sc, lo, 2);
    v128.store32_lane(c + 2 * sc, hi, 0);
    v128.store32_lane(c + 3 * sc, hi, 2);
  } else {
    v128.store64_lane(c, lo, 0);
    v128.store64_lane(c + sc, lo, 1);
    v128.store64_lane(c + 2 * sc, hi, 0);
    v128.store64_lane(c + 3 * sc, hi, 1);
  }
}

/**
 * a: the (padded) sample; OH x OW output pixels; KH x KW taps; wp: f32_conv_ci1_pack weights
 * with Np channels; bias: f32[Np] zero padded, all zeros when the conv has none (a sum that
 * starts from +0 is never -0 in round-to-nearest, so adding +0 changes no bits); act:
 * Activation; c: output rows of ldc floats per pixel (N written per pixel).
 */
export function f32_conv_ci1_8x4(a: usize, OH: i32, OW: i32, rowStep: usize, rowStride: usize, KH: i32, KW: i32, wp: usize, N: i32, Np: i32, bias: usize, act: i32, c: usize, ldc: i32): void {
  const sc = <usize>ldc << 2;
  const tapStride = <usize>Np << 2;
  const kwBytes = <usize>KW << 2;
  const zero = f32x4.splat(0);
  const N4 = N & ~3;
  for (let oh = 0; oh < OH; oh++) {
    const arow = a + <usize>oh * rowStep;
    const crow = c + <usize>oh * <usize>OW * sc;
    for (let ow0 = 0; ow0 < OW; ow0 += 8) {
      const ow = min<i32>(ow0, OW - 8);
      const a0 = arow + (<usize>ow << 2);
      const c0 = crow + <usize>ow * sc;
      let n = 0;
      for (; n < N4; n += 4) {
        let p0 = zero, p1 = zero, p2 = zero, p3 = zero; // pixels 0..3, channels n..n+3
        let q0 = zero, q1 = zero, q2 = zero, q3 = zero; // pixels 4..7
        let w = wp + (<usize>n << 2);
        let row = a0;
        for (let kh = 0; kh < KH; kh++) {
          const end = row + kwBytes;
          for (let x = row; x < end; x += 4) {
            const xl = v128.load(x), xh = v128.load(x, 16);
            let ws = v128.load32_splat(w);
            p0 = f32x4.add(p0, f32x4.mul(xl, ws));
            q0 = f32x4.add(q0, f32x4.mul(xh, ws));
            ws = v128.load32_splat(w, 4);
            p1 = f32x4.add(p1, f32x4.mul(xl, ws));
            q1 = f32x4.add(q1, f32x4.mul(xh, ws));
            ws = v128.load32_splat(w, 8);
            p2 = f32x4.add(p2, f32x4.mul(xl, ws));
            q2 = f32x4.add(q2, f32x4.mul(xh, ws));
            ws = v128.load32_splat(w, 12);
            p3 = f32x4.add(p3, f32x4.mul(xl, ws));
            q3 = f32x4.add(q3, f32x4.mul(xh, ws));
            w += tapStride;
          }
          row += rowStride;
        }
        const b = v128.load(bias + (<usize>n << 2));
        const cp = c0 + (<usize>n << 2);
        put4x4(cp, sc, p0, p1, p2, p3, b, act);
        put4x4(cp + 4 * sc, sc, q0, q1, q2, q3, b, act);
      }
      // the last 1..3 channels, two at a time (a lone last channel against a zero weight)
      for (; n < N; n += 2) {
        let p0 = zero, p1 = zero, q0 = zero, q1 = zero;
        let w = wp + (<usize>n << 2);
        let row = a0;
        for (let kh = 0; kh < KH; kh++) {
          const end = row + kwBytes;
          for (let x = row; x < end; x += 4) {
            const xl = v128.load(x), xh = v128.load(x, 16);
            let ws = v128.load32_splat(w);
            p0 = f32x4.add(p0, f32x4.mul(xl, ws));
            q0 = f32x4.add(q0, f32x4.mul(xh, ws));
            ws = v128.load32_splat(w, 4);
            p1 = f32x4.add(p1, f32x4.mul(xl, ws));
            q1 = f32x4.add(q1, f32x4.mul(xh, ws));
            w += tapStride;
          }
          row += rowStride;
        }
        const b = v128.load64_splat(bias + (<usize>n << 2));
        const one = n + 1 == N;
        const cp = c0 + (<usize>n << 2);
        put4x2(cp, sc, p0, p1, b, act, one);
        put4x2(cp + 4 * sc, sc, q0, q1, b, act, one);
      }
    }
  }
}

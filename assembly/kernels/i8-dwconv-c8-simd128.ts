// int8 depthwise convolution (one filter per channel, any kernel size, stride, dilation), one
// output pixel per call, 8 channels per SIMD step (NHWC keeps a pixel's channels contiguous):
//   acc[c] = sum over in-bounds taps of (x[ih][iw][c] - zx) * wT[tap][c]
// wT holds the weights transposed to [KH*KW][C] as i16 with the weight zero point already
// subtracted. Taps in the padding are skipped: padding is the input zero point, so it adds 0.
// Products are at most 255*255 and are widened to i32 (extmul), so every sum is exact.

/** x: one sample [H][W][C] int8; acc receives C i32 values for the output pixel whose window
 *  starts at (ih0, iw0) (may be negative: padding). */
export function i8_dwconv_c8(
  x: usize, H: i32, W: i32, C: i32, ih0: i32, iw0: i32, dh: i32, dw: i32, KH: i32, KW: i32,
  zx: i32, wT: usize, acc: usize,
): void {
  const C8 = C & ~7;
  const zv = i16x8.splat(<i16>zx);
  const rowBytes = <usize>W * <usize>C;
  for (let c = 0; c < C8; c += 8) {
    let lo = i32x4.splat(0), hi = i32x4.splat(0);
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) continue;
      const xrow = x + <usize>ih * rowBytes + <usize>c;
      const wrow = wT + ((<usize>(kh * KW) * <usize>C + <usize>c) << 1);
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) continue;
        const xv = i16x8.sub(v128.load8x8_s(xrow + <usize>iw * <usize>C), zv);
        const wv = v128.load(wrow + ((<usize>kw * <usize>C) << 1));
        lo = i32x4.add(lo, i32x4.extmul_low_i16x8_s(xv, wv));
        hi = i32x4.add(hi, i32x4.extmul_high_i16x8_s(xv, wv));
      }
    }
    v128.store(acc + (<usize>c << 2), lo);
    v128.store(acc + (<usize>c << 2), hi, 16);
  }
  for (let c = C8; c < C; c++) {
    let s: i32 = 0;
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) continue;
        const xv = <i32>load<i8>(x + <usize>ih * rowBytes + <usize>iw * <usize>C + <usize>c) - zx;
        s += xv * <i32>load<i16>(wT + ((<usize>(kh * KW + kw) * <usize>C + <usize>c) << 1));
      }
    }
    store<i32>(acc + (<usize>c << 2), s);
  }
}

// f32 depthwise convolution (one filter per channel, any kernel size, stride, dilation), one
// output pixel per call, 4 channels per SIMD step:
//   y[c] = sum over in-bounds taps, in (kh, kw) order from +0, of x[ih][iw][c] * wT[tap][c]
// wT holds the weights transposed to [KH*KW][C]. Padding taps are skipped (they add 0.0). The
// SIMD and scalar channels follow the same order, so every channel rounds the same way.

/** x: one sample [H][W][C]; y receives C floats for the output pixel whose window starts at (ih0, iw0). */
export function f32_dwconv_c4(
  x: usize, H: i32, W: i32, C: i32, ih0: i32, iw0: i32, dh: i32, dw: i32, KH: i32, KW: i32,
  wT: usize, y: usize,
): void {
  const C4 = C & ~3;
  const rowBytes = (<usize>W * <usize>C) << 2;
  for (let c = 0; c < C4; c += 4) {
    let a = f32x4.splat(0);
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) continue;
      const xrow = x + <usize>ih * rowBytes + (<usize>c << 2);
      const wrow = wT + ((<usize>(kh * KW) * <usize>C + <usize>c) << 2);
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) continue;
        a = f32x4.add(a, f32x4.mul(v128.load(xrow + ((<usize>iw * <usize>C) << 2)), v128.load(wrow + ((<usize>kw * <usize>C) << 2))));
      }
    }
    v128.store(y + (<usize>c << 2), a);
  }
  for (let c = C4; c < C; c++) {
    let s: f32 = 0;
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) continue;
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dw;
        if (iw < 0 || iw >= W) continue;
        s += load<f32>(x + ((<usize>ih * <usize>W + <usize>iw) * <usize>C + <usize>c << 2)) * load<f32>(wT + ((<usize>(kh * KW + kw) * <usize>C + <usize>c) << 2));
      }
    }
    store<f32>(y + (<usize>c << 2), s);
  }
}

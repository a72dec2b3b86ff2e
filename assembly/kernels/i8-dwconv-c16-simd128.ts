// int8 depthwise convolution (one filter per channel, any kernel size, stride, dilation), one
// output pixel per call, 16 then 8 channels per SIMD step (NHWC keeps a pixel's channels
// contiguous):
//   acc[c] = sum over in-image taps of (x[ih][iw][c] - zx) * wT[tap][c]
// wT holds the weights transposed to [KH*KW][C] as i16 with the weight zero point already
// subtracted. Taps in the padding are skipped: padding is the input zero point, so it adds 0.
// Products are at most 255*255 and are widened to i32 (extmul), so every sum is exact.

/** First tap t with 0 <= start + t*d. */
@inline function firstTap(start: i32, d: i32): i32 {
  return start >= 0 ? 0 : (-start + d - 1) / d;
}
/** One past the last tap t < K with start + t*d < size. */
@inline function endTap(start: i32, d: i32, size: i32, K: i32): i32 {
  const room = size - 1 - start;
  return room < 0 ? 0 : min<i32>(K, room / d + 1);
}

/** x: one sample [H][W][C] int8; acc receives C i32 values for the output pixel whose window
 *  starts at (ih0, iw0) (negative: padding). */
export function i8_dwconv_c16(
  x: usize, H: i32, W: i32, C: i32, ih0: i32, iw0: i32, dh: i32, dw: i32, KH: i32, KW: i32,
  zx: i32, wT: usize, acc: usize,
): void {
  const kh0 = firstTap(ih0, dh), kh1 = endTap(ih0, dh, H, KH);
  const kw0 = firstTap(iw0, dw), kw1 = endTap(iw0, dw, W, KW);
  const zv = i16x8.splat(<i16>zx);
  const xRow = <usize>W * <usize>C; // bytes per input row
  const xStepH = <usize>dh * xRow, xStepW = <usize>dw * <usize>C;
  const wRow = (<usize>KW * <usize>C) << 1;
  const xBase = x + <usize>(ih0 + kh0 * dh) * xRow + <usize>(iw0 + kw0 * dw) * <usize>C;
  const wBase = wT + <usize>kh0 * wRow + ((<usize>kw0 * <usize>C) << 1);
  let c = 0;
  for (; c + 16 <= C; c += 16) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let xr = xBase + <usize>c, wr = wBase + (<usize>c << 1);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        const xl = i16x8.sub(v128.load8x8_s(xp), zv);
        const xh = i16x8.sub(v128.load8x8_s(xp, 8), zv);
        const wl = v128.load(wp), wh = v128.load(wp, 16);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(xl, wl));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(xl, wl));
        a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_s(xh, wh));
        a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_s(xh, wh));
        xp += xStepW;
        wp += <usize>C << 1;
      }
      xr += xStepH;
      wr += wRow;
    }
    const o = acc + (<usize>c << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; c + 8 <= C; c += 8) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0);
    let xr = xBase + <usize>c, wr = wBase + (<usize>c << 1);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        const xl = i16x8.sub(v128.load8x8_s(xp), zv);
        const wl = v128.load(wp);
        a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(xl, wl));
        a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(xl, wl));
        xp += xStepW;
        wp += <usize>C << 1;
      }
      xr += xStepH;
      wr += wRow;
    }
    v128.store(acc + (<usize>c << 2), a0);
    v128.store(acc + (<usize>c << 2), a1, 16);
  }
  for (; c < C; c++) {
    let s: i32 = 0;
    let xr = xBase + <usize>c, wr = wBase + (<usize>c << 1);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        s += (<i32>load<i8>(xp) - zx) * <i32>load<i16>(wp);
        xp += xStepW;
        wp += <usize>C << 1;
      }
      xr += xStepH;
      wr += wRow;
    }
    store<i32>(acc + (<usize>c << 2), s);
  }
}

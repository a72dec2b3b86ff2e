// f32 depthwise convolution (one filter per channel, any kernel size, stride, dilation), one
// output pixel per call, 8 then 4 channels per SIMD step:
//   y[c] = sum over in-image taps, in (kh, kw) order from +0, of x[ih][iw][c] * wT[tap][c]
// wT holds the weights transposed to [KH*KW][C]. Padding taps are skipped (they add 0.0). Every
// channel, SIMD or scalar, is summed in the same tap order, so results do not depend on C.

/** First tap t with 0 <= start + t*d. */
@inline function firstTap(start: i32, d: i32): i32 {
  return start >= 0 ? 0 : (-start + d - 1) / d;
}
/** One past the last tap t < K with start + t*d < size. */
@inline function endTap(start: i32, d: i32, size: i32, K: i32): i32 {
  const room = size - 1 - start;
  return room < 0 ? 0 : min<i32>(K, room / d + 1);
}

/** x: one sample [H][W][C]; y receives C floats for the output pixel whose window starts at (ih0, iw0). */
export function f32_dwconv_c8(
  x: usize, H: i32, W: i32, C: i32, ih0: i32, iw0: i32, dh: i32, dw: i32, KH: i32, KW: i32,
  wT: usize, y: usize,
): void {
  const kh0 = firstTap(ih0, dh), kh1 = endTap(ih0, dh, H, KH);
  const kw0 = firstTap(iw0, dw), kw1 = endTap(iw0, dw, W, KW);
  const xRow = (<usize>W * <usize>C) << 2;
  const xStepH = <usize>dh * xRow, xStepW = (<usize>dw * <usize>C) << 2;
  const wRow = (<usize>KW * <usize>C) << 2, wStep = <usize>C << 2;
  const xBase = x + <usize>(ih0 + kh0 * dh) * xRow + ((<usize>(iw0 + kw0 * dw) * <usize>C) << 2);
  const wBase = wT + <usize>kh0 * wRow + <usize>kw0 * wStep;
  let c = 0;
  for (; c + 8 <= C; c += 8) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let xr = xBase + (<usize>c << 2), wr = wBase + (<usize>c << 2);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(wp)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(wp, 16)));
        xp += xStepW;
        wp += wStep;
      }
      xr += xStepH;
      wr += wRow;
    }
    v128.store(y + (<usize>c << 2), a0);
    v128.store(y + (<usize>c << 2), a1, 16);
  }
  for (; c + 4 <= C; c += 4) {
    let a0 = f32x4.splat(0);
    let xr = xBase + (<usize>c << 2), wr = wBase + (<usize>c << 2);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(wp)));
        xp += xStepW;
        wp += wStep;
      }
      xr += xStepH;
      wr += wRow;
    }
    v128.store(y + (<usize>c << 2), a0);
  }
  for (; c < C; c++) {
    let s: f32 = 0;
    let xr = xBase + (<usize>c << 2), wr = wBase + (<usize>c << 2);
    for (let kh = kh0; kh < kh1; kh++) {
      let xp = xr, wp = wr;
      for (let kw = kw0; kw < kw1; kw++) {
        s += load<f32>(xp) * load<f32>(wp);
        xp += xStepW;
        wp += wStep;
      }
      xr += xStepH;
      wr += wRow;
    }
    store<f32>(y + (<usize>c << 2), s);
  }
}

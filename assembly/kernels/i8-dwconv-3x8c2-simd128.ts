// int8 depthwise convolution over one output row, 3 output pixels x 8 channels per step, taps in
// horizontal pairs so one i32x4.dot_i16x8_s does two taps of 4 channels:
//   acc[p][c] = sum_{kh} sum_{j < KWP} dot(q_kh[(p*sw + 2j*dw) / g][c], w[kh][j][c])
// where q_kh is the pair row of the window's input row kh (see i8_dwconv_pair_row): entry
// [col][c] holds the i16 pair (x[g*col][c], x[g*col + dw][c]) of the padded row minus the
// input zero point (g = gcd(sw, 2*dw) divides every column a window starts on); w[kh][j][c]
// holds (w[kh][2j][c], w[kh][2j+1][c]) minus the weight zero point (0 for the missing partner of
// an odd KW). Padding is 0 after the subtraction, so every window is full and there are no bounds
// tests. |x - zx|, |w - zw| <= 255: every sum is exact.
// Channels run in blocks of 8 (Cp = C rounded up to 8; pad channels have zero weights).
// For M >= 3 a partial last group of pixels is recomputed as the last 3 pixels (3, not 4: with
// 4 pixels TurboFan hoists the loads and spills accumulators).

/** One pair-row column per channel is 4 bytes; entries of a column are Cp pairs. */
@inline function pairBytes(Cp: i32): usize { return <usize>Cp << 2; }

/**
 * Pair row of one int8 input row [W][C]: q gets [cols][Cp] i16 pairs (x[g*col - pl] - zx,
 * x[g*col - pl + dw] - zx), where columns outside the row read zxRow (C bytes of zx, so they
 * become 0). g > 1 keeps only the columns windows start on (stride 2: every other one). Pad
 * channels C..Cp are never written: they stay 0 from load time.
 */
export function i8_dwconv_pair_row(
  row: usize, W: i32, C: i32, Cp: i32, pl: i32, dw: i32, g: i32, cols: i32, zx: i32, zxRow: usize, q: usize,
): void {
  const C8 = C & ~7;
  const zv = i16x8.splat(<i16>zx);
  const colBytes = <usize>Cp << 2;
  let d = q;
  for (let col = 0; col < cols; col++) {
    const ia = col * g - pl, ib = ia + dw;
    const pa = <u32>ia < <u32>W ? row + <usize>ia * <usize>C : zxRow;
    const pb = <u32>ib < <u32>W ? row + <usize>ib * <usize>C : zxRow;
    let c = 0;
    for (; c < C8; c += 8) {
      const a = i16x8.sub(v128.load8x8_s(pa + <usize>c), zv), b = i16x8.sub(v128.load8x8_s(pb + <usize>c), zv);
      const o = d + (<usize>c << 2);
      v128.store(o, i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(o, i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    for (; c < C; c++) {
      const o = d + (<usize>c << 2);
      store<i16>(o, <i16>(<i32>load<i8>(pa + <usize>c) - zx));
      store<i16>(o, <i16>(<i32>load<i8>(pb + <usize>c) - zx), 2);
    }
    d += colBytes;
  }
}

/**
 * taps: T u32 addresses, one per tap pair of the window ([kh][j] order, column 0 = the first
 * pixel's window); pixStep: bytes between pixels' window starts (stride * Cp pairs); w: [T][Cp]
 * pairs; acc: M pixels of Cp i32, accStride bytes apart. One flat loop over the tap pairs keeps
 * the loop overhead per step small.
 */
export function i8_dwconv_3x8c2(
  taps: usize, T: i32, pixStep: usize, M: i32, Cp: i32, w: usize, acc: usize, accStride: usize,
): void {
  const tapEnd = taps + (<usize>T << 2);
  if (M >= 3) {
    for (let m0 = 0; m0 < M; m0 += 3) {
      const m = min<i32>(m0, M - 3);
      const pix = <usize>m * pixStep;
      const out = acc + <usize>m * accStride;
      for (let c = 0; c < Cp; c += 8) {
        const cb = <usize>c << 2;
        const base = pix + cb;
        let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
        let p1 = i32x4.splat(0), q1 = i32x4.splat(0);
        let p2 = i32x4.splat(0), q2 = i32x4.splat(0);
        let wp = w + cb;
        for (let t = taps; t < tapEnd; t += 4) {
          const x0 = <usize>load<u32>(t) + base;
          const wl = v128.load(wp), wh = v128.load(wp, 16);
          p0 = i32x4.add(p0, i32x4.dot_i16x8_s(v128.load(x0), wl));
          q0 = i32x4.add(q0, i32x4.dot_i16x8_s(v128.load(x0, 16), wh));
          const x1 = x0 + pixStep;
          p1 = i32x4.add(p1, i32x4.dot_i16x8_s(v128.load(x1), wl));
          q1 = i32x4.add(q1, i32x4.dot_i16x8_s(v128.load(x1, 16), wh));
          const x2 = x1 + pixStep;
          p2 = i32x4.add(p2, i32x4.dot_i16x8_s(v128.load(x2), wl));
          q2 = i32x4.add(q2, i32x4.dot_i16x8_s(v128.load(x2, 16), wh));
          wp += pairBytes(Cp);
        }
        const o = out + cb;
        v128.store(o, p0); v128.store(o, q0, 16);
        v128.store(o + accStride, p1); v128.store(o + accStride, q1, 16);
        v128.store(o + 2 * accStride, p2); v128.store(o + 2 * accStride, q2, 16);
      }
    }
    return;
  }
  for (let m = 0; m < M; m++) {
    const pix = <usize>m * pixStep;
    const out = acc + <usize>m * accStride;
    for (let c = 0; c < Cp; c += 8) {
      const cb = <usize>c << 2;
      let p0 = i32x4.splat(0), q0 = i32x4.splat(0);
      let wp = w + cb;
      for (let t = taps; t < tapEnd; t += 4) {
        const x = <usize>load<u32>(t) + pix + cb;
        p0 = i32x4.add(p0, i32x4.dot_i16x8_s(v128.load(x), v128.load(wp)));
        q0 = i32x4.add(q0, i32x4.dot_i16x8_s(v128.load(x, 16), v128.load(wp, 16)));
        wp += pairBytes(Cp);
      }
      v128.store(out + cb, p0);
      v128.store(out + cb, q0, 16);
    }
  }
}

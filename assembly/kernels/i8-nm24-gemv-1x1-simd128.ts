// 2:4 structured-sparse int8 GEMV (one batch row), reading the container's 2:4 arrays in place:
// per 4 groups (16 activations) the two kept activations of each group are gathered with one
// i8x16.swizzle whose mask comes from the groups' nibbles through a 256-entry table (one entry
// per index byte = two groups), then widened and multiplied with the 8 kept weights by one
// i32x4.dot_i16x8_s. Half the multiplies of the dense GEMV and 0.625 bytes of weights per
// dense weight; no decoding into a panel. Exact for the full int8 range.

// index byte -> swizzle bytes [a0, b0, 4 + a1, 4 + b1] (groups 0, 1 of four) and the same + 8
// (groups 2, 3); invalid nibbles (refused at load) select in-range lanes anyway
const maskLo: usize = memory.data(256 * 4, 16);
const maskHi: usize = memory.data(256 * 4, 16);
let masksReady = false;

function ensureMasks(): void {
  if (masksReady) return;
  for (let i: u32 = 0; i < 256; i++) {
    const v = (i & 3) | (((i >> 2) & 3) << 8) | ((4 + ((i >> 4) & 3)) << 16) | ((4 + (i >> 6)) << 24);
    store<u32>(maskLo + (<usize>i << 2), v);
    store<u32>(maskHi + (<usize>i << 2), v + 0x08080808);
  }
  masksReady = true;
}

/**
 * acc[n] = sum_k x[k] * W[n][k] for n in 0..N-1, W given as 2:4 values [N][K/2] and nibbles
 * [N][ceil(K/8)] (K a multiple of 4).
 */
export function i8_nm24_gemv_1x1(x: usize, vals: usize, idx: usize, K: i32, N: i32, acc: usize): void {
  ensureMasks();
  const G = K >> 2, G4 = G & ~3;
  const half = <usize>(K >> 1), irow = <usize>((K + 7) >> 3);
  for (let n = 0; n < N; n++) {
    const vr = vals + <usize>n * half, ir = idx + <usize>n * irow;
    let s0 = i32x4.splat(0), s1 = i32x4.splat(0);
    let g = 0;
    for (; g + 8 <= G4; g += 8) {
      const ib = <u32>load<u32>(ir + (<usize>g >> 1));
      let m0 = v128.load32_zero(maskLo + (<usize>(ib & 255) << 2));
      m0 = v128.load32_lane(maskHi + (<usize>((ib >> 8) & 255) << 2), m0, 1);
      let m1 = v128.load32_zero(maskLo + (<usize>((ib >> 16) & 255) << 2));
      m1 = v128.load32_lane(maskHi + (<usize>(ib >> 24) << 2), m1, 1);
      const x0 = i16x8.extend_low_i8x16_s(i8x16.swizzle(v128.load(x + (<usize>g << 2)), m0));
      const x1 = i16x8.extend_low_i8x16_s(i8x16.swizzle(v128.load(x + (<usize>g << 2), 16), m1));
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x0, v128.load8x8_s(vr + (<usize>g << 1))));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x1, v128.load8x8_s(vr + (<usize>g << 1), 8)));
    }
    for (; g < G4; g += 4) {
      const ib = <u32>load<u16>(ir + (<usize>g >> 1));
      let m0 = v128.load32_zero(maskLo + (<usize>(ib & 255) << 2));
      m0 = v128.load32_lane(maskHi + (<usize>(ib >> 8) << 2), m0, 1);
      const x0 = i16x8.extend_low_i8x16_s(i8x16.swizzle(v128.load(x + (<usize>g << 2)), m0));
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x0, v128.load8x8_s(vr + (<usize>g << 1))));
    }
    const s = i32x4.add(s0, s1);
    let sum = (i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1)) + (i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3));
    for (; g < G; g++) {
      const nib = (<u32>load<u8>(ir + (<usize>g >> 1)) >> (<u32>(g & 1) << 2)) & 15;
      const xg = x + (<usize>g << 2);
      sum += <i32>load<i8>(xg + <usize>(nib & 3)) * <i32>load<i8>(vr + (<usize>g << 1));
      sum += <i32>load<i8>(xg + <usize>(nib >> 2)) * <i32>load<i8>(vr + (<usize>g << 1) + 1);
    }
    store<i32>(acc + (<usize>n << 2), sum);
  }
}

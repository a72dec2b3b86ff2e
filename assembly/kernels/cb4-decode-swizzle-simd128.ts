// 4-bit codebook -> int8 weights, 32 per step: the 16 centroids sit in one v128 and
// i8x16.swizzle uses it as a lookup table. Indices are packed LSB first (weight 2i in the low
// nibble of byte i), so the low and high nibbles are split and interleaved back into weight
// order with two shuffles before the lookups.

/** dst[k] = centroids[index k of src] for k < K; lutPtr: 16 int8 centroids (unused ones 0). */
export function cb4_decode_swizzle(src: usize, K: i32, lutPtr: usize, dst: usize): void {
  const lut = v128.load(lutPtr);
  const K32 = K & ~31;
  const mask = i8x16.splat(0x0f);
  for (let k = 0; k < K32; k += 32) {
    const v = v128.load(src + (<usize>k >> 1));
    const lo = v128.and(v, mask);
    const hi = i8x16.shr_u(v, 4);
    const a = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const b = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    v128.store(dst + <usize>k, i8x16.swizzle(lut, a));
    v128.store(dst + <usize>k, i8x16.swizzle(lut, b), 16);
  }
  for (let k = K32; k < K; k++) {
    const idx = (<u32>load<u8>(src + (<usize>k >> 1)) >> (<u32>(k & 1) << 2)) & 15;
    store<i8>(dst + <usize>k, <i8>i8x16.extract_lane_s(i8x16.swizzle(lut, i8x16.splat(<i8>idx)), 0));
  }
}

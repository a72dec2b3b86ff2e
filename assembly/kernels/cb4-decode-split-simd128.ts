// 4-bit codebook -> int8 weights in "split" order, 32 per step: of each block of 32 weights the
// 16 at even k come first, then the 16 at odd k. That is the order the container's nibbles are in
// once split (weight 2i is the low nibble of byte i, weight 2i+1 the high one), so no interleaving
// shuffles are needed: per 16 bytes of indices one and, one shift + and, and two i8x16.swizzle
// lookups (the 16 centroids in one v128). A dot product does not depend on the order of its terms,
// so the GEMM gives the exact result as long as the activations are permuted the same way
// (cb4_split_row / cb4_pack_x4_split). Weights past the last full block of 32 keep natural order.

// the nibble mask, read from memory once per call so TurboFan keeps it in a register instead of
// rebuilding the constant inside the loop
const NIBBLE_MASK = memory.data<u8>([15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15], 16);

/** Index of natural position k in the split order of a row of K (identity past K & ~31). */
export function cb4SplitPos(K: i32, k: i32): i32 {
  if (k >= (K & ~31)) return k;
  return (k & ~31) + ((k & 1) << 4) + ((k & 31) >> 1);
}

/** dst[0..K) = centroids of the K 4-bit indices at src, in split order; lutPtr: 16 int8 centroids (unused ones 0). */
export function cb4_decode_split(src: usize, K: i32, lutPtr: usize, dst: usize): void {
  const lut = v128.load(lutPtr);
  const mask = v128.load(NIBBLE_MASK);
  const K32 = K & ~31;
  const e64 = dst + <usize>(K & ~63);
  let s = src, d = dst;
  for (; d < e64; d += 64) {
    const v0 = v128.load(s), v1 = v128.load(s, 16);
    v128.store(d, i8x16.swizzle(lut, v128.and(v0, mask)));
    v128.store(d, i8x16.swizzle(lut, v128.and(i16x8.shr_u(v0, 4), mask)), 16);
    v128.store(d, i8x16.swizzle(lut, v128.and(v1, mask)), 32);
    v128.store(d, i8x16.swizzle(lut, v128.and(i16x8.shr_u(v1, 4), mask)), 48);
    s += 32;
  }
  if ((K & 32) != 0) {
    const v = v128.load(s);
    v128.store(d, i8x16.swizzle(lut, v128.and(v, mask)));
    v128.store(d, i8x16.swizzle(lut, v128.and(i16x8.shr_u(v, 4), mask)), 16);
  }
  for (let k = K32; k < K; k++) {
    const idx = (<u32>load<u8>(src + (<usize>k >> 1)) >> (<u32>(k & 1) << 2)) & 15;
    store<i8>(dst + <usize>k, load<i8>(lutPtr + <usize>idx));
  }
}

@inline function evens(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
@inline function odds(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

/** One activation row of K int8 permuted into split order (for the GEMV over a split panel). */
export function cb4_split_row(x: usize, K: i32, dst: usize): void {
  const K32 = K & ~31;
  for (let k = 0; k < K32; k += 32) {
    const a = v128.load(x + <usize>k), b = v128.load(x + <usize>k, 16);
    v128.store(dst + <usize>k, evens(a, b));
    v128.store(dst + <usize>k, odds(a, b), 16);
  }
  memory.copy(dst + <usize>K32, x + <usize>K32, <usize>(K - K32));
}

/**
 * 4 activation rows (row stride K) permuted into split order and packed for the panel GEMM:
 * [K8/8][4][8] (chunk c of row r at c*32 + r*8), then the K tail [4][K % 8]; dst holds 4K bytes.
 */
export function cb4_pack_x4_split(x: usize, K: i32, dst: usize): void {
  const K32 = K & ~31, K8 = K & ~7;
  const kt = <usize>(K - K8);
  for (let r = 0; r < 4; r++) {
    const src = x + <usize>r * <usize>K;
    let d = dst + (<usize>r << 3);
    for (let k = 0; k < K32; k += 32) {
      const a = v128.load(src + <usize>k), b = v128.load(src + <usize>k, 16);
      const e = evens(a, b), o = odds(a, b);
      v128.store64_lane(d, e, 0);
      v128.store64_lane(d, e, 1, 32);
      v128.store64_lane(d, o, 0, 64);
      v128.store64_lane(d, o, 1, 96);
      d += 128;
    }
    for (let k = K32; k < K8; k += 8) { store<u64>(d, load<u64>(src + <usize>k)); d += 32; }
    memory.copy(dst + (<usize>K8 << 2) + <usize>r * kt, src + <usize>K8, kt);
  }
}

/**
 * 4 rows of 4-bit indices (row stride rowBytes) decoded in split order straight into one block of
 * the packed layout of ops/weights.ts (kc = 8: [K8/8][4][8], then the K tail [4][K % 8]), the
 * layout i8_gemv_1x4c8_packed reads; dst holds 4K bytes.
 */
export function cb4_decode_split_block4(src: usize, rowBytes: usize, K: i32, lutPtr: usize, dst: usize): void {
  const lut = v128.load(lutPtr);
  const mask = v128.load(NIBBLE_MASK);
  const K32 = K & ~31, K8 = K & ~7;
  const kt = <usize>(K - K8);
  for (let r = 0; r < 4; r++) {
    const s0 = src + <usize>r * rowBytes;
    let s = s0;
    let d = dst + (<usize>r << 3);
    const e = d + (<usize>K32 << 2);
    for (; d < e; d += 128) {
      const v = v128.load(s);
      const lo = i8x16.swizzle(lut, v128.and(v, mask));
      const hi = i8x16.swizzle(lut, v128.and(i16x8.shr_u(v, 4), mask));
      v128.store64_lane(d, lo, 0);
      v128.store64_lane(d, lo, 1, 32);
      v128.store64_lane(d, hi, 0, 64);
      v128.store64_lane(d, hi, 1, 96);
      s += 16;
    }
    for (let k = K32; k < K; k++) {
      const idx = (<u32>load<u8>(s0 + (<usize>k >> 1)) >> (<u32>(k & 1) << 2)) & 15;
      const at = k < K8 ? d + (<usize>(k - K32) >> 3) * 32 + <usize>(k & 7) : dst + (<usize>K8 << 2) + <usize>r * kt + <usize>(k - K8);
      store<i8>(at, load<i8>(lutPtr + <usize>idx));
    }
  }
}

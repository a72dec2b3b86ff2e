// 2:4 structured-sparse int8 weights x dense int8 activations, up to 32 batch rows per call, with
// a "pair table": a kept weight pair (w_a, w_b) of a group of four meets only x[a] and x[b], so
// per call every group's six possible activation pairs are laid out as int16 pairs, four batch
// rows per vector, and each kept pair costs ONE i32x4.dot_i16x8_s against splat(w_a | w_b << 16)
// per four rows: half the dots of the dense kernel, and no decoding of the weights.
//
// Layouts:
// - table: [groups][6 pairs][8 blocks] v128 (block j, lane l = batch row 4j + l holds x[a] in the
//   low int16 and x[b] in the high int16). The block stride is fixed at 8 so the pair offsets
//   are constants; only the blocks a call uses are written (and read).
// - the container's 2:4 arrays are read in place: values [N][K/2] int8 (w_a, w_b per group) and
//   indices [N][ceil(K/8)] bytes, one nibble a | b << 2 per group (validated at load: a < b);
//   a 256-entry table turns an index byte (two groups) into both groups' pair offsets. (A
//   per-group selector byte stream built at load measured no faster and cost K/4 bytes a row.)
// - accT: [N][32] i32, lane m = batch row m (the layout of the CSR kernel; i8_spmm_unpack32 reads it).
// Exact for the full int8 range: each int32 lane adds two int16 products.

const BLOCK: usize = 16;
const PAIR_STRIDE: usize = 8 * BLOCK; // one pair's 8 row blocks
export const PAIRGEMM_GROUP_BYTES: usize = 6 * PAIR_STRIDE; // one group's table entry
/** Pair index (0..5) of a nibble a | b << 2 with a < b; other nibbles (refused at load) give 0. */
function pairIndex(nib: u32): u32 {
  const a = nib & 3, b = nib >> 2;
  if (a >= b) return 0;
  // (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
  return a == 0 ? b - 1 : a == 1 ? b + 1 : 5;
}

// index byte (two nibbles) -> the low nibble's pair offset in its group's table entry | the
// high nibble's << 16
const offsetLut: usize = memory.data(256 * 4, 16);
let lutReady = false;

function ensureLut(): void {
  if (lutReady) return;
  for (let i: u32 = 0; i < 256; i++) {
    const lo = pairIndex(i & 15) * <u32>PAIR_STRIDE, hi = pairIndex(i >> 4) * <u32>PAIR_STRIDE;
    store<u32>(offsetLut + (<usize>i << 2), lo | (hi << 16));
  }
  lutReady = true;
}

/**
 * Fills the table blocks 0..ceil(rows/4)-1 for `rows` (1..32) rows of x (row stride K, K a
 * multiple of 4); lanes of rows past `rows` are zero.
 */
export function i8_pairgemm_pack(x: usize, K: i32, rows: i32, table: usize): void {
  ensureLut();
  const G = K >> 2;
  const B = (rows + 3) >> 2;
  const xs = <usize>K;
  for (let j = 0; j < B; j++) {
    const r0 = j << 2;
    const full = r0 + 4 <= rows;
    const x0 = x + <usize>r0 * xs;
    let t = table + (<usize>j << 4);
    for (let g = 0; g < G; g++) {
      const o = <usize>g << 2;
      let v: v128;
      if (full) {
        v = v128.load32_zero(x0 + o);
        v = v128.load32_lane(x0 + xs + o, v, 1);
        v = v128.load32_lane(x0 + 2 * xs + o, v, 2);
        v = v128.load32_lane(x0 + 3 * xs + o, v, 3);
      } else {
        v = i32x4.splat(0);
        v = i32x4.replace_lane(v, 0, load<i32>(x0 + o));
        if (r0 + 1 < rows) v = i32x4.replace_lane(v, 1, load<i32>(x0 + xs + o));
        if (r0 + 2 < rows) v = i32x4.replace_lane(v, 2, load<i32>(x0 + 2 * xs + o));
      }
      // lo: rows 0, 1 as int16 [x0 x1 x2 x3 | x0 x1 x2 x3]; hi: rows 2, 3
      const lo = i16x8.extend_low_i8x16_s(v), hi = i16x8.extend_high_i8x16_s(v);
      v128.store(t, i16x8.shuffle(lo, hi, 0, 1, 4, 5, 8, 9, 12, 13), 0 * PAIR_STRIDE);
      v128.store(t, i16x8.shuffle(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14), 1 * PAIR_STRIDE);
      v128.store(t, i16x8.shuffle(lo, hi, 0, 3, 4, 7, 8, 11, 12, 15), 2 * PAIR_STRIDE);
      v128.store(t, i16x8.shuffle(lo, hi, 1, 2, 5, 6, 9, 10, 13, 14), 3 * PAIR_STRIDE);
      v128.store(t, i16x8.shuffle(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15), 4 * PAIR_STRIDE);
      v128.store(t, i16x8.shuffle(lo, hi, 2, 3, 6, 7, 10, 11, 14, 15), 5 * PAIR_STRIDE);
      t += PAIRGEMM_GROUP_BYTES;
    }
  }
}

/** One weight pair (as an int16 pair in every int32 lane) against NB row blocks at p. */
@inline function pairDot(w: v128, p: usize, NB: i32, acc: usize): void {
  // (kept as a helper for the tail only; the main loop is written out for register allocation)
  for (let j = 0; j < NB; j++) {
    const q = acc + (<usize>j << 4);
    v128.store(q, i32x4.add(v128.load(q), i32x4.dot_i16x8_s(v128.load(p + (<usize>j << 4)), w)));
  }
}

// One variant per row-block count 1..8 (NB is a constant after inlining). Read the machine code
// before reshaping this loop: in this form V8 11.3 keeps the 8 accumulators, the 4 weight splats
// and the loads in the 16 xmm registers; an earlier form of the same loop (accumulators updated
// in if-blocks of 2 and 4) spilled about 20 vectors a step and ran 1.15-1.2x slower.
@inline function body(NB: i32, table: usize, vals: usize, idx: usize, K: i32, g0: i32, g1: i32, n0: i32, cnt: i32, accT: usize, first: bool): void {
  const half = <usize>(K >> 1), irow = <usize>((K + 7) >> 3);
  const lut = offsetLut;
  for (let n = 0; n < cnt; n++) {
    const ap = accT + (<usize>n << 7);
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
    if (!first) {
      a0 = v128.load(ap, 0);
      if (NB > 1) a1 = v128.load(ap, 16);
      if (NB > 2) a2 = v128.load(ap, 32);
      if (NB > 3) a3 = v128.load(ap, 48);
      if (NB > 4) a4 = v128.load(ap, 64);
      if (NB > 5) a5 = v128.load(ap, 80);
      if (NB > 6) a6 = v128.load(ap, 96);
      if (NB > 7) a7 = v128.load(ap, 112);
    }
    const vr = vals + <usize>(n0 + n) * half;
    const ir = idx + <usize>(n0 + n) * irow;
    let tp = table + <usize>g0 * PAIRGEMM_GROUP_BYTES;
    let g = g0;
    for (; g + 4 <= g1; g += 4) {
      const wv = v128.load8x8_s(vr + (<usize>g << 1));
      const ib = <u32>load<u16>(ir + (<usize>g >> 1));
      const o01 = load<u32>(lut + (<usize>(ib & 255) << 2)), o23 = load<u32>(lut + (<usize>(ib >> 8) << 2));
      const w0 = i32x4.shuffle(wv, wv, 0, 0, 0, 0);
      const w1 = i32x4.shuffle(wv, wv, 1, 1, 1, 1);
      const w2 = i32x4.shuffle(wv, wv, 2, 2, 2, 2);
      const w3 = i32x4.shuffle(wv, wv, 3, 3, 3, 3);
      const p0 = tp + 0 + <usize>(o01 & 0xffff);
      const p1 = tp + 768 + <usize>(o01 >> 16);
      const p2 = tp + 1536 + <usize>(o23 & 0xffff);
      const p3 = tp + 2304 + <usize>(o23 >> 16);
      if (NB > 0) a0 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p0, 0), w0)), i32x4.dot_i16x8_s(v128.load(p1, 0), w1)), i32x4.dot_i16x8_s(v128.load(p2, 0), w2)), i32x4.dot_i16x8_s(v128.load(p3, 0), w3));
      if (NB > 1) a1 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p0, 16), w0)), i32x4.dot_i16x8_s(v128.load(p1, 16), w1)), i32x4.dot_i16x8_s(v128.load(p2, 16), w2)), i32x4.dot_i16x8_s(v128.load(p3, 16), w3));
      if (NB > 2) a2 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p0, 32), w0)), i32x4.dot_i16x8_s(v128.load(p1, 32), w1)), i32x4.dot_i16x8_s(v128.load(p2, 32), w2)), i32x4.dot_i16x8_s(v128.load(p3, 32), w3));
      if (NB > 3) a3 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p0, 48), w0)), i32x4.dot_i16x8_s(v128.load(p1, 48), w1)), i32x4.dot_i16x8_s(v128.load(p2, 48), w2)), i32x4.dot_i16x8_s(v128.load(p3, 48), w3));
      if (NB > 4) a4 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(p0, 64), w0)), i32x4.dot_i16x8_s(v128.load(p1, 64), w1)), i32x4.dot_i16x8_s(v128.load(p2, 64), w2)), i32x4.dot_i16x8_s(v128.load(p3, 64), w3));
      if (NB > 5) a5 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(p0, 80), w0)), i32x4.dot_i16x8_s(v128.load(p1, 80), w1)), i32x4.dot_i16x8_s(v128.load(p2, 80), w2)), i32x4.dot_i16x8_s(v128.load(p3, 80), w3));
      if (NB > 6) a6 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(p0, 96), w0)), i32x4.dot_i16x8_s(v128.load(p1, 96), w1)), i32x4.dot_i16x8_s(v128.load(p2, 96), w2)), i32x4.dot_i16x8_s(v128.load(p3, 96), w3));
      if (NB > 7) a7 = i32x4.add(i32x4.add(i32x4.add(i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(p0, 112), w0)), i32x4.dot_i16x8_s(v128.load(p1, 112), w1)), i32x4.dot_i16x8_s(v128.load(p2, 112), w2)), i32x4.dot_i16x8_s(v128.load(p3, 112), w3));
      tp += 4 * PAIRGEMM_GROUP_BYTES;
    }
    v128.store(ap, a0, 0);
    if (NB > 1) v128.store(ap, a1, 16);
    if (NB > 2) v128.store(ap, a2, 32);
    if (NB > 3) v128.store(ap, a3, 48);
    if (NB > 4) v128.store(ap, a4, 64);
    if (NB > 5) v128.store(ap, a5, 80);
    if (NB > 6) v128.store(ap, a6, 96);
    if (NB > 7) v128.store(ap, a7, 112);
    // the last groups of a row whose group count is not a multiple of the step
    for (; g < g1; g++) {
      const wa = <i32>load<i8>(vr + (<usize>g << 1)), wb = <i32>load<i8>(vr + (<usize>g << 1) + 1);
      const nib = (<u32>load<u8>(ir + (<usize>g >> 1)) >> (<u32>(g & 1) << 2)) & 15;
      pairDot(i32x4.splat((wa & 0xffff) | (wb << 16)), tp + <usize>(load<u32>(lut + (<usize>nib << 2)) & 0xffff), NB, ap);
      tp += PAIRGEMM_GROUP_BYTES;
    }
  }
}

/**
 * accT[n][32] (+)= the products of weight rows n0..n0+cnt-1 over groups [g0, g1) (g0 a multiple
 * of 4) for the NB row blocks (NB = 8, 4, 2 or 1) starting at `table` / `accT` (the caller offsets
 * both by 16 bytes per skipped block). first: start from zero instead of accT's contents.
 */
export function i8_pairgemm_32x1(NB: i32, table: usize, vals: usize, idx: usize, K: i32, g0: i32, g1: i32, n0: i32, cnt: i32, accT: usize, first: bool): void {
  if (NB >= 8) body(8, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB == 7) body(7, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB == 6) body(6, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB == 5) body(5, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB == 4) body(4, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB == 3) body(3, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else if (NB >= 2) body(2, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
  else body(1, table, vals, idx, K, g0, g1, n0, cnt, accT, first);
}

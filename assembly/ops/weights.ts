// Weight access for ops that want plain rows: dense tensors are read in place; CSR, 2:4 and
// codebook tensors are decoded once at load into memory the model owns. Ops with a dedicated
// compressed kernel read the encoded form directly instead.
import { Encoding } from "../format/spec";
import { cb4_decode_swizzle } from "../kernels/cb4-decode-swizzle-simd128";
import { alloc, free } from "../runtime/alloc";
import { Model, dtypeSize, own, tAuxLen, tAuxPtr, tBits, tDataPtr, tDim, tDType, tEncoding, tNumel } from "../model";

/** Address of [dims[0]][rowLen] plain weights of the tensor's dtype, or 0 when out of memory. */
export function weightRows(m: Model, t: u32): usize {
  const enc = tEncoding(m, t);
  const data = tDataPtr(m, t);
  if (enc == Encoding.Dense) return data;
  const es = <usize>dtypeSize(tDType(m, t));
  const N = tDim(m, t, 0);
  const numel = tNumel(m, t);
  const rowLen = numel / N;
  const out = own(m, <usize>numel * es);
  if (out == 0) return 0;
  const aux = tAuxPtr(m, t);
  if (enc == Encoding.Csr) {
    const cols = aux + (<usize>(N + 1) << 2);
    for (let r = 0; r < N; r++) {
      const a = load<u32>(aux + (<usize>r << 2)), b = load<u32>(aux + (<usize>(r + 1) << 2));
      const row = out + <usize>r * <usize>rowLen * es;
      for (let j = a; j < b; j++) {
        const c = <usize>load<u16>(cols + (<usize>j << 1));
        memory.copy(row + c * es, data + <usize>j * es, es);
      }
    }
  } else if (enc == Encoding.Nm24) {
    const idxRow = <usize>((rowLen + 7) >> 3);
    const groups = rowLen >> 2;
    for (let r = 0; r < N; r++) {
      const row = out + <usize>r * <usize>rowLen * es;
      const vals = data + <usize>r * <usize>(rowLen >> 1) * es;
      const idx = aux + <usize>r * idxRow;
      for (let g = 0; g < groups; g++) {
        const nib = (<u32>load<u8>(idx + <usize>(g >> 1)) >> (<u32>(g & 1) << 2)) & 15;
        const base = row + <usize>(g << 2) * es;
        memory.copy(base + <usize>(nib & 3) * es, vals + <usize>(g << 1) * es, es);
        memory.copy(base + <usize>(nib >> 2) * es, vals + <usize>((g << 1) + 1) * es, es);
      }
    }
  } else {
    const bits = <u32>tBits(m, t);
    const mask: u32 = (1 << bits) - 1;
    const rowBytes = <usize>((<u64>rowLen * bits + 7) >> 3);
    for (let r = 0; r < N; r++) {
      const src = data + <usize>r * rowBytes;
      const row = out + <usize>r * <usize>rowLen * es;
      for (let i = 0; i < rowLen; i++) {
        const bit = <usize>i * bits;
        const v = (<u32>load<u8>(src + (bit >> 3)) >> <u32>(bit & 7)) & mask;
        memory.copy(row + <usize>i * es, aux + <usize>v * es, es);
      }
    }
  }
  return out;
}

/**
 * Decodes rows [n0, n0 + cnt) of a compressed int8 weight tensor (CSR, 2:4 or codebook) into
 * dst ([cnt][K] int8), for kernels that multiply a small decoded panel that stays in L1 instead
 * of a decoded copy of the whole tensor. lut: 16 bytes holding a 4-bit codebook's centroids (zero padded).
 */
export function decodeRowsI8(m: Model, t: u32, n0: i32, cnt: i32, dst: usize, lut: usize): void {
  const enc = tEncoding(m, t);
  const data = tDataPtr(m, t);
  const aux = tAuxPtr(m, t);
  const N = tDim(m, t, 0);
  const K = tNumel(m, t) / N;
  if (enc == Encoding.Codebook) {
    const bits = <u32>tBits(m, t);
    const rowBytes = <usize>((<u64>K * bits + 7) >> 3);
    if (bits == 4) {
      for (let r = 0; r < cnt; r++) cb4_decode_swizzle(data + <usize>(n0 + r) * rowBytes, K, lut, dst + <usize>r * <usize>K);
      return;
    }
    const mask: u32 = (1 << bits) - 1;
    for (let r = 0; r < cnt; r++) {
      const src = data + <usize>(n0 + r) * rowBytes;
      const row = dst + <usize>r * <usize>K;
      for (let i = 0; i < K; i++) {
        const bit = <usize>i * bits;
        store<i8>(row + <usize>i, load<i8>(aux + <usize>((<u32>load<u8>(src + (bit >> 3)) >> <u32>(bit & 7)) & mask)));
      }
    }
    return;
  }
  memory.fill(dst, 0, <usize>cnt * <usize>K);
  if (enc == Encoding.Csr) {
    const cols = aux + (<usize>(N + 1) << 2);
    for (let r = 0; r < cnt; r++) {
      const row = dst + <usize>r * <usize>K;
      const a = load<u32>(aux + (<usize>(n0 + r) << 2)), b = load<u32>(aux + (<usize>(n0 + r + 1) << 2));
      for (let j = a; j < b; j++) store<i8>(row + <usize>load<u16>(cols + (<usize>j << 1)), load<i8>(data + <usize>j));
    }
    return;
  }
  // 2:4
  const idxRow = <usize>((K + 7) >> 3);
  const groups = K >> 2;
  for (let r = 0; r < cnt; r++) {
    const row = dst + <usize>r * <usize>K;
    const vals = data + <usize>(n0 + r) * <usize>(K >> 1);
    const idx = aux + <usize>(n0 + r) * idxRow;
    for (let g = 0; g < groups; g++) {
      const nib = (<u32>load<u8>(idx + <usize>(g >> 1)) >> (<u32>(g & 1) << 2)) & 15;
      const base = row + <usize>(g << 2);
      store<i8>(base + <usize>(nib & 3), load<i8>(vals + <usize>(g << 1)));
      store<i8>(base + <usize>(nib >> 2), load<i8>(vals + <usize>((g << 1) + 1)));
    }
  }
}

// ---- row-interleaved int8 layout for the dense kernels -------------------------------------
// Rows are grouped in blocks of PACK_NR = 4; inside a block, K is cut into chunks of kc (8 for the
// SIMD128 kernels, 16 for the relaxed ones) and each chunk stores its 4 rows' kc bytes one after
// the other ([K/kc][4][kc]), followed by the block's K tail row by row ([4][K % kc]). Rows past the
// last full block keep the plain [n][K] layout at their original place, so the packed tensor has
// exactly the plain size. A kernel then reads a whole block through one moving pointer with
// constant offsets (folded into the loads: no per-row address arithmetic), once, in order.
export const PACK_NR: i32 = 4;

/** Byte offset of element (n, k) of an [N][K] int8 tensor packed with chunks of kc (8 or 16). */
export function packedOffset(N: i32, K: i32, n: i32, k: i32, kc: i32): usize {
  if (n >= (N & ~(PACK_NR - 1))) return <usize>n * <usize>K + <usize>k;
  const Kc = K - K % kc;
  const base = <usize>(n >> 2) * (<usize>K << 2);
  const r = <usize>(n & 3);
  if (k < Kc) return base + <usize>(k / kc) * (<usize>kc << 2) + r * <usize>kc + <usize>(k % kc);
  return base + (<usize>Kc << 2) + r * <usize>(K - Kc) + <usize>(k - Kc);
}

/** Rearranges plain [N][K] bytes at w into the packed layout (chunks of kc = 8 or 16), in place; false when out of memory. */
export function packRowsInPlace(w: usize, N: i32, K: i32, kc: i32): bool {
  const N4 = N & ~(PACK_NR - 1);
  if (N4 == 0) return true;
  const blk = <usize>K << 2;
  const tmp = alloc(blk);
  if (tmp == 0) return false;
  const Kc = K - K % kc;
  const kt = <usize>(K - Kc);
  const cs = <usize>kc;
  for (let n = 0; n < N4; n += PACK_NR) {
    const dst = w + <usize>(n >> 2) * blk;
    memory.copy(tmp, dst, blk);
    for (let r = 0; r < PACK_NR; r++) {
      const src = tmp + <usize>r * <usize>K;
      for (let k = 0; k < Kc; k += kc) memory.copy(dst + <usize>(k / kc) * (cs << 2) + <usize>r * cs, src + <usize>k, cs);
      memory.copy(dst + (<usize>Kc << 2) + <usize>r * kt, src + <usize>Kc, kt);
    }
  }
  free(tmp);
  return true;
}

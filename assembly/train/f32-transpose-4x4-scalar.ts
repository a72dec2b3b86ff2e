// f32 out-of-place transpose: dst[c][r] = src[r][c] for a rows x cols row-major matrix (dst row stride ldDst), walked in
// 4x4 blocks so both sides stay in cache lines. Pure data movement, so order does not matter.

/** dst rows have length ldDst (>= rows). */
export function f32_transpose_4x4(src: usize, rows: i32, cols: i32, dst: usize, ldDst: i32): void {
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const r1 = min(r0 + 4, rows);
    for (let c0 = 0; c0 < cols; c0 += 4) {
      const c1 = min(c0 + 4, cols);
      for (let r = r0; r < r1; r++)
        for (let c = c0; c < c1; c++)
          store<f32>(dst + ((<usize>c * ldDst + r) << 2), load<f32>(src + ((<usize>r * cols + c) << 2)));
    }
  }
}

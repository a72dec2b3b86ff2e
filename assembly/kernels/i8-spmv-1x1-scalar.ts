// Unstructured sparse int8 GEMV for one row, straight from the container's CSR: for a single
// activation row the SIMD batch kernel would waste 15 of its 16 lanes, and a scalar walk over
// the nonzeros costs about as much per nonzero as the dense SIMD kernel per weight at 10 %.

/** acc[n] = sum over row n's nonzeros of x[col] * val. */
export function i8_spmv_1x1(x: usize, rowPtr: usize, cols: usize, vals: usize, N: i32, acc: usize): void {
  let a = load<u32>(rowPtr);
  for (let n = 0; n < N; n++) {
    const b = load<u32>(rowPtr + (<usize>(n + 1) << 2));
    let s: i32 = 0;
    for (let j = a; j < b; j++) s += <i32>load<i8>(x + <usize>load<u16>(cols + (<usize>j << 1))) * <i32>load<i8>(vals + <usize>j);
    store<i32>(acc + (<usize>n << 2), s);
    a = b;
  }
}

// The plain TypeScript scalar reference contender: what a straightforward JS implementation costs.

/** int32 y[m][n] = sum_k x[m][k] w[n][k] (zero points 0). */
export function scalarGemmI8(x: Int8Array, w: Int8Array, M: number, K: number, N: number): Int32Array {
  const y = new Int32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      const xo = m * K, wo = n * K;
      for (let k = 0; k < K; k++) s += x[xo + k] * w[wo + k];
      y[m * N + n] = s;
    }
  return y;
}

export function scalarGemmF32(x: Float32Array, w: Float32Array, M: number, K: number, N: number): Float32Array {
  const y = new Float32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      const xo = m * K, wo = n * K;
      for (let k = 0; k < K; k++) s += x[xo + k] * w[wo + k];
      y[m * N + n] = s;
    }
  return y;
}

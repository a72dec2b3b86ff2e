// Deliberately simple scalar references for the artifact's kernels: plain loops in f64, written
// from the ONNX operator definitions, never from the kernels. Tests compare against these.

export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export const saturate = (v: number, lo = -128, hi = 127) => Math.min(hi, Math.max(lo, v));

/** ONNX QuantizeLinear (int8). */
export function quantize(x: number, scale: number, zp: number): number {
  return saturate(roundHalfEven(Math.fround(x / scale)) + zp);
}

/** y[r][n] = sum_k x[r][k] w[n][k] + b[n] in f64. */
export function denseF64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, rows: number, K: number, N: number): Float64Array {
  const y = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++)
    for (let n = 0; n < N; n++) {
      let s = b ? b[n] : 0;
      for (let k = 0; k < K; k++) s += x[r * K + k] * w[n * K + k];
      y[r * N + n] = s;
    }
  return y;
}

/** Integer accumulators sum_k (x - zx)(w - zw) + b, exact. */
export function denseInt(x: ArrayLike<number>, zx: number, w: ArrayLike<number>, zw: number, b: ArrayLike<number> | null, rows: number, K: number, N: number): Float64Array {
  const y = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++)
    for (let n = 0; n < N; n++) {
      let s = b ? b[n] : 0;
      for (let k = 0; k < K; k++) s += (x[r * K + k] - zx) * (w[n * K + k] - zw);
      y[r * N + n] = s;
    }
  return y;
}

/**
 * int8 requantization by the ONNX definition, evaluated in f64. Returns the value and whether
 * the exact product sits so close to a rounding tie that a 31-bit fixed-point multiplier may
 * legitimately round the other way.
 */
export function requant(acc: number, real: number, zy: number, lo = -128, hi = 127): { v: number; nearTie: boolean } {
  const p = acc * real;
  const frac = p - Math.floor(p);
  const nearTie = Math.abs(frac - 0.5) < Math.abs(p) * 2 ** -29 + 1e-9;
  return { v: saturate(roundHalfEven(p) + zy, lo, hi), nearTie };
}

// Weights and biases to integers. Weights are symmetric int8 in [-127, 127] (zero point 0, which
// the dynamic path requires and which keeps the kernels' zero-point correction to the input side),
// one scale per output channel (dims[0]) or one per tensor. Biases become int32 in units of
// sx * sw[n], the accumulator's scale, as ONNX QLinearConv/QLinearMatMul expect.

const roundHalfEven = (v: number) => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

export interface QuantizedWeights {
  q: Int8Array;
  scales: Float32Array;
}

export function quantizeWeights(w: Float32Array, rows: number, perChannel: boolean): QuantizedWeights {
  const K = w.length / rows;
  const groups = perChannel ? rows : 1;
  const per = perChannel ? K : w.length;
  const scales = new Float32Array(groups);
  const q = new Int8Array(w.length);
  for (let g = 0; g < groups; g++) {
    let a = 0;
    for (let i = g * per; i < (g + 1) * per; i++) a = Math.max(a, Math.abs(w[i]));
    // an all-zero channel gets scale 1: its integers are all 0 whatever the scale
    const s = a > 0 ? Math.fround(a / 127) : 1;
    scales[g] = s;
    for (let i = g * per; i < (g + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, roundHalfEven(w[i] / s)));
  }
  return { q, scales };
}

/** The scale of output channel n given weight scales (one or per channel). */
export const channelScale = (scales: Float32Array, n: number) => scales[scales.length === 1 ? 0 : n];

/**
 * int32 bias = round(b / (sx * sw[n])), clamped so the artifact's worst-case accumulator bound
 * (255 * sum|w| + |bias| < 2^31) holds; only an absurd bias against tiny weights reaches the clamp.
 */
export function quantizeBias(b: Float32Array, sx: number, wq: QuantizedWeights): Int32Array {
  const N = b.length, K = wq.q.length / N;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let abs = 0;
    for (let k = 0; k < K; k++) abs += Math.abs(wq.q[n * K + k]);
    const limit = 2147483647 - 255 * abs;
    const v = roundHalfEven(b[n] / (sx * channelScale(wq.scales, n)));
    out[n] = Math.max(-limit, Math.min(limit, v));
  }
  return out;
}

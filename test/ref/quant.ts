// Plain references for the quantization toolkit, written from the algorithms' definitions.

/**
 * TensorRT-style KL divergence for threshold bin i, computed literally: P = the first i bins with
 * everything beyond folded into bin i-1; Q = the first i bins merged into `levels` groups and each
 * group's mass spread evenly over its non-empty bins; both normalised; empty Q under non-empty P
 * smoothed to 1e-12.
 */
export function klReference(h: ArrayLike<number>, i: number, levels: number): number {
  const p: number[] = [];
  for (let j = 0; j < i; j++) p.push(h[j]);
  for (let j = i; j < h.length; j++) p[i - 1] += h[j];
  const q = new Array<number>(i).fill(0);
  for (let l = 0; l < levels; l++) {
    const a = Math.floor((l * i) / levels), b = Math.floor(((l + 1) * i) / levels);
    let sum = 0, nonEmpty = 0;
    for (let j = a; j < b; j++) { sum += h[j]; if (h[j] > 0) nonEmpty++; }
    for (let j = a; j < b; j++) if (h[j] > 0) q[j] = sum / nonEmpty;
  }
  const sp = p.reduce((x, y) => x + y, 0), sq = q.reduce((x, y) => x + y, 0);
  let kl = 0;
  for (let j = 0; j < i; j++) {
    if (p[j] === 0) continue;
    const pj = p[j] / sp, qj = q[j] > 0 ? q[j] / sq : 1e-12;
    kl += pj * Math.log(pj / qj);
  }
  return kl;
}

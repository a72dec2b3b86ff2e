// Entropy (TensorRT's calibrator): pick the clipping threshold T whose int8 version of the |x|
// histogram loses the least information, i.e. minimises KL(P || Q) where P is the histogram
// clipped at T (outliers folded into the last bin) and Q is P merged into the available int8
// levels and spread back evenly over the bins that were non-empty.
import { ClippingObserver } from "./clipping.ts";

/**
 * KL(P || Q) for every candidate i in [from, to]: the first i magnitude bins merged into `levels`
 * quantization bins. Prefix sums of h, of h·ln h and of non-empty bins make each merged bin O(1),
 * so a candidate costs O(levels) instead of O(bins).
 */
export function klCurve(h: Float64Array, levels: number, from: number, to: number): Float64Array {
  const B = h.length;
  const S = new Float64Array(B + 1), HL = new Float64Array(B + 1), NZ = new Float64Array(B + 1);
  for (let j = 0; j < B; j++) {
    S[j + 1] = S[j] + h[j];
    HL[j + 1] = HL[j] + (h[j] > 0 ? h[j] * Math.log(h[j]) : 0);
    NZ[j + 1] = NZ[j] + (h[j] > 0 ? 1 : 0);
  }
  const sp = S[B], logSp = Math.log(sp);
  const out = new Float64Array(to - from + 1).fill(Infinity);
  for (let i = from; i <= to; i++) {
    const sq = S[i];
    if (sp === 0 || sq === 0) continue;
    const logSq = Math.log(sq);
    let kl = 0, start = 0, lastQ = 0;
    for (let l = 0; l < levels; l++) {
      const end = Math.floor(((l + 1) * i) / levels);
      const sum = S[end] - S[start], nonEmpty = NZ[end] - NZ[start];
      if (nonEmpty > 0) {
        const logQ = Math.log(sum / nonEmpty) - logSq; // ln of each non-empty bin's normalised q
        const stop = end === i ? i - 1 : end; // the last bin is handled with its outliers below
        const s = S[stop] - S[start];
        kl += (HL[stop] - HL[start]) / sp - (s / sp) * (logSp + logQ);
        if (end === i) lastQ = h[i - 1] > 0 ? Math.exp(logQ) : 0;
      }
      start = end;
    }
    // P's last bin holds h[i-1] plus everything beyond i; where Q is empty there, smooth as TensorRT does
    const p = (S[B] - S[i - 1]) / sp;
    if (p > 0) kl += p * Math.log(p / (lastQ > 0 ? lastQ : 1e-12));
    out[i - from] = kl;
  }
  return out;
}

export class EntropyObserver extends ClippingObserver {
  /** The chosen clipping magnitude (the top of the range if nothing non-zero was seen). */
  threshold(): number {
    const h = this.hist.magnitudes();
    const B = this.hist.bins;
    // one-sided data under an asymmetric scheme gets all 256 levels on its side
    const levels = this.scheme.symmetric || this.hist.hasNegatives() ? 128 : 256;
    let last = B;
    while (last > 0 && h[last - 1] === 0) last--;
    if (last <= levels) return Math.max(-this.hist.min, this.hist.max, 0);
    const kl = klCurve(h, levels, levels, last);
    let best = last;
    for (let i = levels; i <= last; i++) if (kl[i - levels] < kl[best - levels]) best = i;
    return best * this.hist.binWidth;
  }
}

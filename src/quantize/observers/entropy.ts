// Entropy (TensorRT's calibrator): pick the clipping threshold T whose int8 version of the |x|
// histogram loses the least information, i.e. minimises KL(P || Q) where P is the histogram
// clipped at T (outliers folded into the last bin) and Q is P merged into the available int8
// levels and spread back evenly over the bins that were non-empty.
import { Histogram } from "./histogram.ts";
import { type Observer, type QParams, type QScheme, rangeToQParams } from "./observer.ts";

/** KL(P || Q) for the first i magnitude bins merged into `levels` quantization bins. */
export function klForThreshold(h: Float64Array, i: number, levels: number): number {
  const p = new Float64Array(i);
  for (let j = 0; j < i; j++) p[j] = h[j];
  let outliers = 0;
  for (let j = i; j < h.length; j++) outliers += h[j];
  p[i - 1] += outliers;
  const q = new Float64Array(i);
  let start = 0;
  for (let l = 0; l < levels; l++) {
    const end = Math.floor(((l + 1) * i) / levels);
    let sum = 0, nonEmpty = 0;
    for (let j = start; j < end; j++) { sum += h[j]; if (h[j] > 0) nonEmpty++; }
    for (let j = start; j < end; j++) if (h[j] > 0) q[j] = sum / nonEmpty;
    start = end;
  }
  let sp = 0, sq = 0;
  for (let j = 0; j < i; j++) { sp += p[j]; sq += q[j]; }
  if (sp === 0 || sq === 0) return Infinity;
  let kl = 0;
  for (let j = 0; j < i; j++) {
    if (p[j] === 0) continue;
    const pj = p[j] / sp;
    // q is 0 only where h was empty but the folded outliers are not: TensorRT smooths these
    const qj = q[j] > 0 ? q[j] / sq : 1e-12;
    kl += pj * Math.log(pj / qj);
  }
  return kl;
}

export class EntropyObserver implements Observer {
  private readonly hist: Histogram;
  constructor(private readonly scheme: QScheme, bins = 2048) {
    this.hist = new Histogram(bins);
  }

  observe(values: ArrayLike<number>): void {
    this.hist.add(values);
  }

  /** The chosen clipping magnitude (the top of the range if nothing non-zero was seen). */
  threshold(): number {
    const h = this.hist.magnitudes();
    const B = this.hist.bins;
    // one-sided data under an asymmetric scheme gets all 256 levels on its side
    const levels = this.scheme.symmetric || this.hist.hasNegatives() ? 128 : 256;
    let last = B;
    while (last > 0 && h[last - 1] === 0) last--;
    if (last <= levels) return Math.max(-this.hist.min, this.hist.max, 0);
    let best = last, bestKl = Infinity;
    for (let i = levels; i <= last; i++) {
      const kl = klForThreshold(h, i, levels);
      if (kl < bestKl) { bestKl = kl; best = i; }
    }
    return best * this.hist.binWidth;
  }

  computeQParams(): QParams {
    if (this.hist.count === 0) return rangeToQParams(NaN, NaN, this.scheme);
    const [lo, hi] = this.hist.clipped(this.threshold());
    return rangeToQParams(lo, hi, this.scheme);
  }
}

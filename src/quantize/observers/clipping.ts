// Shared shape of the histogram observers that pick a symmetric clipping magnitude T (entropy,
// MSE): they only differ in how T is chosen from the magnitude histogram.
import { Histogram } from "./histogram.ts";
import { type Observer, type QParams, type QScheme, rangeToQParams } from "./observer.ts";

export abstract class ClippingObserver implements Observer {
  protected readonly hist: Histogram;
  constructor(protected readonly scheme: QScheme, bins = 2048) {
    this.hist = new Histogram(bins);
  }

  observe(values: ArrayLike<number>): void {
    this.hist.add(values);
  }

  /** The chosen clipping magnitude T; the range becomes the observed one clipped to [-T, T]. */
  abstract threshold(): number;

  computeQParams(): QParams {
    if (this.hist.count === 0) return rangeToQParams(NaN, NaN, this.scheme);
    const [lo, hi] = this.hist.clipped(this.threshold());
    return rangeToQParams(lo, hi, this.scheme);
  }
}

// Percentile: the range between the (100 - p)th and the p-th percentile of the observed values,
// which drops the rarest outliers on both sides.
import { Histogram } from "./histogram.ts";
import { type Observer, type QParams, type QScheme, badSetting, rangeToQParams } from "./observer.ts";

export class PercentileObserver implements Observer {
  private readonly hist: Histogram;
  constructor(private readonly scheme: QScheme, private readonly percentile = 99.99, bins = 2048) {
    if (!(percentile > 50 && percentile <= 100)) throw badSetting(`percentile must be in (50, 100], got ${percentile}`);
    this.hist = new Histogram(bins);
  }

  observe(values: ArrayLike<number>): void {
    this.hist.add(values);
  }

  computeQParams(): QParams {
    const p = this.percentile / 100;
    return rangeToQParams(this.hist.quantile(1 - p), this.hist.quantile(p), this.scheme);
  }
}

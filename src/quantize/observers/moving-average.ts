// Moving-average MinMax: an exponential moving average of each batch's min and max, so a few
// extreme batches move the range less than they would under plain MinMax.
import { type Observer, type QParams, type QScheme, badSetting, finiteRange, rangeToQParams } from "./observer.ts";

export class MovingAverageMinMaxObserver implements Observer {
  private lo = NaN;
  private hi = NaN;
  constructor(private readonly scheme: QScheme, private readonly averagingConstant = 0.01) {
    if (!(averagingConstant > 0 && averagingConstant <= 1)) throw badSetting(`averaging constant must be in (0, 1], got ${averagingConstant}`);
  }

  observe(values: ArrayLike<number>): void {
    const [lo, hi] = finiteRange(values);
    if (!(lo <= hi)) return; // empty batch
    const c = this.averagingConstant;
    if (Number.isNaN(this.lo)) {
      this.lo = lo;
      this.hi = hi;
    } else {
      this.lo += c * (lo - this.lo);
      this.hi += c * (hi - this.hi);
    }
  }

  computeQParams(): QParams {
    return rangeToQParams(this.lo, this.hi, this.scheme);
  }
}

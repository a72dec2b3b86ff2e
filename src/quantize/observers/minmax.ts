// MinMax: the exact range of everything observed.
import { type Observer, type QParams, type QScheme, finiteRange, rangeToQParams } from "./observer.ts";

export class MinMaxObserver implements Observer {
  private lo = Infinity;
  private hi = -Infinity;
  constructor(private readonly scheme: QScheme) {}

  observe(values: ArrayLike<number>): void {
    const [lo, hi] = finiteRange(values);
    this.lo = Math.min(this.lo, lo);
    this.hi = Math.max(this.hi, hi);
  }

  computeQParams(): QParams {
    return rangeToQParams(this.lo, this.hi, this.scheme);
  }
}

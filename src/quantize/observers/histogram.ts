// A histogram of magnitudes on each side of zero, shared by the percentile, entropy and MSE
// observers. The range [0, R) is fixed by the first non-zero batch and doubles (merging bin pairs,
// which is exact) whenever a larger magnitude arrives, so it never needs a second pass over data.
import { badSetting, finiteRange } from "./observer.ts";

export class Histogram {
  readonly pos: Float64Array;
  readonly neg: Float64Array;
  zeros = 0;
  count = 0;
  /** magnitudes covered: [0, range) */
  range = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly bins = 2048) {
    if (!Number.isInteger(bins) || bins < 16 || bins % 2 !== 0) throw badSetting(`histogram bins must be an even integer >= 16, got ${bins}`);
    this.pos = new Float64Array(bins);
    this.neg = new Float64Array(bins);
  }

  get binWidth(): number {
    return this.range / this.bins;
  }

  add(values: ArrayLike<number>): void {
    const [lo, hi] = finiteRange(values);
    if (!(lo <= hi)) return;
    this.min = Math.min(this.min, lo);
    this.max = Math.max(this.max, hi);
    const a = Math.max(-lo, hi);
    if (this.range === 0 && a > 0) this.range = a * (1 + 2 ** -20); // the max itself falls inside
    while (a >= this.range && a > 0) this.grow();
    const B = this.bins, inv = this.range > 0 ? B / this.range : 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === 0) this.zeros++;
      else if (v > 0) this.pos[Math.min(B - 1, Math.floor(v * inv))]++;
      else this.neg[Math.min(B - 1, Math.floor(-v * inv))]++;
    }
    this.count += values.length;
  }

  private grow(): void {
    const B = this.bins;
    for (const h of [this.pos, this.neg]) {
      for (let i = 0; i < B / 2; i++) h[i] = h[2 * i] + h[2 * i + 1];
      h.fill(0, B / 2);
    }
    this.range *= 2;
  }

  /** Counts of |x| per bin, zeros excluded. */
  magnitudes(): Float64Array {
    const m = new Float64Array(this.bins);
    for (let i = 0; i < this.bins; i++) m[i] = this.pos[i] + this.neg[i];
    return m;
  }

  hasNegatives(): boolean {
    return this.min < 0;
  }

  /** The q-quantile (0..1) of the signed values, linear within a bin, clamped to [min, max]. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const w = this.binWidth, B = this.bins, target = q * this.count;
    let acc = 0, v = this.max;
    search: {
      for (let i = B - 1; i >= 0; i--) {
        const c = this.neg[i];
        if (c > 0 && acc + c >= target) { v = -(i + 1) * w + ((target - acc) / c) * w; break search; }
        acc += c;
      }
      if (this.zeros > 0 && acc + this.zeros >= target) { v = 0; break search; }
      acc += this.zeros;
      for (let i = 0; i < B; i++) {
        const c = this.pos[i];
        if (c > 0 && acc + c >= target) { v = i * w + ((target - acc) / c) * w; break search; }
        acc += c;
      }
    }
    return Math.min(this.max, Math.max(this.min, v));
  }

  /** The signed range [min, max] clipped to magnitude t. */
  clipped(t: number): [number, number] {
    return [Math.max(this.min, -t), Math.min(this.max, t)];
  }
}

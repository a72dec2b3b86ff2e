// MSE: search the clipping magnitude T that minimises the expected squared quantization error:
// values inside the range cost step^2 / 12 (uniform rounding error), values beyond it cost their
// squared distance to T. Exact zeros cost nothing (0 is always representable) and are left out.
import { ClippingObserver } from "./clipping.ts";

export class MseObserver extends ClippingObserver {
  /** Expected squared error per candidate bin edge i (T = i × bin width), i = 1..bins. */
  errors(): Float64Array {
    const h = this.hist.magnitudes(), B = this.hist.bins, w = this.hist.binWidth;
    const steps = this.scheme.symmetric ? 127 : this.hist.hasNegatives() ? 127.5 : 255;
    // suffix sums of n, n c, n c^2 with c the bin centre
    const s0 = new Float64Array(B + 1), s1 = new Float64Array(B + 1), s2 = new Float64Array(B + 1);
    for (let j = B - 1; j >= 0; j--) {
      const c = (j + 0.5) * w;
      s0[j] = s0[j + 1] + h[j];
      s1[j] = s1[j + 1] + h[j] * c;
      s2[j] = s2[j + 1] + h[j] * c * c;
    }
    const err = new Float64Array(B + 1);
    for (let i = 1; i <= B; i++) {
      const t = i * w, step = t / steps;
      const inside = s0[0] - s0[i];
      err[i] = (inside * step * step) / 12 + (s2[i] - 2 * t * s1[i] + t * t * s0[i]);
    }
    err[0] = Infinity;
    return err;
  }

  threshold(): number {
    if (this.hist.range === 0) return 0;
    const err = this.errors();
    let best = 1;
    for (let i = 2; i < err.length; i++) if (err[i] < err[best]) best = i;
    return best * this.hist.binWidth;
  }
}

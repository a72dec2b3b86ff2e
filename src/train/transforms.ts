// Weight transforms (see param.ts): the first members of the family that QAT, pruning and LC
// build on.
import type { WeightTransform } from "./param.ts";
import type { Tape, Tensor } from "./tensor.ts";

/** w ∘ mask: pruned weights stay out of the forward pass and get no gradient. */
export class MaskTransform implements WeightTransform {
  readonly name = "mask";
  constructor(readonly mask: Float32Array) {}
  apply(t: Tape, w: Tensor): Tensor {
    const y = t.tensor(w.shape);
    const wd = w.data, yd = y.data, m = this.mask;
    for (let i = 0; i < yd.length; i++) yd[i] = wd[i] * m[i];
    return t.record(y, [w], () => {
      t.gradOf(w);
      const gy = y.grad, gw = w.grad;
      for (let i = 0; i < gw.length; i++) gw[i] += gy[i] * m[i];
    });
  }
}

/**
 * Symmetric per-tensor fake quantization to `bits` with a straight-through estimator: the
 * forward pass sees round(w/s)·s (s = max|w| / (2^(bits−1) − 1)), the gradient passes unchanged.
 */
export class FakeQuantTransform implements WeightTransform {
  readonly name = "fake-quant";
  constructor(readonly bits = 8) {}
  apply(t: Tape, w: Tensor): Tensor {
    const y = t.tensor(w.shape);
    const wd = w.data, yd = y.data;
    let m = 0;
    for (let i = 0; i < wd.length; i++) m = Math.max(m, Math.abs(wd[i]));
    const qmax = 2 ** (this.bits - 1) - 1, s = m > 0 ? m / qmax : 1;
    for (let i = 0; i < yd.length; i++) yd[i] = Math.round(wd[i] / s) * s;
    return t.record(y, [w], () => {
      t.gradOf(w);
      const gy = y.grad, gw = w.grad;
      for (let i = 0; i < gw.length; i++) gw[i] += gy[i];
    });
  }
}

/** Penalty μ/2 ‖w − target‖² pulling the weights towards a target (the LC algorithm's L step). */
export class QuadraticPullTransform implements WeightTransform {
  readonly name = "quadratic-pull";
  constructor(public mu: number, public target: Float32Array) {}
  penalty(w: Float32Array, grad: Float32Array): number {
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      const d = w[i] - this.target[i];
      s += d * d;
      grad[i] += this.mu * d;
    }
    return (this.mu / 2) * s;
  }
}

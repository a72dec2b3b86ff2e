// Optimizers over Params (values and gradients in wasm memory, state on the host).
import type { Param } from "./param.ts";

export interface Optimizer {
  lr: number;
  step(): void;
  zeroGrad(): void;
}

abstract class Base implements Optimizer {
  protected readonly state = new Map<Param, Float32Array[]>();
  constructor(readonly params: Param[], public lr: number, readonly weightDecay: number) {}
  protected slots(p: Param, n: number): Float32Array[] {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = Array.from({ length: n }, () => new Float32Array(p.value.size))));
    return s;
  }
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
  abstract step(): void;
}

/** SGD with optional (Nesterov) momentum and L2 weight decay (PyTorch semantics). */
export class SGD extends Base {
  constructor(params: Param[], opts: { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }) {
    super(params, opts.lr, opts.weightDecay ?? 0);
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
  }
  readonly momentum: number;
  readonly nesterov: boolean;
  step(): void {
    for (const p of this.params) {
      const w = p.value.data, g = p.value.grad, wd = p.noDecay ? 0 : this.weightDecay;
      const v = this.momentum ? this.slots(p, 1)[0] : null;
      for (let i = 0; i < w.length; i++) {
        let d = g[i] + wd * w[i];
        if (v) {
          v[i] = this.momentum * v[i] + d;
          d = this.nesterov ? d + this.momentum * v[i] : v[i];
        }
        w[i] -= this.lr * d;
      }
    }
  }
}

// A free function over plain typed arrays so V8 compiles one tight loop.
function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, wd: number, b1: number, b2: number, lr: number, c1: number, c2: number, eps: number): void {
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const d = g[i] + wd * w[i];
    m[i] = b1 * m[i] + (1 - b1) * d;
    v[i] = b2 * v[i] + (1 - b2) * d * d;
    w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps); // m, v as stored (f32)
  }
}

/** Adam (Kingma & Ba) with bias correction; weightDecay is L2 added to the gradient. */
export class Adam extends Base {
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  constructor(params: Param[], opts: { lr?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number } = {}) {
    super(params, opts.lr ?? 1e-3, opts.weightDecay ?? 0);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }
  step(): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t, c2 = 1 - this.beta2 ** this.t;
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps, lr = this.lr;
    for (const p of this.params) {
      const w = p.value.data, g = p.value.grad, wd = p.noDecay ? 0 : this.weightDecay;
      const [m, v] = this.slots(p, 2);
      adamUpdate(w, g, m, v, wd, b1, b2, lr, c1, c2, eps);
    }
  }
}

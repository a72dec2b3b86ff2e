// Training-engine helpers for tests: a shared Backend and a finite-difference gradient check.
import { Backend } from "../../src/train/backend.ts";
import { Tape, type Tensor } from "../../src/train/tensor.ts";
import { engine } from "./engine.ts";
import { Rng } from "./rng.ts";

let shared: Backend | undefined;
export async function backend(): Promise<Backend> {
  shared ??= new Backend(await engine());
  return shared;
}

export interface Input {
  data: Float32Array;
  shape: number[];
}

/** Values spread at least `gap` apart (random order) so max/ReLU kinks are never crossed by ±eps. */
export function separated(rng: Rng, n: number, gap = 0.05): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * gap + gap / 2);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

/**
 * Compares the tape's gradients of L = Σ r ∘ build(inputs) (r random, fixed) with central
 * differences in up to `samples` coordinates of every input. Returns the worst mismatch found
 * as a message, or null.
 */
export function gradcheck(be: Backend, build: (t: Tape, xs: Tensor[]) => Tensor, inputs: Input[], opts: { eps?: number; tol?: number; samples?: number; seed?: number } = {}): string | null {
  const eps = opts.eps ?? 1e-2, tol = opts.tol ?? 2e-2, samples = opts.samples ?? 24;
  const rng = new Rng(opts.seed ?? 7);
  const t = new Tape(be);
  const xs = inputs.map((i) => {
    const x = t.from(i.data, i.shape);
    x.requiresGrad = true;
    return x;
  });
  const y = build(t, xs);
  const r = Float64Array.from({ length: y.size }, () => rng.normal());
  t.backward(y, Float32Array.from(r));
  const analytic = xs.map((x) => (x.gradPtr ? x.grad.slice() : new Float32Array(x.size)));
  t.dispose();

  const f = (data: Float32Array[]): number => {
    const u = new Tape(be, false);
    try {
      const out = build(u, data.map((d, i) => u.from(d, inputs[i].shape))).data;
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i] * r[i];
      return s;
    } finally {
      u.dispose();
    }
  };
  for (let k = 0; k < inputs.length; k++) {
    const n = inputs[k].data.length;
    const picks = n <= samples ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: samples }, () => rng.int(0, n - 1));
    for (const i of picks) {
      const plus = inputs.map((x) => x.data.slice()), minus = inputs.map((x) => x.data.slice());
      plus[k][i] += eps;
      minus[k][i] -= eps;
      const num = (f(plus) - f(minus)) / (2 * eps);
      const ana = analytic[k][i];
      if (Math.abs(num - ana) > tol * Math.max(1, Math.abs(num), Math.abs(ana)))
        return `input ${k}[${i}]: analytic ${ana}, finite difference ${num}`;
    }
  }
  return null;
}

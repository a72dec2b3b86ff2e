// Tensors of the training engine: f32 data in wasm memory, full shape including the batch.
// A Tape records how each was made and owns every tensor and gradient created while it runs.
import type { Backend } from "./backend.ts";

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class Tensor {
  readonly size: number;
  /** Gradient buffer (same size), allocated on first use by the tape or owned by a Param. */
  gradPtr = 0;
  requiresGrad = false;

  constructor(readonly be: Backend, readonly ptr: number, readonly shape: number[]) {
    this.size = numel(shape);
  }

  /** A fresh view of the values; invalid after the next allocation. */
  get data(): Float32Array {
    return this.be.f32(this.ptr, this.size);
  }

  /** A fresh view of the gradient (requires gradPtr). */
  get grad(): Float32Array {
    return this.be.f32(this.gradPtr, this.size);
  }

  /** Copies the values out of wasm memory. */
  toArray(): Float32Array {
    return this.data.slice();
  }
}

type Backward = () => void;

export class Tape {
  private readonly owned: number[] = [];
  private readonly steps: { out: Tensor; run: Backward }[] = [];

  /** With `record = false` nothing is recorded (inference); ops still allocate on this tape. */
  constructor(readonly be: Backend, readonly recording = true) {}

  /** A new zeroed tensor owned by this tape. */
  tensor(shape: number[]): Tensor {
    const t = new Tensor(this.be, this.be.alloc(numel(shape)), shape);
    this.owned.push(t.ptr);
    return t;
  }

  /** A tape-owned copy of host data. */
  from(data: ArrayLike<number>, shape: number[]): Tensor {
    const t = this.tensor(shape);
    t.data.set(data);
    return t;
  }

  /** A tensor sharing `src`'s memory under another shape (reshape / flatten). */
  alias(src: Tensor, shape: number[]): Tensor {
    return new Tensor(this.be, src.ptr, shape);
  }

  /** Scratch memory freed with the tape (e.g. max-pool indices). */
  scratch(n: number): number {
    const p = this.be.alloc(n);
    this.owned.push(p);
    return p;
  }

  /** Gradient buffer of t, allocated zeroed on first use. */
  gradOf(t: Tensor): number {
    if (t.gradPtr === 0) t.gradPtr = this.scratch(t.size);
    return t.gradPtr;
  }

  /** Records `run` as the backward of `out` if any input needs a gradient. */
  record(out: Tensor, inputs: Tensor[], run: Backward): Tensor {
    if (this.recording && inputs.some((t) => t.requiresGrad)) {
      out.requiresGrad = true;
      this.steps.push({ out, run });
    }
    return out;
  }

  /** Backpropagates from `root` with the seed gradient (default 1 for each element). */
  backward(root: Tensor, seed?: ArrayLike<number>): void {
    this.gradOf(root);
    const g = root.grad;
    if (seed) g.set(seed);
    else g.fill(1);
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i];
      if (s.out.gradPtr !== 0) s.run();
    }
    this.steps.length = 0;
  }

  /** Frees every tensor and gradient this tape allocated. */
  dispose(): void {
    for (const p of this.owned) this.be.free(p);
    this.owned.length = 0;
    this.steps.length = 0;
  }
}

// Trainable parameters and the weight-transform extension point.
//
// A layer never reads its weights directly: it calls `param.use(tape)`, which passes the raw
// weights through the param's transforms in order. A transform returns the tensor the layer
// computes with and records its own backward on the tape, so it defines its own gradient
// (a mask zeroes it, fake quantization passes it straight through, ...). A transform may also
// add a penalty to the loss (e.g. μ/2‖w − target‖²), evaluated on the raw weights once per step.
// QAT, pruning (PDP), LC codebook steps and distillation plug in here.
import type { Backend } from "./backend.ts";
import { type Tape, Tensor, numel } from "./tensor.ts";

export interface WeightTransform {
  readonly name: string;
  apply?(t: Tape, w: Tensor): Tensor;
  /** Returns the penalty's value and adds its gradient with respect to `w` into `grad`. */
  penalty?(w: Float32Array, grad: Float32Array): number;
}

export class Param {
  readonly value: Tensor;
  transforms: WeightTransform[] = [];
  /** Excluded from weight decay (biases, batch-norm parameters). */
  readonly noDecay: boolean;

  constructor(readonly be: Backend, readonly name: string, shape: number[], init: ArrayLike<number>, noDecay = false) {
    this.value = new Tensor(be, be.alloc(numel(shape)), shape);
    this.value.gradPtr = be.alloc(numel(shape));
    this.value.requiresGrad = true;
    this.value.data.set(init);
    this.noDecay = noDecay;
  }

  get shape(): number[] {
    return this.value.shape;
  }

  /** The weights as this step's forward pass sees them. */
  use(t: Tape): Tensor {
    let w = this.value;
    for (const tr of this.transforms) if (tr.apply) w = tr.apply(t, w);
    return w;
  }

  /** Adds every transform's penalty gradient to the gradient; returns the penalties' sum. */
  penalty(): number {
    let s = 0;
    for (const tr of this.transforms) if (tr.penalty) s += tr.penalty(this.value.data, this.value.grad);
    return s;
  }

  zeroGrad(): void {
    this.value.grad.fill(0);
  }

  dispose(): void {
    this.be.free(this.value.ptr);
    this.be.free(this.value.gradPtr);
  }
}

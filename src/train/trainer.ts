// The training loop: seeded shuffling, mini-batches copied once into wasm memory, forward,
// loss (+ weight-transform penalties), backward, optimizer step; evaluation in batches.
import type { Dataset } from "../data/dataset.ts";
import { softmaxCrossEntropy } from "./losses.ts";
import type { Sequential } from "./model.ts";
import type { Optimizer } from "./optim.ts";
import { Random } from "./rng.ts";
import type { Schedule } from "./schedule.ts";
import { Tape, type Tensor } from "./tensor.ts";

export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  lr: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Learning rate per global step; default: the optimizer's rate stays as it is. */
  schedule?: Schedule;
  seed?: number;
  /** A custom loss (default softmax cross-entropy on the labels). */
  loss?: (t: Tape, out: Tensor, indices: Uint32Array) => Tensor;
  onBatch?: (p: Progress) => void;
  onEpoch?: (p: Progress & { seconds: number }) => void;
}

function argmaxCorrect(out: Float32Array, C: number, labels: ArrayLike<number>): number {
  let right = 0;
  for (let b = 0; b < labels.length; b++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (out[b * C + c] > out[b * C + best]) best = c;
    if (best === labels[b]) right++;
  }
  return right;
}

function gather(d: Dataset, idx: Uint32Array, from: number, n: number, x: Float32Array, y: Uint8Array): void {
  const per = x.length / n;
  for (let i = 0; i < n; i++) {
    const s = idx[from + i];
    x.set(d.x.subarray(s * per, (s + 1) * per), i * per);
    y[i] = d.y[s];
  }
}

export function fit(model: Sequential, data: Dataset, o: FitOptions): Progress {
  const rng = new Random(o.seed ?? 1);
  const batches = Math.ceil(data.n / o.batchSize);
  const C = model.outShape[model.outShape.length - 1];
  let step = 0;
  let last: Progress = { epoch: 0, epochs: o.epochs, batch: 0, batches, loss: NaN, accuracy: NaN, lr: o.optimizer.lr };
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    const order = rng.permutation(data.n);
    let lossSum = 0, right = 0, seen = 0;
    for (let bi = 0; bi < batches; bi++) {
      const from = bi * o.batchSize, n = Math.min(o.batchSize, data.n - from);
      if (o.schedule) o.optimizer.lr = o.schedule(step);
      const t = new Tape(model.be);
      try {
        const x = t.tensor([n, ...data.shape]);
        const labels = new Uint8Array(n);
        gather(data, order, from, n, x.data, labels);
        const out = model.forward(t, x, true);
        right += argmaxCorrect(out.data, C, labels);
        const loss = o.loss ? o.loss(t, out, order.subarray(from, from + n)) : softmaxCrossEntropy(t, out, labels);
        o.optimizer.zeroGrad();
        t.backward(loss);
        const l = loss.data[0] + model.penalty();
        lossSum += l * n;
        seen += n;
        o.optimizer.step();
      } finally {
        t.dispose();
      }
      step++;
      last = { epoch, epochs: o.epochs, batch: bi + 1, batches, loss: lossSum / seen, accuracy: right / seen, lr: o.optimizer.lr };
      o.onBatch?.(last);
    }
    o.onEpoch?.({ ...last, seconds: (performance.now() - t0) / 1000 });
  }
  return last;
}

/** Model outputs for every sample (eval mode), in batches. */
export function predict(model: Sequential, data: Dataset, batchSize = 256): Float32Array {
  const per = data.shape.reduce((a, b) => a * b, 1);
  const C = model.outShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.n * C);
  for (let from = 0; from < data.n; from += batchSize) {
    const n = Math.min(batchSize, data.n - from);
    const t = new Tape(model.be, false);
    try {
      const x = t.from(data.x.subarray(from * per, (from + n) * per), [n, ...data.shape]);
      out.set(model.forward(t, x, false).data, from * C);
    } finally {
      t.dispose();
    }
  }
  return out;
}

export function accuracy(model: Sequential, data: Dataset): number {
  const C = model.outShape[model.outShape.length - 1];
  return argmaxCorrect(predict(model, data), C, data.y) / data.n;
}

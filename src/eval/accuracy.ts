// Classification accuracy of a loaded model on a labelled dataset: overall, per class, and the
// confusion matrix (rows: true class, columns: predicted class).
import type { Dataset } from "../data/dataset.ts";
import type { Model } from "../runtime/engine.ts";
import { DataError } from "../data/errors.ts";

export interface Accuracy {
  n: number;
  accuracy: number;
  perClass: number[];
  confusion: number[][];
  worstClass: number;
  worstAccuracy: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Checks that a dataset's samples fit the model's (first) input and its output holds one score per class. */
export function checkFits(model: Model, ds: Dataset): void {
  const input = model.inputs[0], output = model.outputs[0];
  if (model.inputs.length !== 1) throw new DataError(`the model takes ${model.inputs.length} inputs; evaluation feeds one`);
  if (numel(input.shape) !== numel(ds.shape)) throw new DataError(`${ds.name} samples have shape [${ds.shape}] but model input "${input.name}" expects [${input.shape}]`);
  if (numel(output.shape) !== ds.classes.length) throw new DataError(`model output "${output.name}" has ${numel(output.shape)} values per sample but ${ds.name} has ${ds.classes.length} classes`);
}

export function evaluate(model: Model, ds: Dataset, opts: EvaluateOptions = {}): Accuracy {
  checkFits(model, ds);
  const C = ds.classes.length, per = numel(ds.shape);
  const out = model.outputs[0].name, inp = model.inputs[0].name;
  const batch = Math.max(1, Math.min(opts.batchSize ?? 256, ds.n));
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  const batches = Math.ceil(ds.n / batch);
  let right = 0;
  for (let b = 0; b < batches; b++) {
    const lo = b * batch, hi = Math.min(ds.n, lo + batch);
    const scores = model.run({ [inp]: ds.x.subarray(lo * per, hi * per) })[out].data;
    for (let i = 0; i < hi - lo; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (scores[i * C + c] > scores[i * C + best]) best = c;
      const truth = ds.y[lo + i];
      confusion[truth][best]++;
      if (best === truth) right++;
    }
    opts.onProgress?.(b + 1, batches);
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, v) => a + v, 0);
    return total === 0 ? NaN : row[c] / total;
  });
  let worstClass = -1;
  perClass.forEach((a, c) => { if (!Number.isNaN(a) && (worstClass < 0 || a < perClass[worstClass])) worstClass = c; });
  return { n: ds.n, accuracy: ds.n ? right / ds.n : NaN, perClass, confusion, worstClass, worstAccuracy: perClass[worstClass] ?? NaN };
}

// Losses: each returns a one-element tensor (the batch mean) whose backward seeds the graph.
import { type Tape, type Tensor } from "./tensor.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

function logSoftmaxRow(x: ArrayLike<number>, off: number, C: number, scale: number, out: Float64Array): void {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, x[off + c] * scale);
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(x[off + c] * scale - m);
  const lse = m + Math.log(s);
  for (let c = 0; c < C; c++) out[c] = x[off + c] * scale - lse;
}

/** Mean over the batch of −log softmax(logits)[label]; logits [B, C]. */
export function softmaxCrossEntropy(t: Tape, logits: Tensor, labels: ArrayLike<number>): Tensor {
  const C = logits.shape[logits.shape.length - 1], B = logits.size / C;
  if (labels.length !== B) throw new EdgeqError(ErrorCode.BadArgument, `${labels.length} labels for ${B} rows`);
  const logp = new Float64Array(B * C), row = new Float64Array(C);
  const x = logits.data;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    logSoftmaxRow(x, b * C, C, 1, row);
    logp.set(row, b * C);
    const l = labels[b];
    if (!(l >= 0 && l < C)) throw new EdgeqError(ErrorCode.BadArgument, `label ${l} outside 0..${C - 1}`);
    loss -= row[l];
  }
  const y = t.from([loss / B], [1]);
  return t.record(y, [logits], () => {
    t.gradOf(logits);
    const g = y.grad[0] / B, gx = logits.grad;
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) gx[b * C + c] += g * (Math.exp(logp[b * C + c]) - (labels[b] === c ? 1 : 0));
  });
}

/** Mean over all elements of (pred − target)². */
export function mse(t: Tape, pred: Tensor, target: ArrayLike<number>): Tensor {
  if (target.length !== pred.size) throw new EdgeqError(ErrorCode.BadArgument, `target has ${target.length} values, prediction ${pred.size}`);
  const p = pred.data;
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - target[i]) ** 2;
  const y = t.from([s / p.length], [1]);
  return t.record(y, [pred], () => {
    t.gradOf(pred);
    const g = (2 * y.grad[0]) / pred.size, p = pred.data, gp = pred.grad;
    for (let i = 0; i < gp.length; i++) gp[i] += g * (p[i] - target[i]);
  });
}

/**
 * Distillation loss T² · mean_b KL(softmax(teacher/T) ‖ softmax(student/T)); the T² keeps the
 * gradient scale independent of the temperature (Hinton et al.). The teacher gets no gradient.
 */
export function klDivergence(t: Tape, student: Tensor, teacher: ArrayLike<number>, temperature = 1): Tensor {
  const C = student.shape[student.shape.length - 1], B = student.size / C, T = temperature;
  if (teacher.length !== student.size) throw new EdgeqError(ErrorCode.BadArgument, "teacher and student logits differ in size");
  const q = new Float64Array(B * C), p = new Float64Array(B * C), row = new Float64Array(C);
  const s = student.data;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    logSoftmaxRow(teacher, b * C, C, 1 / T, row);
    const lp = Float64Array.from(row);
    logSoftmaxRow(s, b * C, C, 1 / T, row);
    for (let c = 0; c < C; c++) {
      const pt = Math.exp(lp[c]);
      p[b * C + c] = pt;
      q[b * C + c] = Math.exp(row[c]);
      if (pt > 0) loss += pt * (lp[c] - row[c]);
    }
  }
  const y = t.from([(T * T * loss) / B], [1]);
  return t.record(y, [student], () => {
    t.gradOf(student);
    const g = (y.grad[0] * T) / B, gs = student.grad;
    for (let i = 0; i < gs.length; i++) gs[i] += g * (q[i] - p[i]);
  });
}

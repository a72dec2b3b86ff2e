// Differentiable operations. Each computes its forward (heavy math in the artifact, elementwise
// math here), then records a backward that adds into its inputs' gradients. Activations are NHWC
// with the batch first: dense x [B, K], conv x [B, H, W, C].
import type { ConvGeometry, PoolGeometry } from "./backend.ts";
import { type Tape, type Tensor } from "./tensor.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

function bad(msg: string): never {
  throw new EdgeqError(ErrorCode.BadShape, msg);
}

/** C = op(A) · op(B) for 2-D tensors; op transposes when asked. */
export function matmul(t: Tape, a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2) bad("matmul takes 2-D tensors");
  const [M, K] = transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [K2, N] = transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (K !== K2) bad(`matmul inner sizes differ: ${K} vs ${K2}`);
  const y = t.tensor([M, N]);
  t.be.matmul(transA, transB, M, N, K, a.ptr, b.ptr, y.ptr, false);
  return t.record(y, [a, b], () => {
    const be = t.be, dC = y.gradPtr;
    if (a.requiresGrad) {
      if (!transA) be.matmul(false, !transB, M, K, N, dC, b.ptr, t.gradOf(a), true); // dA = dC·op(B)^T
      else be.matmul(transB, true, K, M, N, b.ptr, dC, t.gradOf(a), true); // dA = op(B)·dC^T
    }
    if (b.requiresGrad) {
      if (!transB) be.matmul(!transA, false, K, N, M, a.ptr, dC, t.gradOf(b), true); // dB = op(A)^T·dC
      else be.matmul(true, transA, N, K, M, dC, a.ptr, t.gradOf(b), true); // dB = dC^T·op(A)
    }
  });
}

/** y = x · W^T + b with W [N, K]; x is [B, K]. */
export function dense(t: Tape, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [N, K] = w.shape;
  if (x.size % K !== 0 || x.shape[x.shape.length - 1] !== K) bad(`dense expects [..., ${K}], got [${x.shape}]`);
  const rows = x.size / K;
  const y = t.tensor([...x.shape.slice(0, -1), N]);
  t.be.matmul(false, true, rows, N, K, x.ptr, w.ptr, y.ptr, false);
  if (b) t.be.biasAdd(y.ptr, b.ptr, rows, N);
  return t.record(y, b ? [x, w, b] : [x, w], () => {
    const be = t.be, dy = y.gradPtr;
    if (x.requiresGrad) be.matmul(false, false, rows, K, N, dy, w.ptr, t.gradOf(x), true);
    if (w.requiresGrad) be.matmul(true, false, N, K, rows, dy, x.ptr, t.gradOf(w), true);
    if (b && b.requiresGrad) be.biasGrad(dy, rows, N, t.gradOf(b));
  });
}

export interface ConvOptions {
  stride?: [number, number];
  /** top, left, bottom, right */
  pads?: [number, number, number, number];
  dilation?: [number, number];
  groups?: number;
}

export function convGeometry(x: number[], w: number[], o: ConvOptions): ConvGeometry {
  const [B, H, W, C] = x;
  const [Cout, KH, KW, Cg] = w;
  const [SH, SW] = o.stride ?? [1, 1];
  const [PT, PL, PB, PR] = o.pads ?? [0, 0, 0, 0];
  const [DH, DW] = o.dilation ?? [1, 1];
  const Groups = o.groups ?? 1;
  if (x.length !== 4 || w.length !== 4) bad("conv2d takes x [B,H,W,C] and W [Cout,KH,KW,Cin/groups]");
  if (C % Groups || Cout % Groups || Cg * Groups !== C) bad(`conv2d: ${C} input channels, weights for ${Cg}×${Groups} groups`);
  const OH = Math.floor((H + PT + PB - DH * (KH - 1) - 1) / SH) + 1;
  const OW = Math.floor((W + PL + PR - DW * (KW - 1) - 1) / SW) + 1;
  if (OH < 1 || OW < 1) bad(`conv2d: ${KH}×${KW} kernel does not fit ${H}×${W}`);
  return { B, H, W, C, OH, OW, Cout, KH, KW, SH, SW, PT, PL, DH, DW, Groups };
}

export function conv2d(t: Tape, x: Tensor, w: Tensor, b: Tensor | null, o: ConvOptions = {}): Tensor {
  const g = convGeometry(x.shape, w.shape, o);
  const y = t.tensor([g.B, g.OH, g.OW, g.Cout]);
  t.be.conv2dForward(g, x.ptr, w.ptr, b ? b.ptr : 0, y.ptr);
  return t.record(y, b ? [x, w, b] : [x, w], () => {
    if (x.requiresGrad) t.be.conv2dBackwardInput(g, y.gradPtr, w.ptr, t.gradOf(x));
    if (w.requiresGrad || (b && b.requiresGrad)) t.be.conv2dBackwardWeights(g, x.ptr, y.gradPtr, t.gradOf(w), b ? t.gradOf(b) : 0);
  });
}

export interface PoolOptions {
  kernel: [number, number];
  stride?: [number, number];
  pads?: [number, number, number, number];
  countIncludePad?: boolean;
}

export function poolGeometry(x: number[], o: PoolOptions): PoolGeometry {
  if (x.length !== 4) bad("pooling takes x [B,H,W,C]");
  const [B, H, W, C] = x;
  const [KH, KW] = o.kernel;
  const [SH, SW] = o.stride ?? o.kernel;
  const [PT, PL, PB, PR] = o.pads ?? [0, 0, 0, 0];
  const OH = Math.floor((H + PT + PB - KH) / SH) + 1, OW = Math.floor((W + PL + PR - KW) / SW) + 1;
  if (OH < 1 || OW < 1) bad(`pool ${KH}×${KW} does not fit ${H}×${W}`);
  return { B, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, CountIncludePad: o.countIncludePad ? 1 : 0 };
}

export function maxPool(t: Tape, x: Tensor, o: PoolOptions): Tensor {
  const g = poolGeometry(x.shape, o);
  const y = t.tensor([g.B, g.OH, g.OW, g.C]);
  const arg = t.scratch(y.size);
  t.be.maxpoolForward(g, x.ptr, y.ptr, arg);
  return t.record(y, [x], () => t.be.maxpoolBackward(g, y.gradPtr, arg, t.gradOf(x)));
}

export function avgPool(t: Tape, x: Tensor, o: PoolOptions): Tensor {
  const g = poolGeometry(x.shape, o);
  const y = t.tensor([g.B, g.OH, g.OW, g.C]);
  t.be.avgpoolForward(g, x.ptr, y.ptr);
  return t.record(y, [x], () => t.be.avgpoolBackward(g, y.gradPtr, t.gradOf(x)));
}

/** Elementwise y = f(x) with dy/dx = df(x, y). */
function unary(t: Tape, x: Tensor, f: (v: number) => number, df: (x: number, y: number) => number): Tensor {
  const y = t.tensor(x.shape);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < xd.length; i++) yd[i] = f(xd[i]);
  return t.record(y, [x], () => {
    t.gradOf(x);
    const xd = x.data, yd = y.data, gy = y.grad, gx = x.grad;
    for (let i = 0; i < gx.length; i++) gx[i] += gy[i] * df(xd[i], yd[i]);
  });
}

function clippedRelu(t: Tape, x: Tensor, hi: number): Tensor {
  const y = t.tensor(x.shape);
  t.be.relu(x.ptr, y.ptr, x.size, hi);
  return t.record(y, [x], () => t.be.reluBackward(x.ptr, y.gradPtr, t.gradOf(x), x.size, hi));
}

export const relu = (t: Tape, x: Tensor) => clippedRelu(t, x, 0);
export const relu6 = (t: Tape, x: Tensor) => clippedRelu(t, x, 6);
export const sigmoid = (t: Tape, x: Tensor) => unary(t, x, (v) => 1 / (1 + Math.exp(-v)), (_, y) => y * (1 - y));
export const tanh = (t: Tape, x: Tensor) => unary(t, x, Math.tanh, (_, y) => 1 - y * y);

/** Softmax over the last axis. */
export function softmax(t: Tape, x: Tensor): Tensor {
  const C = x.shape[x.shape.length - 1], rows = x.size / C;
  const y = t.tensor(x.shape);
  const xd = x.data, yd = y.data;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, xd[r * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(xd[r * C + c] - m);
    for (let c = 0; c < C; c++) yd[r * C + c] = Math.exp(xd[r * C + c] - m) / s;
  }
  return t.record(y, [x], () => {
    t.gradOf(x);
    const yd = y.data, gy = y.grad, gx = x.grad;
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += gy[r * C + c] * yd[r * C + c];
      for (let c = 0; c < C; c++) gx[r * C + c] += yd[r * C + c] * (gy[r * C + c] - dot);
    }
  });
}

/** Same data, new shape (one dimension may be -1). */
export function reshape(t: Tape, x: Tensor, shape: number[]): Tensor {
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const s = shape.map((d) => (d === -1 ? x.size / known : d));
  if (s.reduce((a, b) => a * b, 1) !== x.size) bad(`cannot reshape [${x.shape}] to [${shape}]`);
  const y = t.alias(x, s);
  return t.record(y, [x], () => {
    t.gradOf(x);
    const gy = y.grad, gx = x.grad;
    for (let i = 0; i < gx.length; i++) gx[i] += gy[i];
  });
}

export const flatten = (t: Tape, x: Tensor) => reshape(t, x, [x.shape[0], -1]);

/** a ∘ b elementwise; b may also repeat over a's leading elements (e.g. a per-channel vector). */
function binary(t: Tape, a: Tensor, b: Tensor, mul: boolean): Tensor {
  if (a.size % b.size !== 0) bad(`cannot broadcast [${b.shape}] over [${a.shape}]`);
  const n = b.size;
  const y = t.tensor(a.shape);
  const ad = a.data, bd = b.data, yd = y.data;
  for (let i = 0; i < ad.length; i++) yd[i] = mul ? ad[i] * bd[i % n] : ad[i] + bd[i % n];
  return t.record(y, [a, b], () => {
    if (a.requiresGrad) t.gradOf(a);
    if (b.requiresGrad) t.gradOf(b);
    const gy = y.grad, ad = a.data, bd = b.data;
    if (a.requiresGrad) {
      const ga = a.grad;
      for (let i = 0; i < ga.length; i++) ga[i] += mul ? gy[i] * bd[i % n] : gy[i];
    }
    if (b.requiresGrad) {
      const gb = b.grad, acc = new Float64Array(n);
      for (let i = 0; i < gy.length; i++) acc[i % n] += mul ? gy[i] * ad[i] : gy[i];
      for (let j = 0; j < n; j++) gb[j] += acc[j];
    }
  });
}

export const add = (t: Tape, a: Tensor, b: Tensor) => binary(t, a, b, false);
export const mul = (t: Tape, a: Tensor, b: Tensor) => binary(t, a, b, true);

export interface BatchNormState {
  mean: Float32Array;
  variance: Float32Array;
  momentum: number;
  eps: number;
}

/** Batch normalization over the last axis (channels in NHWC, features in dense). */
export function batchNorm(t: Tape, x: Tensor, gamma: Tensor, beta: Tensor, s: BatchNormState, training: boolean): Tensor {
  const C = x.shape[x.shape.length - 1], rows = x.size / C;
  if (gamma.size !== C || beta.size !== C) bad(`batch norm over ${C} channels, parameters of ${gamma.size}`);
  const mean = new Float64Array(C), invStd = new Float64Array(C);
  const xd = x.data;
  if (training) {
    for (let i = 0; i < xd.length; i++) mean[i % C] += xd[i];
    for (let c = 0; c < C; c++) mean[c] /= rows;
    const v = new Float64Array(C);
    for (let i = 0; i < xd.length; i++) v[i % C] += (xd[i] - mean[i % C]) ** 2;
    for (let c = 0; c < C; c++) {
      invStd[c] = 1 / Math.sqrt(v[c] / rows + s.eps);
      s.mean[c] = (1 - s.momentum) * s.mean[c] + s.momentum * mean[c];
      s.variance[c] = (1 - s.momentum) * s.variance[c] + s.momentum * (rows > 1 ? v[c] / (rows - 1) : v[c]);
    }
  } else {
    for (let c = 0; c < C; c++) {
      mean[c] = s.mean[c];
      invStd[c] = 1 / Math.sqrt(s.variance[c] + s.eps);
    }
  }
  const y = t.tensor(x.shape);
  const yd = y.data, xd2 = x.data, gd = gamma.data, bd = beta.data;
  for (let i = 0; i < yd.length; i++) {
    const c = i % C;
    yd[i] = gd[c] * (xd2[i] - mean[c]) * invStd[c] + bd[c];
  }
  return t.record(y, [x, gamma, beta], () => {
    if (x.requiresGrad) t.gradOf(x);
    if (gamma.requiresGrad) t.gradOf(gamma);
    if (beta.requiresGrad) t.gradOf(beta);
    const xd = x.data, gy = y.grad, gd = gamma.data;
    const sumDy = new Float64Array(C), sumDyXhat = new Float64Array(C);
    for (let i = 0; i < gy.length; i++) {
      const c = i % C;
      sumDy[c] += gy[i];
      sumDyXhat[c] += gy[i] * (xd[i] - mean[c]) * invStd[c];
    }
    if (gamma.requiresGrad) { const g = gamma.grad; for (let c = 0; c < C; c++) g[c] += sumDyXhat[c]; }
    if (beta.requiresGrad) { const g = beta.grad; for (let c = 0; c < C; c++) g[c] += sumDy[c]; }
    if (x.requiresGrad) {
      const gx = x.grad;
      for (let i = 0; i < gx.length; i++) {
        const c = i % C;
        if (training) {
          const xhat = (xd[i] - mean[c]) * invStd[c];
          gx[i] += (gd[c] * invStd[c] / rows) * (rows * gy[i] - sumDy[c] - xhat * sumDyXhat[c]);
        } else gx[i] += gy[i] * gd[c] * invStd[c];
      }
    }
  });
}

/** Inverted dropout: zeroes each value with probability p and scales the rest by 1/(1-p). */
export function dropout(t: Tape, x: Tensor, p: number, random: () => number, training: boolean): Tensor {
  if (!training || p <= 0) return x;
  const keep = new Float32Array(x.size);
  for (let i = 0; i < keep.length; i++) keep[i] = random() >= p ? 1 / (1 - p) : 0;
  const y = t.tensor(x.shape);
  const xd = x.data, yd = y.data;
  for (let i = 0; i < yd.length; i++) yd[i] = xd[i] * keep[i];
  return t.record(y, [x], () => {
    t.gradOf(x);
    const gy = y.grad, gx = x.grad;
    for (let i = 0; i < gx.length; i++) gx[i] += gy[i] * keep[i];
  });
}

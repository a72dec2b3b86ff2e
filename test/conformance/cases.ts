// The conformance set: small models × seeded input vectors that every target must run to the
// same bits. Each case carries the TS reference's expectation (test/ref), never our own output.
// Weights are generated dense, then packed into CSR / 2:4 / codebook by the plain packers below
// (written from docs/format.md); the reference computes on the dense weights.
import { Activation, DType, Encoding, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import type { TensorData } from "../../src/runtime/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseF64, denseInt, requant } from "../ref/index.ts";
import { type ConvGeom, convOutSize, convRef } from "../ref/conv.ts";

/** f32 outputs must stay within this of the f64 reference: |y - ref| <= F32_TOL * (1 + |ref|). */
export const F32_TOL = 1e-4;

export interface Vector {
  batch: number;
  /** Inputs in model order. */
  inputs: TensorData[];
  /** Expected output (the model has one output, "y"). */
  expect: Float64Array;
  /** int8 outputs whose exact value sits within rounding noise of a tie: ±1 allowed vs the reference. */
  nearTie?: Uint8Array;
}

export interface Case {
  name: string;
  /** What it covers, for the report. */
  about: string;
  bytes: Uint8Array;
  inputNames: string[];
  outputDType: DType;
  vectors: Vector[];
}

// ---- packers (docs/format.md "Encodings") ----

function packCsr(w: Int8Array | Float32Array, N: number, K: number): { data: Int8Array | Float32Array; aux: Uint8Array } {
  const vals: number[] = [], cols: number[] = [], rowPtr = [0];
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) if (w[n * K + k] !== 0) { vals.push(w[n * K + k]); cols.push(k); }
    rowPtr.push(vals.length);
  }
  const aux = new Uint8Array(4 * (N + 1) + 2 * cols.length);
  const dv = new DataView(aux.buffer);
  rowPtr.forEach((v, i) => dv.setUint32(4 * i, v, true));
  cols.forEach((c, i) => dv.setUint16(4 * (N + 1) + 2 * i, c, true));
  return { data: w instanceof Int8Array ? Int8Array.from(vals) : Float32Array.from(vals), aux };
}

/** 2:4: zero all but two entries (chosen by rng) in each group of four, then pack. */
function prune24(w: Int8Array | Float32Array, N: number, K: number, rng: Rng): { dense: typeof w; data: typeof w; aux: Uint8Array } {
  const dense = w.slice() as typeof w;
  const data = (w instanceof Int8Array ? new Int8Array((N * K) / 2) : new Float32Array((N * K) / 2)) as typeof w;
  const idxRow = Math.ceil(K / 8);
  const aux = new Uint8Array(N * idxRow);
  for (let n = 0; n < N; n++)
    for (let g = 0; g < K / 4; g++) {
      const a = rng.int(0, 2), b = rng.int(a + 1, 3);
      for (let j = 0; j < 4; j++) if (j !== a && j !== b) dense[n * K + 4 * g + j] = 0;
      data[n * (K / 2) + 2 * g] = dense[n * K + 4 * g + a];
      data[n * (K / 2) + 2 * g + 1] = dense[n * K + 4 * g + b];
      aux[n * idxRow + (g >> 1)] |= (a | (b << 2)) << ((g & 1) * 4);
    }
  return { dense, data, aux };
}

function packIndices(idx: Uint8Array, N: number, K: number, bits: number): Uint8Array {
  const rowBytes = Math.ceil((K * bits) / 8);
  const out = new Uint8Array(N * rowBytes);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const bit = k * bits;
      out[n * rowBytes + (bit >> 3)] |= idx[n * K + k] << (bit & 7);
    }
  return out;
}

// ---- models ----

function i8Vectors(rng: Rng, K: number, run: (x: Int8Array, rows: number) => { expect: Float64Array; nearTie?: Uint8Array }): Vector[] {
  return [1, 3, 8].map((batch) => {
    const x = rng.i8(batch * K);
    return { batch, inputs: [x], ...run(x, batch) };
  });
}

function f32Vectors(rng: Rng, K: number, run: (x: Float32Array, rows: number) => Float64Array): Vector[] {
  return [1, 3, 8].map((batch) => {
    const x = rng.f32(batch * K);
    return { batch, inputs: [x], expect: run(x, batch) };
  });
}

/** int8 → Dense(per-channel int8 W, i32 bias, act) → int8, with weights in the given encoding. */
function int8Dense(name: string, about: string, seed: number, K: number, N: number, encoding: Encoding, act: Activation): Case {
  const rng = new Rng(seed);
  const sx = 0.03, zx = 3, sy = 0.08, zy = -5;
  const sw = Array.from({ length: N }, () => 0.002 + rng.next() * 0.006);
  let w = rng.i8(N * K, -127, 127);
  const b = Int32Array.from({ length: N }, () => rng.int(-3000, 3000));
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { scales: [sx], zeroPoint: zx });
  let W: number;
  if (encoding === Encoding.Csr) {
    for (let i = 0; i < w.length; i++) if (rng.next() < 0.7) w[i] = 0;
    const p = packCsr(w, N, K);
    W = g.constant("W", DType.I8, [N, K], p.data, { scales: sw, encoding, aux: p.aux });
  } else if (encoding === Encoding.Nm24) {
    const p = prune24(w, N, K, rng);
    w = p.dense as Int8Array;
    W = g.constant("W", DType.I8, [N, K], p.data, { scales: sw, encoding, aux: p.aux });
  } else if (encoding === Encoding.Codebook) {
    const bits = 4;
    const centroids = rng.i8(1 << bits, -127, 127);
    const idx = Uint8Array.from({ length: N * K }, () => rng.int(0, (1 << bits) - 1));
    w = Int8Array.from(idx, (i) => centroids[i]);
    W = g.constant("W", DType.I8, [N, K], packIndices(idx, N, K, bits), { scales: sw, encoding, aux: new Uint8Array(centroids.buffer), bits });
  } else W = g.constant("W", DType.I8, [N, K], w, { scales: sw });
  const B = g.constant("b", DType.I32, [N], b);
  const y = g.act("y", DType.I8, [N], { scales: [sy], zeroPoint: zy });
  g.op(Op.Dense, [x, W, B], [y], [act]).output(y);
  const hi = act === Activation.Relu6 ? Math.min(127, Math.round(6 / Math.fround(sy)) + zy) : 127;
  const lo = act === Activation.None ? -128 : Math.max(-128, zy);
  const vectors = i8Vectors(rng, K, (xs, rows) => {
    const acc = denseInt(xs, zx, w, 0, b, rows, K, N);
    const expect = new Float64Array(acc.length), nearTie = new Uint8Array(acc.length);
    for (let i = 0; i < acc.length; i++) {
      const r = requant(acc[i], (Math.fround(sx) * Math.fround(sw[i % N])) / Math.fround(sy), zy, lo, Math.max(lo, hi));
      expect[i] = r.v;
      nearTie[i] = r.nearTie ? 1 : 0;
    }
    return { expect, nearTie };
  });
  return { name, about, bytes: g.encode(), inputNames: ["x"], outputDType: DType.I8, vectors };
}

function int8Raw(seed: number): Case {
  const rng = new Rng(seed);
  const K = 96, N = 20, zx = -7, zw = 4;
  const w = rng.i8(N * K);
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: zx });
  const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: zw });
  const y = g.act("y", DType.I32, [N]);
  g.op(Op.Dense, [x, W], [y]).output(y);
  const vectors = i8Vectors(rng, K, (xs, rows) => ({ expect: denseInt(xs, zx, w, zw, null, rows, K, N) }));
  return { name: "i8-dense-i32acc", about: "int8 × int8 → raw int32 accumulators, zero points on both sides", bytes: g.encode(), inputNames: ["x"], outputDType: DType.I32, vectors };
}

function f32Mlp(seed: number): Case {
  const rng = new Rng(seed);
  const K = 40, H = 33, N = 10;
  const w1 = rng.f32(H * K, 0.3), b1 = rng.f32(H, 0.1), w2 = rng.f32(N * H, 0.3), b2 = rng.f32(N, 0.1);
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [K]);
  const h = g.act("h", DType.F32, [H]);
  const y = g.act("y", DType.F32, [N]);
  g.op(Op.Dense, [x, g.constant("W1", DType.F32, [H, K], w1), g.constant("b1", DType.F32, [H], b1)], [h], [Activation.Relu]);
  g.op(Op.Dense, [h, g.constant("W2", DType.F32, [N, H], w2), g.constant("b2", DType.F32, [N], b2)], [y]).output(y);
  const vectors = f32Vectors(rng, K, (xs, rows) => {
    const hh = denseF64(xs, w1, b1, rows, K, H).map((v) => Math.max(0, v));
    return denseF64(hh, w2, b2, rows, H, N);
  });
  return { name: "f32-mlp", about: "f32 dense → ReLU → dense", bytes: g.encode(), inputNames: ["x"], outputDType: DType.F32, vectors };
}

function f32Encoded(name: string, seed: number, encoding: Encoding): Case {
  const rng = new Rng(seed);
  const K = 64, N = 12;
  let w = rng.f32(N * K, 0.3);
  const b = rng.f32(N, 0.1);
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [K]);
  let W: number;
  if (encoding === Encoding.Codebook) {
    const bits = 2;
    const centroids = rng.f32(1 << bits, 0.3);
    const idx = Uint8Array.from({ length: N * K }, () => rng.int(0, (1 << bits) - 1));
    w = Float32Array.from(idx, (i) => centroids[i]);
    W = g.constant("W", DType.F32, [N, K], packIndices(idx, N, K, bits), { encoding, aux: new Uint8Array(centroids.buffer), bits });
  } else {
    const p = prune24(w, N, K, rng);
    w = p.dense as Float32Array;
    W = g.constant("W", DType.F32, [N, K], p.data, { encoding, aux: p.aux });
  }
  const y = g.act("y", DType.F32, [N]);
  g.op(Op.Dense, [x, W, g.constant("b", DType.F32, [N], b)], [y]).output(y);
  const vectors = f32Vectors(rng, K, (xs, rows) => denseF64(xs, w, b, rows, K, N));
  return { name, about: `f32 dense, ${encoding === Encoding.Codebook ? "2-bit codebook" : "2:4 sparse"} weights`, bytes: g.encode(), inputNames: ["x"], outputDType: DType.F32, vectors };
}

type ConvShape = Omit<ConvGeom, "batch">;
const convAttrs = (g: ConvShape, act: Activation) => [act, ...g.stride, ...g.pads, ...g.dilation, g.groups];
const actF = (v: number, act: Activation) => (act === Activation.Relu ? Math.max(v, 0) : act === Activation.Relu6 ? Math.min(Math.max(v, 0), 6) : v);

/** NHWC f32 conv (Conv2d) with bias and a fused activation. */
function f32Conv(name: string, about: string, seed: number, g: ConvShape, act: Activation): Case {
  const rng = new Rng(seed);
  const [OH, OW] = convOutSize({ ...g, batch: 1 });
  const w = rng.f32(g.Cout * g.KH * g.KW * (g.Cin / g.groups), 0.4), bias = rng.f32(g.Cout, 0.1);
  const b = new GraphBuilder();
  const x = b.input("x", DType.F32, [g.H, g.W, g.Cin]);
  const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
  b.op(Op.Conv2d, [x, b.constant("W", DType.F32, [g.Cout, g.KH, g.KW, g.Cin / g.groups], w), b.constant("b", DType.F32, [g.Cout], bias)], [y], convAttrs(g, act)).output(y);
  const vectors = f32Vectors(rng, g.H * g.W * g.Cin, (xs, batch) => convRef(xs, 0, w, 0, bias, { ...g, batch }).map((v) => actF(v, act)));
  return { name, about, bytes: b.encode(), inputNames: ["x"], outputDType: DType.F32, vectors };
}

/** NHWC int8 conv (QLinearConv semantics), per-channel weight scales, i32 bias, fused activation. */
function int8Conv(name: string, about: string, seed: number, g: ConvShape, act: Activation): Case {
  const rng = new Rng(seed);
  const [OH, OW] = convOutSize({ ...g, batch: 1 });
  const sx = 0.04, zx = -6, sy = 0.1, zy = 4;
  const sw = Array.from({ length: g.Cout }, () => 0.002 + rng.next() * 0.008);
  const w = rng.i8(g.Cout * g.KH * g.KW * (g.Cin / g.groups), -127, 127);
  const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-1500, 1500));
  const b = new GraphBuilder();
  const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { scales: [sx], zeroPoint: zx });
  const y = b.act("y", DType.I8, [OH, OW, g.Cout], { scales: [sy], zeroPoint: zy });
  b.op(Op.Conv2d, [x, b.constant("W", DType.I8, [g.Cout, g.KH, g.KW, g.Cin / g.groups], w, { scales: sw }), b.constant("b", DType.I32, [g.Cout], bias)], [y], convAttrs(g, act)).output(y);
  const hi = act === Activation.Relu6 ? Math.min(127, Math.round(6 / Math.fround(sy)) + zy) : 127;
  const lo = act === Activation.None ? -128 : Math.max(-128, zy);
  const vectors = i8Vectors(rng, g.H * g.W * g.Cin, (xs, batch) => {
    const acc = convRef(xs, zx, w, 0, bias, { ...g, batch });
    const expect = new Float64Array(acc.length), nearTie = new Uint8Array(acc.length);
    for (let i = 0; i < acc.length; i++) {
      const r = requant(acc[i], (Math.fround(sx) * Math.fround(sw[i % g.Cout])) / Math.fround(sy), zy, lo, Math.max(lo, hi));
      expect[i] = r.v;
      nearTie[i] = r.nearTie ? 1 : 0;
    }
    return { expect, nearTie };
  });
  return { name, about, bytes: b.encode(), inputNames: ["x"], outputDType: DType.I8, vectors };
}

const conv3x3: ConvShape = { H: 8, W: 7, Cin: 5, Cout: 8, KH: 3, KW: 3, stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 1 };
const dw3x3s2: ConvShape = { H: 9, W: 8, Cin: 12, Cout: 12, KH: 3, KW: 3, stride: [2, 2], pads: [1, 1, 1, 0], dilation: [1, 1], groups: 12 };

let cached: Case[] | undefined;

export function conformanceCases(): Case[] {
  cached ??= [
    f32Mlp(101),
    f32Encoded("f32-dense-2of4", 102, Encoding.Nm24),
    f32Encoded("f32-dense-codebook2", 103, Encoding.Codebook),
    int8Dense("i8-dense", "int8 dense, per-channel scales, bias, ReLU", 104, 72, 24, Encoding.Dense, Activation.Relu),
    int8Dense("i8-dense-relu6", "int8 dense, per-channel scales, ReLU6", 105, 50, 17, Encoding.Dense, Activation.Relu6),
    int8Dense("i8-dense-csr", "int8 dense, CSR weights (~70 % zeros)", 106, 80, 16, Encoding.Csr, Activation.None),
    int8Dense("i8-dense-2of4", "int8 dense, 2:4 sparse weights", 107, 64, 20, Encoding.Nm24, Activation.Relu),
    int8Dense("i8-dense-codebook4", "int8 dense, 4-bit codebook weights", 108, 48, 18, Encoding.Codebook, Activation.None),
    int8Raw(109),
    f32Conv("f32-conv3x3", "f32 NHWC conv 3×3, pad 1, ReLU", 110, conv3x3, Activation.Relu),
    f32Conv("f32-dwconv-s2", "f32 depthwise conv 3×3, stride 2, asymmetric pad", 111, dw3x3s2, Activation.None),
    int8Conv("i8-conv3x3", "int8 NHWC conv 3×3, per-channel scales, ReLU6", 112, conv3x3, Activation.Relu6),
    int8Conv("i8-dwconv-s2", "int8 depthwise conv 3×3, stride 2, ReLU", 113, dw3x3s2, Activation.Relu),
  ];
  return cached;
}

/** Raw input file for the CLI/native hosts: inputs in model order, little-endian, concatenated. */
export function rawInput(v: Vector): Uint8Array {
  const parts = v.inputs.map((d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

// Round trip edgeq -> ONNX -> onnxruntime-web on 1 000 MNIST test images: a float and an int8
// (QDQ) model must give onnxruntime the same top-1 as edgeq itself, and nearly the same values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { take } from "../../src/data/dataset.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { loadSplits } from "../../src/data/registry.ts";
import { quantizeModel } from "../../src/quantize/quantizer.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportOnnx } from "../../src/export/onnx.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { decode } from "../../src/format/reader.ts";
import { engine } from "../helpers/engine.ts";
import { ort, ortSession, runOrt } from "../helpers/ort.ts";
import { Rng } from "../helpers/rng.ts";
import { quantize } from "../ref/index.ts";

const COUNT = 1000, K = 784, H = 48, N = 10;
const images = take(loadMnist("test"), COUNT);
const rng = new Rng(21);
const W1 = rng.f32(H * K, 0.08), b1 = rng.f32(H, 0.1), W2 = rng.f32(N * H, 0.3), b2 = rng.f32(N, 0.1);

function argmax(a: ArrayLike<number>, row: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[row * n + i] > a[row * n + best]) best = i;
  return best;
}

test("float MLP: onnxruntime on the exported model matches edgeq within 1e-5 and on every top-1", async () => {
  const g = new GraphBuilder();
  const x = g.input("pixels", DType.F32, [K]);
  const h = g.act("hidden", DType.F32, [H]);
  const y = g.act("logits", DType.F32, [N]);
  g.op(Op.Dense, [x, g.constant("W1", DType.F32, [H, K], W1), g.constant("b1", DType.F32, [H], b1)], [h], [Activation.Relu])
    .op(Op.Dense, [h, g.constant("W2", DType.F32, [N, H], W2), g.constant("b2", DType.F32, [N], b2)], [y])
    .output(y);
  const bytes = g.encode();
  const m = (await engine()).load(bytes);
  let ours;
  try {
    ours = m.run({ pixels: images.x }).logits.data;
  } finally {
    m.dispose();
  }
  const theirs = (await runOrt(exportOnnx(decode(bytes)), { pixels: { data: images.x, dims: [COUNT, K] } })).logits;
  assert.equal(theirs.dims, [COUNT, N]);
  for (let i = 0; i < theirs.data.length; i++) assert.ok(Math.abs(ours[i] - theirs.data[i]) <= 1e-5 * Math.abs(theirs.data[i]) + 1e-5, `logit ${i}: ${ours[i]} vs ${theirs.data[i]}`);
  for (let r = 0; r < COUNT; r++) assert.is(argmax(ours, r, N), argmax(theirs.data, r, N), `image ${r}`);
});

test("int8 MLP as QDQ: onnxruntime reproduces edgeq's top-1 on every image and its int8 hidden layer within one step", async () => {
  // pixels in [0, 1] quantized with scale 1/255, zero point -128: exactly pixel*255 - 128
  const sx = 1 / 255, zx = -128;
  const q = Int8Array.from(images.x, (v) => quantize(v, sx, zx));
  const perRow = (w: Float32Array, rows: number, cols: number) => Array.from({ length: rows }, (_, r) => Math.max(...Array.from(w.subarray(r * cols, (r + 1) * cols), Math.abs)) / 127);
  const s1 = perRow(W1, H, K), s2 = perRow(W2, N, H);
  const q1 = Int8Array.from(W1, (v, i) => quantize(v, s1[Math.floor(i / K)], 0));
  const q2 = Int8Array.from(W2, (v, i) => quantize(v, s2[Math.floor(i / H)], 0));
  const sh = 0.05, zh = -128;
  const g = new GraphBuilder();
  const x = g.input("pixels", DType.I8, [K], { scales: [sx], zeroPoint: zx });
  const h = g.act("hidden", DType.I8, [H], { scales: [sh], zeroPoint: zh });
  const y = g.act("logits", DType.F32, [N]);
  const bias = (b: Float32Array, s: number[], sIn: number) => Int32Array.from(b, (v, n) => Math.round(v / (sIn * s[n])));
  g.op(Op.Dense, [x, g.constant("W1", DType.I8, [H, K], q1, { scales: s1 }), g.constant("b1", DType.I32, [H], bias(b1, s1, sx))], [h], [Activation.Relu])
    .op(Op.Dense, [h, g.constant("W2", DType.I8, [N, H], q2, { scales: s2 }), g.constant("b2", DType.I32, [N], bias(b2, s2, sh))], [y])
    .output(h, y);
  const bytes = g.encode();
  const m = (await engine()).load(bytes);
  let ours;
  try {
    ours = m.run({ pixels: q });
  } finally {
    m.dispose();
  }
  const onnx = exportOnnx(decode(bytes));
  const theirs = await (async () => {
    const s = await ortSession(onnx);
    try {
      const r = await s.run({ pixels: new ort.Tensor("int8", q, [COUNT, K]) });
      return { hidden: r.hidden.data as Int8Array, logits: r.logits.data as Float32Array };
    } finally {
      await s.release();
    }
  })();
  let off = 0;
  for (let i = 0; i < theirs.hidden.length; i++) {
    const d = Math.abs(theirs.hidden[i] - ours.hidden.data[i]);
    assert.ok(d <= 1, `hidden[${i}] ${ours.hidden.data[i]} vs ${theirs.hidden[i]}`);
    off += d;
  }
  assert.ok(off <= theirs.hidden.length / 1000, `${off} hidden values differ by one step`);
  for (let r = 0; r < COUNT; r++) assert.is(argmax(ours.logits.data, r, N), argmax(theirs.logits, r, N), `image ${r}`);
});

test("int8 conv net as QDQ (Quantize, per-channel Conv2d + ReLU, MaxPool, GlobalAvgPool, Dense): onnxruntime agrees", async () => {
  const r = new Rng(31);
  const B = 64, C = 8, S = 28;
  const g = new GraphBuilder();
  const x = g.input("image", DType.F32, [S, S, 1]);
  const xq = g.act("image_q", DType.I8, [S, S, 1], { scales: [1 / 255], zeroPoint: -128 });
  const wf = r.f32(C * 9, 0.3), sw = Array.from({ length: C }, (_, c) => Math.max(...Array.from(wf.subarray(c * 9, c * 9 + 9), Math.abs)) / 127);
  const W = g.constant("conv_w", DType.I8, [C, 3, 3, 1], Int8Array.from(wf, (v, i) => quantize(v, sw[Math.floor(i / 9)], 0)), { scales: sw });
  const cb = g.constant("conv_b", DType.I32, [C], Int32Array.from({ length: C }, () => r.int(-3000, 3000)));
  const conv = g.act("conv", DType.I8, [S / 2, S / 2, C], { scales: [0.02], zeroPoint: -128 });
  const pool = g.act("pool", DType.I8, [S / 4, S / 4, C], { scales: [0.02], zeroPoint: -128 });
  const gap = g.act("gap", DType.I8, [1, 1, C], { scales: [0.01], zeroPoint: -128 });
  const flat = g.act("flat", DType.I8, [C], { scales: [0.01], zeroPoint: -128 });
  const dw = g.constant("fc_w", DType.I8, [N, C], r.i8(N * C, -127, 127), { scales: [0.01] });
  const logits = g.act("logits", DType.F32, [N]);
  g.op(Op.Quantize, [x], [xq])
    .op(Op.Conv2d, [xq, W, cb], [conv], [Activation.Relu, 2, 2, 1, 1, 0, 0, 1, 1, 1])
    .op(Op.MaxPool, [conv], [pool], [2, 2, 2, 2, 0, 0, 0, 0])
    .op(Op.GlobalAvgPool, [pool], [gap])
    .op(Op.Reshape, [gap], [flat])
    .op(Op.Dense, [flat, dw], [logits])
    .output(conv, logits);
  const bytes = g.encode();
  const input = images.x.subarray(0, B * S * S);
  const m = (await engine()).load(bytes);
  let ours;
  try {
    ours = m.run({ image: input });
  } finally {
    m.dispose();
  }
  const s = await ortSession(exportOnnx(decode(bytes)));
  let theirs;
  try {
    theirs = await s.run({ image: new ort.Tensor("float32", input, [B, S, S, 1]) });
  } finally {
    await s.release();
  }
  const tc = theirs.conv.data as Int8Array, tl = theirs.logits.data as Float32Array;
  assert.equal([...theirs.conv.dims], [B, S / 2, S / 2, C]);
  let off = 0;
  for (let i = 0; i < tc.length; i++) {
    const d = Math.abs(tc[i] - ours.conv.data[i]);
    assert.ok(d <= 1, `conv[${i}] ${ours.conv.data[i]} vs ${tc[i]}`);
    off += d;
  }
  assert.ok(off <= tc.length / 1000, `${off} conv values differ by one step`);
  for (let i = 0; i < tl.length; i++) assert.ok(Math.abs(tl[i] - ours.logits.data[i]) <= 0.05, `logit ${i}: ${ours.logits.data[i]} vs ${tl[i]}`);
});

test("zoo model mlp-digits, float and statically quantized: onnxruntime gives edgeq's top-1 on the whole digits test split", async () => {
  const e = await engine();
  const float = new Uint8Array(readFileSync(join(import.meta.dirname, "../../models/mlp-digits.edgeq")));
  const { train, test: held } = loadSplits("digits");
  const int8 = quantizeModel(e, float, train.x.subarray(0, 256 * 64), { mode: "static" }).bytes;
  for (const [label, bytes] of [["float", float], ["int8", int8]] as const) {
    const m = e.load(bytes);
    let ours;
    try {
      ours = m.run({ input: held.x }).logits.data;
    } finally {
      m.dispose();
    }
    const theirs = (await runOrt(exportOnnx(decode(bytes)), { input: { data: held.x, dims: [held.n, 8, 8, 1] } })).logits.data;
    for (let r = 0; r < held.n; r++) assert.is(argmax(theirs, r, N), argmax(ours, r, N), `${label} sample ${r}`);
  }
});

test.run();

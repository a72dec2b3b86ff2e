import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { expectLoadError } from "../helpers/load-error.ts";
import { Rng } from "../helpers/rng.ts";
import { quantize } from "../ref/index.ts";
import { dequantize, dynamicQuantizeRef } from "../ref/eltwise.ts";

const f = Math.fround;

test("Quantize follows ONNX QuantizeLinear: round half to even, saturation, NaN to the zero point", async () => {
  const e = await engine();
  const rng = new Rng(51);
  for (const [s, z] of [[0.1, 0], [0.02, -17], [1, 100], [0.5, 0]]) {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [9, 7]);
    const y = g.act("y", DType.I8, [9, 7], { scales: [s], zeroPoint: z });
    g.op(Op.Quantize, [x], [y]).output(y);
    const m = e.load(g.encode());
    const xs = rng.f32(63 * 2, 4);
    // exact ties, saturation and non-finite values
    [0.5, 1.5, 2.5, -0.5, -1.5, 1e9, -1e9, Infinity, -Infinity, NaN, -0].forEach((v, i) => (xs[i * 5] = v * s));
    const out = m.run({ x: xs }).y.data;
    for (let i = 0; i < xs.length; i++) {
      const want = Number.isNaN(xs[i]) ? z : quantize(xs[i], f(s), z);
      assert.is(out[i], want, `scale ${s} zp ${z} x=${xs[i]}`);
    }
    m.dispose();
  }
});

test("Dequantize: (q - zp) * scale in f32 for every int8 value", async () => {
  const e = await engine();
  for (const [s, z] of [[0.1, 0], [0.0123, -128], [3, 127]]) {
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [256], { scales: [s], zeroPoint: z });
    const y = g.act("y", DType.F32, [256]);
    g.op(Op.Dequantize, [x], [y]).output(y);
    const m = e.load(g.encode());
    const xs = Int8Array.from({ length: 512 }, (_, i) => (i % 256) - 128);
    const out = m.run({ x: xs }).y.data;
    for (let i = 0; i < xs.length; i++) assert.is(out[i], dequantize(xs[i], s, z));
    m.dispose();
  }
});

test("Quantize/Dequantize with per-axis scale and zero-point inputs (ONNX axis form), batch 2", async () => {
  const e = await engine();
  const rng = new Rng(52);
  const shape = [3, 4, 5];
  for (const axis of [0, 1, 2]) {
    const C = shape[axis];
    const scales = Float32Array.from({ length: C }, () => 0.01 + rng.next() * 0.1);
    const zps = rng.i8(C, -50, 50);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, shape);
    const S = g.constant("s", DType.F32, [C], scales);
    const Z = g.constant("z", DType.I8, [C], zps);
    const q = g.act("q", DType.I8, shape);
    const d = g.act("d", DType.F32, shape);
    g.op(Op.Quantize, [x, S, Z], [q], [axis]).op(Op.Dequantize, [q, S, Z], [d], [axis]).output(q, d);
    const m = e.load(g.encode());
    const xs = rng.f32(60 * 2, 3);
    const out = m.run({ x: xs });
    for (let i = 0; i < xs.length; i++) {
      const c = Math.floor(i / inner) % C;
      const want = quantize(xs[i], scales[c], zps[c]);
      assert.is(out.q.data[i], want, `axis ${axis} i ${i}`);
      assert.is(out.d.data[i], dequantize(want, scales[c], zps[c]), `axis ${axis} i ${i}`);
    }
    m.dispose();
  }
});

test("Dequantize of int32 accumulators with a scale input", async () => {
  const e = await engine();
  const g = new GraphBuilder();
  const x = g.input("x", DType.I32, [4]);
  const S = g.constant("s", DType.F32, [1], new Float32Array([0.001]));
  const y = g.act("y", DType.F32, [4]);
  g.op(Op.Dequantize, [x, S], [y]).output(y);
  const m = e.load(g.encode());
  const xs = new Int32Array([0, -7, 123456, -2000000]);
  const out = m.run({ x: xs }).y.data;
  xs.forEach((v, i) => assert.is(out[i], f(v * f(0.001))));
  m.dispose();
});

test("DynamicQuantize follows ONNX DynamicQuantizeLinear per sample (uint8 mapped to int8)", async () => {
  const e = await engine();
  const rng = new Rng(53);
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [6, 5]);
  const y = g.act("y", DType.I8, [6, 5]);
  const s = g.act("scale", DType.F32, [1]);
  const z = g.act("zp", DType.I8, [1]);
  g.op(Op.DynamicQuantize, [x], [y, s, z]).output(y, s, z);
  const m = e.load(g.encode());
  const samples = [
    rng.f32(30, 2),
    Float32Array.from(rng.f32(30), Math.abs), // all positive: zero point at the bottom
    Float32Array.from(rng.f32(30), (v) => -Math.abs(v) * 100), // all negative
    new Float32Array(30), // all zero
    Float32Array.from({ length: 30 }, (_, i) => i - 10),
  ];
  const xs = new Float32Array(30 * samples.length);
  samples.forEach((v, i) => xs.set(v, i * 30));
  const out = m.run({ x: xs });
  assert.equal(out.scale.shape, [samples.length, 1]);
  samples.forEach((v, b) => {
    const ref = dynamicQuantizeRef(v);
    assert.is(out.scale.data[b], ref.scale, `sample ${b} scale`);
    assert.is(out.zp.data[b], ref.zp, `sample ${b} zero point`);
    assert.equal(Array.from(out.y.data.subarray(b * 30, (b + 1) * 30)), ref.y, `sample ${b}`);
  });
  m.dispose();
});

test("quantization ops refuse missing scales, wrong dtypes and bad per-axis parameters", async () => {
  let g = new GraphBuilder();
  let x = g.input("x", DType.F32, [4]);
  let y = g.act("y", DType.I8, [4]);
  await expectLoadError(g.op(Op.Quantize, [x], [y]).output(y).encode(), ErrorCode.BadQuant, "quantize to an unscaled tensor");

  g = new GraphBuilder();
  x = g.input("x", DType.I8, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(Op.Dequantize, [x], [y]).output(y).encode(), ErrorCode.BadQuant, "dequantize an unscaled tensor");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(Op.Quantize, [x], [y]).output(y).encode(), ErrorCode.BadOp, "quantize to f32");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4, 3]);
  let S = g.constant("s", DType.F32, [4], new Float32Array([1, 1, 1, 1]));
  y = g.act("y", DType.I8, [4, 3]);
  await expectLoadError(g.op(Op.Quantize, [x, S], [y], [1]).output(y).encode(), ErrorCode.BadShape, "scale count differs from the axis dim");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4, 3]);
  S = g.constant("s", DType.F32, [4], new Float32Array([1, 0, 1, 1]));
  y = g.act("y", DType.I8, [4, 3]);
  await expectLoadError(g.op(Op.Quantize, [x, S], [y], [0]).output(y).encode(), ErrorCode.BadQuant, "zero scale");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4, 3]);
  S = g.constant("s", DType.F32, [4], new Float32Array([1, 1, 1, 1]));
  y = g.act("y", DType.I8, [4, 3]);
  await expectLoadError(g.op(Op.Quantize, [x, S], [y], [2]).output(y).encode(), ErrorCode.BadOp, "axis out of range");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4, 3]);
  S = g.constant("s", DType.F32, [4], new Float32Array([1, 1, 1, 1]));
  y = g.act("y", DType.I8, [4, 3], { scales: [0.5] });
  await expectLoadError(g.op(Op.Quantize, [x, S], [y], [0]).output(y).encode(), ErrorCode.BadQuant, "scale input and scaled output");

  g = new GraphBuilder();
  x = g.input("x", DType.I32, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(Op.Dequantize, [x], [y]).output(y).encode(), ErrorCode.BadQuant, "int32 without scale input");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.I8, [4], { scales: [0.1] });
  let s = g.act("s", DType.F32, [1]);
  let z = g.act("z", DType.I8, [1]);
  await expectLoadError(g.op(Op.DynamicQuantize, [x], [y, s, z]).output(y, s, z).encode(), ErrorCode.BadQuant, "scaled dynamic output");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.I8, [4]);
  s = g.act("s", DType.F32, [2]);
  z = g.act("z", DType.I8, [1]);
  await expectLoadError(g.op(Op.DynamicQuantize, [x], [y, s, z]).output(y, s, z).encode(), ErrorCode.BadShape, "two scales per sample");
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { f32bits } from "../../src/format/writer.ts";
import { engine } from "../helpers/engine.ts";
import { expectLoadError } from "../helpers/load-error.ts";
import { Rng } from "../helpers/rng.ts";
import { dequantize, quantizeExact, unaryRef } from "../ref/eltwise.ts";

interface Case { op: Op; name: string; p: [number, number]; transcendental: boolean }
const CASES: Case[] = [
  { op: Op.Relu, name: "Relu", p: [0, 0], transcendental: false },
  { op: Op.Clip, name: "Clip", p: [-1.5, 2.25], transcendental: false },
  { op: Op.Clip, name: "Clip (min > max gives max)", p: [1, -1], transcendental: false },
  { op: Op.Sigmoid, name: "Sigmoid", p: [0, 0], transcendental: true },
  { op: Op.Tanh, name: "Tanh", p: [0, 0], transcendental: true },
  { op: Op.HardSigmoid, name: "HardSigmoid", p: [0.2, 0.5], transcendental: false },
  { op: Op.HardSigmoid, name: "HardSigmoid (alpha 1/6)", p: [1 / 6, 0.5], transcendental: false },
  { op: Op.HardSwish, name: "HardSwish", p: [0, 0], transcendental: false },
];

const attrsOf = (c: Case) => (c.op === Op.Clip || c.op === Op.HardSigmoid ? [f32bits(c.p[0]), f32bits(c.p[1])] : []);
const f = Math.fround;

/** Size of the terms that alpha * x + beta cancels: f32 evaluation is only accurate relative to them. */
function cancellation(c: Case, x: number): number {
  if (c.op === Op.HardSigmoid) return Math.abs(c.p[0] * x) + Math.abs(c.p[1]);
  if (c.op === Op.HardSwish) return Math.abs(x) * (Math.abs(x / 6) + 0.5);
  return 0;
}

function unaryModel(c: Case, shape: number[], dtype: DType, qx = {}, qy = {}): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", dtype, shape, qx);
  const y = g.act("y", dtype, shape, qy);
  return g.op(c.op, [x], [y], attrsOf(c)).output(y).encode();
}

test("f32 unary ops match the ONNX definitions, batch > 1, odd lengths and extreme inputs", async () => {
  const e = await engine();
  const rng = new Rng(11);
  const special = [0, -0, 1e-30, -1e-30, 3, -3, 6, -6, 20, -20, 88, -88, 100, -100, 1e30, -1e30, Infinity, -Infinity];
  for (const c of CASES) {
    for (const [shape, batch] of [[[37], 3], [[2, 3, 5], 2], [[1], 1], [[64], 4]] as [number[], number][]) {
      const m = e.load(unaryModel(c, shape, DType.F32));
      const n = shape.reduce((a, b) => a * b, 1) * batch;
      const xs = rng.f32(n, 4);
      for (let i = 0; i < Math.min(n, special.length); i++) xs[(i * 7) % n] = special[i];
      const out = m.run({ x: xs }).y;
      assert.equal(out.shape, [batch, ...shape]);
      const tol = c.transcendental ? 1e-5 : 1e-6;
      for (let i = 0; i < n; i++) {
        const ref = unaryRef(c.op, xs[i], f(c.p[0]), f(c.p[1]));
        const got = out.data[i];
        const ok = Object.is(got, ref) || (Number.isNaN(got) && Number.isNaN(ref)) || Math.abs(got - ref) <= tol * (Math.abs(ref) + cancellation(c, xs[i])) + 1e-38;
        assert.ok(ok, `${c.name} x=${xs[i]}: ${got} vs ${ref}`);
      }
      m.dispose();
    }
  }
});

test("f32 Sigmoid and Tanh stay within 1e-5 relative over the whole range (sweep incl. tiny and subnormal results)", async () => {
  const e = await engine();
  const xs: number[] = [];
  for (let v = -110; v <= 110; v += 0.01) xs.push(v);
  for (let k = -40; k <= 2; k += 0.01) xs.push(10 ** k, -(10 ** k));
  for (const b of [0.1732867951, 0.34657359, 87.3, 103.97]) for (let d = -1e-5; d <= 1e-5; d += 1e-7) xs.push(b + d, -(b + d));
  const x32 = Float32Array.from(xs);
  for (const c of CASES.filter((c) => c.transcendental)) {
    const m = e.load(unaryModel(c, [x32.length], DType.F32));
    const out = m.run({ x: x32 }).y.data;
    let worst = 0;
    for (let i = 0; i < x32.length; i++) {
      const ref = unaryRef(c.op, x32[i]);
      // below the smallest normal f32 only absolute accuracy is possible
      const err = Math.abs(out[i] - ref) / Math.max(Math.abs(ref), 1.2e-38);
      worst = Math.max(worst, err);
      assert.ok(err <= 1e-5, `${c.name} x=${x32[i]}: ${out[i]} vs ${ref}`);
    }
    assert.ok(worst < 1e-6, `${c.name}: worst relative error ${worst}`);
    m.dispose();
  }
});

test("f32 Relu and Clip keep NaN as NaN", async () => {
  const e = await engine();
  for (const c of CASES.slice(0, 2)) {
    const m = e.load(unaryModel(c, [5], DType.F32));
    const out = m.run({ x: new Float32Array([NaN, 1, NaN, -1, NaN]) }).y.data;
    assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[2]) && Number.isNaN(out[4]), c.name);
    m.dispose();
  }
});

test("int8 unary ops are exact table lookups: dequantize, f in f64, quantize (all 256 inputs)", async () => {
  const e = await engine();
  const rng = new Rng(12);
  let ties = 0;
  for (const c of CASES) {
    for (let trial = 0; trial < 6; trial++) {
      const sx = f(0.005 + rng.next() * 0.1), sy = f(trial === 0 ? sx : 0.002 + rng.next() * 0.05);
      const zx = trial === 0 ? 0 : rng.int(-128, 127), zy = trial === 0 ? 0 : rng.int(-128, 127);
      const m = e.load(unaryModel(c, [256], DType.I8, { scales: [sx], zeroPoint: zx }, { scales: [sy], zeroPoint: zy }));
      // batch 2: every int8 value, then the same values reversed
      const xs = Int8Array.from({ length: 512 }, (_, i) => (i < 256 ? i - 128 : 127 - (i - 256)));
      const out = m.run({ x: xs }).y.data;
      for (let i = 0; i < xs.length; i++) {
        const ref = quantizeExact(unaryRef(c.op, dequantize(xs[i], sx, zx), f(c.p[0]), f(c.p[1])), sy, zy);
        if (ref.nearTie && c.transcendental) { ties++; assert.ok(Math.abs(out[i] - ref.v) <= 1); continue; }
        assert.is(out[i], ref.v, `${c.name} trial ${trial} q=${xs[i]} sx=${sx} zx=${zx} sy=${sy} zy=${zy}`);
      }
      m.dispose();
    }
  }
  assert.ok(ties < 3, `${ties} near-tie cases`);
});

test("unary ops refuse bad shapes, dtypes, attributes and missing scales", async () => {
  const relu = CASES[0], clip = CASES[1];
  let g = new GraphBuilder();
  let x = g.input("x", DType.F32, [4]);
  let y = g.act("y", DType.F32, [5]);
  await expectLoadError(g.op(Op.Relu, [x], [y]).output(y).encode(), ErrorCode.BadShape, "shape mismatch");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.I8, [4], { scales: [0.1] });
  await expectLoadError(g.op(Op.Sigmoid, [x], [y]).output(y).encode(), ErrorCode.BadOp, "dtype mismatch");

  await expectLoadError(unaryModel(relu, [4], DType.I8, { zeroPoint: 0 }, { scales: [0.1] }), ErrorCode.BadQuant, "int8 input without scale");
  await expectLoadError(unaryModel(relu, [4], DType.I8, { scales: [0.1] }, {}), ErrorCode.BadQuant, "int8 output without scale");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(Op.Relu, [x], [y], [1]).output(y).encode(), ErrorCode.BadOp, "stray attribute");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(clip.op, [x], [y], [f32bits(NaN), f32bits(1)]).output(y).encode(), ErrorCode.BadOp, "NaN clip bound");

  g = new GraphBuilder();
  x = g.input("x", DType.I32, [4]);
  y = g.act("y", DType.I32, [4]);
  await expectLoadError(g.op(Op.Tanh, [x], [y]).output(y).encode(), ErrorCode.BadOp, "int32 input");

  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [4]);
  const z = g.act("z", DType.F32, [4]);
  await expectLoadError(g.op(Op.Relu, [x, x], [y]).output(y).encode(), ErrorCode.BadOp, "two inputs");
  void z;
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseF64, denseInt, quantize, requant } from "../ref/index.ts";

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 16, 4], [1, 17, 5], [3, 31, 7], [2, 64, 64], [5, 100, 3], [1, 784, 300], [4, 33, 129],
];

test("f32 dense matches the f64 reference on awkward shapes", async () => {
  const e = await engine();
  const rng = new Rng(1);
  for (const [rows, K, N] of SHAPES) {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [K]);
    const w = rng.f32(N * K, 0.5);
    const b = rng.f32(N);
    const W = g.constant("W", DType.F32, [N, K], w);
    const B = g.constant("b", DType.F32, [N], b);
    const y = g.act("y", DType.F32, [N]);
    g.op(Op.Dense, [x, W, B], [y]).output(y);
    const m = e.load(g.encode());
    const xs = rng.f32(rows * K);
    const out = m.run({ x: xs }).y;
    assert.equal(out.shape, [rows, N]);
    const ref = denseF64(xs, w, b, rows, K, N);
    for (let i = 0; i < ref.length; i++) {
      assert.ok(Math.abs(out.data[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])), `[${rows},${K},${N}] y[${i}] ${out.data[i]} vs ${ref[i]}`);
    }
    m.dispose();
  }
});

test("int8 dense: raw int32 accumulators are exact, with zero points on both sides", async () => {
  const e = await engine();
  const rng = new Rng(2);
  for (const [rows, K, N] of SHAPES) {
    const zx = rng.int(-128, 127), zw = rng.int(-128, 127);
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [K], { zeroPoint: zx });
    const w = rng.i8(N * K);
    const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: zw });
    const y = g.act("y", DType.I32, [N]);
    g.op(Op.Dense, [x, W], [y]).output(y);
    const m = e.load(g.encode());
    const xs = rng.i8(rows * K);
    const out = m.run([xs]).y;
    const ref = denseInt(xs, zx, w, zw, null, rows, K, N);
    assert.equal(Array.from(out.data), Array.from(ref), `[${rows},${K},${N}]`);
    m.dispose();
  }
});

test("int8 dense: requantized output follows ONNX QLinearMatMul rounding, per-channel scales, bias and ReLU", async () => {
  const e = await engine();
  const rng = new Rng(3);
  let ties = 0;
  for (const [rows, K, N] of SHAPES) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      const sx = 0.02 + rng.next() * 0.05, sy = 0.05 + rng.next() * 0.2;
      const zx = rng.int(-20, 20), zy = rng.int(-30, 30);
      const sw = Array.from({ length: N }, () => 0.001 + rng.next() * 0.01);
      const g = new GraphBuilder();
      const x = g.input("x", DType.I8, [K], { scales: [sx], zeroPoint: zx });
      const w = rng.i8(N * K, -127, 127);
      const b = Int32Array.from({ length: N }, () => rng.int(-2000, 2000));
      const W = g.constant("W", DType.I8, [N, K], w, { scales: sw });
      const B = g.constant("b", DType.I32, [N], b);
      const y = g.act("y", DType.I8, [N], { scales: [sy], zeroPoint: zy });
      g.op(Op.Dense, [x, W, B], [y], [act]).output(y);
      const m = e.load(g.encode());
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      const acc = denseInt(xs, zx, w, 0, b, rows, K, N);
      const hi = act === Activation.Relu6 ? Math.min(127, Math.round(6 / Math.fround(sy)) + zy) : 127;
      const lo = act === Activation.None ? -128 : Math.max(-128, zy);
      for (let i = 0; i < acc.length; i++) {
        const real = (Math.fround(sx) * Math.fround(sw[i % N])) / Math.fround(sy);
        const r = requant(acc[i], real, zy, lo, Math.max(lo, hi));
        if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); continue; }
        assert.is(out[i], r.v, `[${rows},${K},${N}] act ${act} y[${i}]`);
      }
      m.dispose();
    }
  }
  assert.ok(ties < 5, `${ties} near-tie cases`);
});

test("int8 dense saturates instead of wrapping when the scale ratio is huge", async () => {
  const e = await engine();
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [2], { scales: [1000], zeroPoint: 0 });
  const W = g.constant("W", DType.I8, [2, 2], Int8Array.of(127, 127, -127, -127), { scales: [1000] });
  const y = g.act("y", DType.I8, [2], { scales: [1e-6], zeroPoint: 100 });
  const m = e.load(g.op(Op.Dense, [x, W], [y]).output(y).encode());
  assert.equal(Array.from(m.run({ x: Int8Array.of(127, 127) }).y.data), [127, -128]);
  assert.equal(Array.from(m.run({ x: Int8Array.of(-128, -128) }).y.data), [-128, 127]);
  m.dispose();
});

test("dynamic dense (f32 in, int8 weights) stays within quantization error of f32", async () => {
  const e = await engine();
  const rng = new Rng(4);
  for (const [rows, K, N] of SHAPES) {
    const wf = rng.f32(N * K, 0.3);
    const sw = Array.from({ length: N }, (_, n) => {
      let mx = 0;
      for (let k = 0; k < K; k++) mx = Math.max(mx, Math.abs(wf[n * K + k]));
      return Math.max(mx, 1e-6) / 127;
    });
    const wq = Int8Array.from(wf, (v, i) => quantize(v, sw[Math.floor(i / K)], 0));
    const b = rng.f32(N);
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [K]);
    const W = g.constant("W", DType.I8, [N, K], wq, { scales: sw });
    const B = g.constant("b", DType.F32, [N], b);
    const y = g.act("y", DType.F32, [N]);
    g.op(Op.Dense, [x, W, B], [y]).output(y);
    const m = e.load(g.encode());
    const xs = rng.f32(rows * K);
    const out = m.run({ x: xs }).y.data;
    const deq = Float32Array.from(wq, (v, i) => v * sw[Math.floor(i / K)]);
    const ref = denseF64(xs, deq, b, rows, K, N);
    for (let r = 0; r < rows; r++) {
      let lo = 0, hi = 0, l1 = 0;
      for (let k = 0; k < K; k++) { const v = xs[r * K + k]; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const sx = (hi - lo) / 255;
      for (let n = 0; n < N; n++) {
        l1 = 0;
        for (let k = 0; k < K; k++) l1 += Math.abs(deq[n * K + k]);
        const bound = 0.5 * sx * l1 + 1e-4 * (1 + Math.abs(ref[r * N + n]));
        assert.ok(Math.abs(out[r * N + n] - ref[r * N + n]) <= bound, `[${rows},${K},${N}] row ${r} n ${n}`);
      }
    }
    m.dispose();
  }
});

test.run();

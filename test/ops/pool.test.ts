import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { requant } from "../ref/index.ts";
import { type PoolGeom, avgPoolRef, avgPoolSums, maxPoolRef, poolOutSize } from "../ref/conv.ts";

type Case = Omit<PoolGeom, "stride" | "pads"> & Partial<PoolGeom>;
const geom = (c: Case): PoolGeom => ({ stride: c.kernel, pads: [0, 0, 0, 0], ...c });

// channel counts around the SIMD widths (4, 8, 16), asymmetric pads, overlapping windows, batch > 1
const CASES: PoolGeom[] = [
  geom({ batch: 1, H: 4, W: 4, C: 1, kernel: [2, 2] }),
  geom({ batch: 2, H: 7, W: 6, C: 3, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }),
  geom({ batch: 1, H: 5, W: 7, C: 17, kernel: [3, 2], stride: [1, 2], pads: [2, 0, 1, 1] }),
  geom({ batch: 3, H: 6, W: 6, C: 16, kernel: [2, 3], stride: [2, 1], pads: [0, 2, 1, 0] }),
  geom({ batch: 1, H: 9, W: 8, C: 9, kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] }),
  geom({ batch: 1, H: 3, W: 5, C: 33, kernel: [3, 5] }),
  geom({ batch: 2, H: 8, W: 8, C: 8, kernel: [1, 1], stride: [2, 2] }),
  // LeNet-5's pools (C % 16 tails run as spilling 16-lane blocks away from a sample's end)
  geom({ batch: 2, H: 28, W: 28, C: 6, kernel: [2, 2] }),
  geom({ batch: 3, H: 10, W: 10, C: 16, kernel: [2, 2] }),
  geom({ batch: 2, H: 5, W: 9, C: 5, kernel: [2, 3], stride: [1, 1], pads: [1, 2, 0, 1] }),
];

const label = (p: PoolGeom) => `${p.batch}x${p.H}x${p.W}x${p.C} k${p.kernel} s${p.stride} p${p.pads}`;
const poolAttrs = (p: PoolGeom) => [...p.kernel, ...p.stride, ...p.pads];

function poolModel(op: Op, p: PoolGeom, dtype: DType, attrs: number[], qx = {}, qy = {}): Uint8Array {
  const [OH, OW] = op === Op.GlobalAvgPool ? [1, 1] : poolOutSize(p);
  const b = new GraphBuilder();
  const x = b.input("x", dtype, [p.H, p.W, p.C], qx);
  const y = b.act("y", dtype, [OH, OW, p.C], qy);
  b.op(op, [x], [y], attrs).output(y);
  return b.encode();
}

const globalGeom = (p: PoolGeom): PoolGeom => ({ ...p, kernel: [p.H, p.W], stride: [1, 1], pads: [0, 0, 0, 0] });

test("f32 max pooling is exact and never picks padding", async () => {
  const e = await engine();
  const rng = new Rng(21);
  for (const p of CASES) {
    const m = e.load(poolModel(Op.MaxPool, p, DType.F32, poolAttrs(p)));
    // all inputs negative: a padding 0 winning the max would show
    const xs = rng.f32(p.batch * p.H * p.W * p.C).map((v) => -Math.abs(v) - 0.5);
    const out = m.run({ x: xs }).y;
    const [OH, OW] = poolOutSize(p);
    assert.equal(out.shape, [p.batch, OH, OW, p.C]);
    assert.equal(Array.from(out.data), Array.from(maxPoolRef(xs, p)), label(p));
    m.dispose();
  }
});

test("f32 average pooling (with and without countIncludePad) and global average pooling match f64", async () => {
  const e = await engine();
  const rng = new Rng(22);
  for (const p of CASES) {
    for (const inc of [0, 1]) {
      const m = e.load(poolModel(Op.AvgPool, p, DType.F32, [...poolAttrs(p), inc]));
      const xs = rng.f32(p.batch * p.H * p.W * p.C);
      const out = m.run({ x: xs }).y.data;
      const ref = avgPoolRef(xs, p, inc === 1);
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-5, `${label(p)} inc ${inc} y[${i}] ${out[i]} vs ${ref[i]}`);
      m.dispose();
    }
    const m = e.load(poolModel(Op.GlobalAvgPool, p, DType.F32, []));
    const xs = rng.f32(p.batch * p.H * p.W * p.C);
    const out = m.run({ x: xs }).y;
    assert.equal(out.shape, [p.batch, 1, 1, p.C]);
    const ref = avgPoolRef(xs, globalGeom(p), true);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out.data[i] - ref[i]) <= 1e-5, `global ${label(p)} y[${i}]`);
    m.dispose();
  }
});

test("int8 max pooling is exact", async () => {
  const e = await engine();
  const rng = new Rng(23);
  for (const p of CASES) {
    const q = { scales: [0.05], zeroPoint: 7 };
    const m = e.load(poolModel(Op.MaxPool, p, DType.I8, poolAttrs(p), q, q));
    const xs = rng.i8(p.batch * p.H * p.W * p.C, -128, -1);
    assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(maxPoolRef(xs, p)), label(p));
    m.dispose();
  }
});

test("int8 average pooling requantizes the integer sum as ONNX QLinearAveragePool / QLinearGlobalAveragePool", async () => {
  const e = await engine();
  const rng = new Rng(24);
  let ties = 0, total = 0;
  for (const p of CASES) {
    for (const mode of ["exclude", "include", "global"] as const) {
      const sx = 0.01 + rng.next() * 0.05, sy = 0.01 + rng.next() * 0.05;
      const zx = rng.int(-20, 20), zy = rng.int(-20, 20);
      const qx = { scales: [sx], zeroPoint: zx }, qy = { scales: [sy], zeroPoint: zy };
      const bytes = mode === "global"
        ? poolModel(Op.GlobalAvgPool, p, DType.I8, [], qx, qy)
        : poolModel(Op.AvgPool, p, DType.I8, [...poolAttrs(p), mode === "include" ? 1 : 0], qx, qy);
      const m = e.load(bytes);
      const xs = rng.i8(p.batch * p.H * p.W * p.C);
      const out = m.run({ x: xs }).y.data;
      const sums = avgPoolSums(xs, mode === "global" ? globalGeom(p) : p, mode === "include", zx);
      assert.is(out.length, sums.length);
      sums.forEach(({ sum, count }, i) => {
        const r = requant(sum, Math.fround(sx) / Math.fround(sy) / count, zy);
        total++;
        if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); return; }
        assert.is(out[i], r.v, `${mode} ${label(p)} y[${i}] sum ${sum} / ${count}`);
      });
      m.dispose();
    }
  }
  assert.ok(ties < 5, `${ties} near-tie cases of ${total}`);
});

test("int8 average pooling saturates when sx / sy is huge (no wrap around the zero point)", async () => {
  const e = await engine();
  const p = geom({ batch: 1, H: 4, W: 4, C: 5, kernel: [2, 2] });
  const m = e.load(poolModel(Op.AvgPool, p, DType.I8, [...poolAttrs(p), 0], { scales: [1], zeroPoint: 0 }, { scales: [1e-12], zeroPoint: 100 }));
  const xs = new Rng(25).i8(4 * 4 * 5);
  const out = m.run({ x: xs }).y.data;
  avgPoolSums(xs, p, false, 0).forEach(({ sum }, i) => assert.is(out[i], requant(sum, 1e12 / 4, 100).v, `y[${i}] sum ${sum}`));
  m.dispose();
});

test("bad pooling attributes and quantization are refused with typed errors, and the engine keeps working", async () => {
  const e = await engine();
  const p = geom({ batch: 1, H: 6, W: 6, C: 4, kernel: [2, 2] }); // output 3x3
  const q = { scales: [0.1], zeroPoint: 0 };
  const f32 = (op: Op, attrs: number[], out?: number[]) => {
    const b = new GraphBuilder();
    const x = b.input("x", DType.F32, [6, 6, 4]);
    const y = b.act("y", DType.F32, out ?? [3, 3, 4]);
    b.op(op, [x], [y], attrs).output(y);
    return b.encode();
  };
  const bad: [string, Uint8Array, number][] = [
    ["kernel 0", f32(Op.MaxPool, [0, 2, 2, 2, 0, 0, 0, 0]), ErrorCode.BadOp],
    ["stride 0", f32(Op.MaxPool, [2, 2, 0, 2, 0, 0, 0, 0]), ErrorCode.BadOp],
    ["negative pad", f32(Op.AvgPool, [2, 2, 2, 2, -1, 0, 0, 0, 0]), ErrorCode.BadOp],
    ["pad as large as the kernel", f32(Op.MaxPool, [2, 2, 2, 2, 0, 0, 2, 0], [4, 3, 4]), ErrorCode.BadOp],
    ["countIncludePad 2", f32(Op.AvgPool, [2, 2, 2, 2, 0, 0, 0, 0, 2]), ErrorCode.BadOp],
    ["countIncludePad on MaxPool", f32(Op.MaxPool, [2, 2, 2, 2, 0, 0, 0, 0, 1]), ErrorCode.BadOp],
    ["attributes on GlobalAvgPool", f32(Op.GlobalAvgPool, [1], [1, 1, 4]), ErrorCode.BadOp],
    ["wrong output size", f32(Op.MaxPool, [2, 2, 2, 2, 0, 0, 0, 0], [2, 3, 4]), ErrorCode.BadShape],
    ["kernel larger than input", f32(Op.MaxPool, [7, 2, 1, 2, 0, 0, 0, 0], [1, 3, 4]), ErrorCode.BadShape],
    ["global output not 1x1", f32(Op.GlobalAvgPool, [], [3, 3, 4]), ErrorCode.BadShape],
    ["int8 max pool with different output scale", poolModel(Op.MaxPool, p, DType.I8, poolAttrs(p), q, { scales: [0.2], zeroPoint: 0 }), ErrorCode.BadQuant],
    ["int8 max pool with different output zero point", poolModel(Op.MaxPool, p, DType.I8, poolAttrs(p), q, { scales: [0.1], zeroPoint: 1 }), ErrorCode.BadQuant],
    ["int8 average pool without scales", poolModel(Op.AvgPool, p, DType.I8, [...poolAttrs(p), 0]), ErrorCode.BadQuant],
    ["int8 average pool window above 65536 pixels", poolModel(Op.AvgPool, geom({ batch: 1, H: 257, W: 256, C: 1, kernel: [257, 256] }), DType.I8, [257, 256, 1, 1, 0, 0, 0, 0, 0], q, q), ErrorCode.Overflow],
    ["int8 global average pool above 2^23 pixels", poolModel(Op.GlobalAvgPool, geom({ batch: 1, H: 4096, W: 2049, C: 1, kernel: [1, 1] }), DType.I8, [], q, q), ErrorCode.Overflow],
  ];
  for (const [what, bytes, code] of bad) {
    try {
      e.load(bytes);
      assert.unreachable(`${what}: loaded`);
    } catch (err) {
      assert.instance(err, EdgeqError, what);
      assert.is((err as EdgeqError).code, code, `${what}: ${(err as Error).message}`);
    }
  }
  const m = e.load(f32(Op.MaxPool, [2, 2, 2, 2, 0, 0, 0, 0]));
  assert.equal(Array.from(m.run({ x: new Float32Array(6 * 6 * 4).fill(2) }).y.data), new Array(36).fill(2));
  m.dispose();
});

test.run();

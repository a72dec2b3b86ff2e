// Dense int8 weights are rewritten at load into the row-interleaved layout of
// assembly/ops/weights.ts (blocks of 4 rows, K chunks of 8): these cases cover the block and
// chunk tails, every batch size around the 4-row GEMM tile, per-channel requantization, weights
// shared by two Dense ops, and weights another op also reads (kept in the plain layout).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt, requant } from "../ref/index.ts";

const NS = [1, 3, 7, 8, 9, 17];
const KS = [1, 7, 8, 15, 16, 17, 33, 1000];

test("packed int8 dense: exact int32 on N and K tails for batch 1..9, zero points on both sides", async () => {
  const e = await engine();
  const rng = new Rng(31);
  for (const N of NS)
    for (const K of KS) {
      const zx = rng.int(-128, 127), zw = rng.int(-128, 127);
      const w = rng.i8(N * K);
      const g = new GraphBuilder();
      const x = g.input("x", DType.I8, [K], { zeroPoint: zx });
      const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: zw });
      const y = g.act("y", DType.I32, [N]);
      const m = e.load(g.op(Op.Dense, [x, W], [y]).output(y).encode());
      for (let rows = 1; rows <= 9; rows++) {
        const xs = rng.i8(rows * K);
        for (let i = 0; i < xs.length; i += 3) xs[i] = i % 2 ? 127 : -128;
        const out = m.run({ x: xs }).y;
        assert.equal(out.shape, [rows, N]);
        assert.equal(Array.from(out.data), Array.from(denseInt(xs, zx, w, zw, null, rows, K, N)), `N ${N} K ${K} rows ${rows}`);
      }
      m.dispose();
    }
});

test("packed int8 dense: per-channel requantization with bias on the packed path", async () => {
  const e = await engine();
  const rng = new Rng(32);
  let ties = 0;
  for (const N of [3, 9, 17])
    for (const K of [15, 33, 1000]) {
      const sx = 0.02 + rng.next() * 0.05, sy = 0.5 + rng.next();
      const zx = rng.int(-20, 20), zy = rng.int(-30, 30);
      const sw = Array.from({ length: N }, () => 0.001 + rng.next() * 0.01);
      const w = rng.i8(N * K, -127, 127);
      const b = Int32Array.from({ length: N }, () => rng.int(-2000, 2000));
      const g = new GraphBuilder();
      const x = g.input("x", DType.I8, [K], { scales: [sx], zeroPoint: zx });
      const W = g.constant("W", DType.I8, [N, K], w, { scales: sw });
      const B = g.constant("b", DType.I32, [N], b);
      const y = g.act("y", DType.I8, [N], { scales: [sy], zeroPoint: zy });
      const m = e.load(g.op(Op.Dense, [x, W, B], [y]).output(y).encode());
      for (const rows of [1, 4, 5]) {
        const xs = rng.i8(rows * K);
        const out = m.run({ x: xs }).y.data;
        const acc = denseInt(xs, zx, w, 0, b, rows, K, N);
        for (let i = 0; i < acc.length; i++) {
          const r = requant(acc[i], (Math.fround(sx) * Math.fround(sw[i % N])) / Math.fround(sy), zy);
          if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); continue; }
          assert.is(out[i], r.v, `N ${N} K ${K} rows ${rows} y[${i}]`);
        }
      }
      m.dispose();
    }
  assert.ok(ties < 5, `${ties} near-tie cases`);
});

test("packed int8 dense: weights shared by two Dense ops are packed once and read right by both", async () => {
  const e = await engine();
  const rng = new Rng(33);
  for (const [N, K] of [[9, 33], [17, 1000], [8, 16], [3, 7]]) {
    const zx = rng.int(-50, 50), zw = rng.int(-5, 5);
    const w = rng.i8(N * K);
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [K], { zeroPoint: zx });
    const x2 = g.input("x2", DType.I8, [K], { zeroPoint: 3 });
    const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: zw });
    const y1 = g.act("y1", DType.I32, [N]), y2 = g.act("y2", DType.I32, [N]);
    g.op(Op.Dense, [x, W], [y1]).op(Op.Dense, [x2, W], [y2]).output(y1).output(y2);
    const m = e.load(g.encode());
    for (const rows of [1, 4, 6]) {
      const xs = rng.i8(rows * K), xs2 = rng.i8(rows * K);
      const out = m.run({ x: xs, x2: xs2 });
      assert.equal(Array.from(out.y1.data), Array.from(denseInt(xs, zx, w, zw, null, rows, K, N)), `y1 N ${N} K ${K} rows ${rows}`);
      assert.equal(Array.from(out.y2.data), Array.from(denseInt(xs2, 3, w, zw, null, rows, K, N)), `y2 N ${N} K ${K} rows ${rows}`);
    }
    m.dispose();
  }
});

test("int8 dense weights that another op also reads keep their plain layout for that op", async () => {
  const e = await engine();
  const rng = new Rng(34);
  const N = 9, K = 33;
  const w = rng.i8(N * K, -100, 100);
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K]);
  const z = g.input("z", DType.I8, [N, K], { scales: [1], zeroPoint: 0 });
  const W = g.constant("W", DType.I8, [N, K], w, { scales: [1], zeroPoint: 0 });
  const y1 = g.act("y1", DType.I32, [N]);
  const y2 = g.act("y2", DType.I8, [N, K], { scales: [1], zeroPoint: 0 });
  g.op(Op.Dense, [x, W], [y1]).op(Op.Add, [z, W], [y2]).output(y1).output(y2);
  const m = e.load(g.encode());
  for (const rows of [1, 4, 5]) {
    const xs = rng.i8(rows * K), zs = new Int8Array(rows * N * K);
    const out = m.run({ x: xs, z: zs });
    assert.equal(Array.from(out.y1.data), Array.from(denseInt(xs, 0, w, 0, null, rows, K, N)), `y1 rows ${rows}`);
    // z = 0 and unit scales: the sum is W itself, in its original row-major order
    for (let r = 0; r < rows; r++) assert.equal(Array.from(out.y2.data.slice(r * N * K, (r + 1) * N * K)), Array.from(w), `y2 rows ${rows}`);
  }
  m.dispose();
});

test.run();

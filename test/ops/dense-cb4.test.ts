// The 4-bit codebook int8 Dense path (KERNEL_CB4 in assembly/ops/dense.ts): weight rows decoded
// per panel in split order (even k, then odd k, per block of 32), activations permuted the same
// way, a 4x2 panel GEMM for each block of 4 rows and a GEMV for the 1-3 leftover rows, up to 64
// rows per decoded panel. Checked against the scalar reference on K around the split block (32)
// and the 8-wide steps, odd panels and N tails, batch rows around the 4-row blocks and the
// 64-row calls, zero points on both sides, bias, and every output type.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { codebook } from "../../src/format/encodings.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt, requant } from "../ref/index.ts";
import { dynamicQuantizeRef } from "../ref/eltwise.ts";

const KS = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 95, 96, 97, 100, 127, 128, 129, 160, 200];
const NS = [1, 2, 3, 7, 8, 9, 10, 15, 17];
const BATCHES = [1, 2, 3, 4, 5, 7, 33, 63, 64, 65, 67, 130];

interface Cb4 { idx: number[]; centroids: Int8Array; w: Int8Array }

function randomCb4(rng: Rng, N: number, K: number, count = 16): Cb4 {
  const centroids = rng.i8(count);
  const idx = Array.from({ length: N * K }, () => rng.int(0, count - 1));
  return { idx, centroids, w: Int8Array.from(idx, (i) => centroids[i]) };
}

function i32Model(N: number, K: number, cb: Cb4, zx: number, zw: number, bias: Int32Array | null): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [0.5] });
  const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...codebook(cb.idx, cb.centroids, 4, N, K), zeroPoint: zw, scales: [0.25] });
  const y = g.act("y", DType.I32, [N]);
  const ins = [x, W];
  if (bias) ins.push(g.constant("b", DType.I32, [N], bias));
  return g.op(Op.Dense, ins, [y]).output(y).encode();
}

test("4-bit codebook int8 dense: exact int32 over K, N and batch around the kernel's blocks", async () => {
  const e = await engine();
  const rng = new Rng(404);
  let cases = 0;
  for (const K of KS) {
    for (const N of NS) {
      if ((K * N) % 5 !== 0 && K !== 1 && K !== 33 && N !== 9) continue; // a spread of the grid, every K and N kept
      const cb = randomCb4(rng, N, K, K % 3 === 0 ? 11 : 16);
      const zx = rng.int(-128, 127), zw = rng.int(-8, 8);
      const bias = K % 2 === 0 ? Int32Array.from({ length: N }, () => rng.int(-5000, 5000)) : null;
      const m = e.load(i32Model(N, K, cb, zx, zw, bias));
      for (const rows of [1, 3, 5, 64, 65]) {
        const xs = rng.i8(rows * K);
        const ref = denseInt(xs, zx, cb.w, zw, bias, rows, K, N);
        assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(ref), `K ${K} N ${N} rows ${rows} zx ${zx} zw ${zw}`);
        cases++;
      }
      m.dispose();
    }
  }
  assert.ok(cases > 300, `${cases} cases`);
});

test("4-bit codebook int8 dense: every batch size from 1 to 130 rows at K 96 and K 1000", async () => {
  const e = await engine();
  const rng = new Rng(405);
  for (const [K, N] of [[96, 24], [1000, 13]]) {
    const cb = randomCb4(rng, N, K);
    const zx = -7, zw = 3;
    const m = e.load(i32Model(N, K, cb, zx, zw, null));
    for (const rows of BATCHES) {
      const xs = rng.i8(rows * K);
      assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, zx, cb.w, zw, null, rows, K, N)), `K ${K} N ${N} rows ${rows}`);
    }
    m.dispose();
  }
});

test("4-bit codebook int8 dense: extreme values (all -128 activations and centroids) stay exact", async () => {
  const e = await engine();
  const K = 1024, N = 9;
  const cb: Cb4 = { idx: new Array(N * K).fill(15), centroids: new Int8Array(16).fill(-128), w: new Int8Array(N * K).fill(-128) };
  const m = e.load(i32Model(N, K, cb, 0, 0, null));
  for (const rows of [1, 4, 5]) {
    const xs = new Int8Array(rows * K).fill(-128);
    assert.equal(Array.from(m.run({ x: xs }).y.data), new Array(rows * N).fill(128 * 128 * K), `rows ${rows}`);
  }
  m.dispose();
});

test("4-bit codebook int8 dense: int8 output (requantized, scratch accumulators past 64 rows)", async () => {
  const e = await engine();
  const rng = new Rng(406);
  let ties = 0;
  for (const [rows, K, N] of [[1, 33, 7], [5, 64, 16], [65, 100, 9], [130, 47, 3], [64, 256, 40]] as [number, number, number][]) {
    const cb = randomCb4(rng, N, K);
    const zx = rng.int(-20, 20), zw = rng.int(-3, 3), zy = rng.int(-10, 10);
    const sx = 0.05, sw = 0.01, sy = 0.5;
    const bias = Int32Array.from({ length: N }, () => rng.int(-2000, 2000));
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [sx] });
    const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...codebook(cb.idx, cb.centroids, 4, N, K), zeroPoint: zw, scales: [sw] });
    const B = g.constant("b", DType.I32, [N], bias);
    const y = g.act("y", DType.I8, [N], { zeroPoint: zy, scales: [sy] });
    const m = e.load(g.op(Op.Dense, [x, W, B], [y]).output(y).encode());
    const xs = rng.i8(rows * K);
    const out = m.run({ x: xs }).y.data;
    const acc = denseInt(xs, zx, cb.w, zw, bias, rows, K, N);
    const real = (Math.fround(sx) * Math.fround(sw)) / Math.fround(sy);
    for (let i = 0; i < acc.length; i++) {
      const r = requant(acc[i], real, zy);
      if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); continue; }
      assert.is(out[i], r.v, `[${rows},${K},${N}] y[${i}]`);
    }
    m.dispose();
  }
  assert.ok(ties < 5, `${ties} near-tie cases`);
});

test("4-bit codebook dynamic dense (f32 in): the int8 products are exact for 1-70 rows", async () => {
  const e = await engine();
  const rng = new Rng(407);
  const f = Math.fround;
  for (const [rows, K, N] of [[1, 40, 5], [3, 33, 8], [6, 128, 9], [70, 65, 4]] as [number, number, number][]) {
    const cb = randomCb4(rng, N, K);
    const sw = Array.from({ length: N }, () => 0.001 + rng.next() * 0.01);
    const b = rng.f32(N);
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [K]);
    const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...codebook(cb.idx, cb.centroids, 4, N, K), scales: sw });
    const B = g.constant("b", DType.F32, [N], b);
    const y = g.act("y", DType.F32, [N]);
    const m = e.load(g.op(Op.Dense, [x, W, B], [y]).output(y).encode());
    const xs = rng.f32(rows * K);
    const out = m.run({ x: xs }).y.data;
    for (let r = 0; r < rows; r++) {
      const q = dynamicQuantizeRef(xs.subarray(r * K, (r + 1) * K));
      const acc = denseInt(q.y, q.zp, cb.w, 0, null, 1, K, N);
      for (let n = 0; n < N; n++) {
        const want = f(f(f(acc[n]) * f(q.scale * f(sw[n]))) + b[n]);
        assert.is(out[r * N + n], want, `[${rows},${K},${N}] row ${r} n ${n}`);
      }
    }
    m.dispose();
  }
});

test.run();

// The 2:4 int8 Dense kernels (pair table for >= 4 rows, per-row 2:4 GEMV below) against the
// scalar reference on awkward shapes: batch 1..70 (around the 4-row blocks, the 32-row calls
// and the GEMV/pair switch), group counts off the kernels' 2- and 4-group steps and the 32-group
// K tiles, N around the 256-output passes, zero points on both sides, per-channel scales with
// int8 output, f32 output, empty rows and groups whose two kept weights are both zero.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { nm24 } from "../../src/format/encodings.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt, requant } from "../ref/index.ts";

/** Random 2:4 weights: 0, 1 or 2 nonzeros per group; every 5th row empty, some groups all zero. */
function weights24(rng: Rng, N: number, K: number): Int8Array {
  const w = new Int8Array(N * K);
  for (let n = 0; n < N; n++) {
    if (n % 5 === 2) continue;
    for (let g = 0; g < K / 4; g++) {
      const kind = rng.int(0, 9);
      if (kind === 0) continue; // both kept weights zero
      const a = rng.int(0, 3), b = (a + rng.int(1, 3)) % 4;
      w[n * K + 4 * g + a] = rng.int(-128, 127);
      if (kind > 2) w[n * K + 4 * g + b] = kind === 9 ? -128 : rng.int(-128, 127);
    }
  }
  return w;
}

function model(N: number, K: number, w: Int8Array, zx: number, zw: number, out: DType, sw: number[], bias?: Int32Array): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [0.5] });
  const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...nm24(w, N, K), zeroPoint: zw, scales: sw });
  const ins = [x, W];
  if (bias) ins.push(g.constant("b", DType.I32, [N], bias));
  const y = g.act("y", out, [N], out === DType.I8 ? { zeroPoint: -3, scales: [40] } : {});
  return g.op(Op.Dense, ins, [y]).output(y).encode();
}

// [K, N]: groups 1, 3, 5, 9 (odd, off the 4-group step), 16, 37 (one 32-group tile + 5),
// 64 (two tiles), 65; N 1, 7, 256, 257, 300
const KN: [number, number][] = [[4, 1], [12, 7], [20, 3], [36, 9], [64, 17], [148, 33], [256, 257], [260, 300], [128, 256]];
// rows 13, 17, 21, 27: 4, 5, 6 and 7 row blocks in one kernel call
const ROWS = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 21, 27, 31, 32, 33, 36, 63, 64, 65, 70];

test("2:4 int8 -> int32 is exact for batch 1..70, odd group counts, K tiles and N passes", async () => {
  const e = await engine();
  const rng = new Rng(2424);
  for (const [K, N] of KN) {
    const w = weights24(rng, N, K);
    const zx = rng.int(-128, 127), zw = rng.int(-4, 4);
    const m = e.load(model(N, K, w, zx, zw, DType.I32, [0.25]));
    for (const rows of ROWS) {
      if (K * N * rows > 4_000_000) continue; // keep the reference loops quick
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      assert.equal(Array.from(out), Array.from(denseInt(xs, zx, w, zw, null, rows, K, N)), `[${rows},${K},${N}] zx ${zx} zw ${zw}`);
    }
    m.dispose();
  }
});

test("2:4 int8 with extreme values (all -128 activations and weights) is exact", async () => {
  const e = await engine();
  for (const [K, N] of [[68, 5], [132, 40]] as [number, number][]) {
    const w = new Int8Array(N * K);
    for (let i = 0; i < N * K; i += 4) { w[i] = -128; w[i + 3] = -128; }
    const m = e.load(model(N, K, w, 0, 0, DType.I32, [1]));
    for (const rows of [1, 3, 4, 33]) {
      const xs = new Int8Array(rows * K).fill(-128);
      assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, 0, w, 0, null, rows, K, N)), `[${rows},${K},${N}]`);
    }
    m.dispose();
  }
});

test("2:4 int8 -> int8 with per-channel scales and bias matches the ONNX requantization", async () => {
  const e = await engine();
  const rng = new Rng(2425);
  for (const [K, N] of [[36, 9], [148, 33], [260, 300]] as [number, number][]) {
    const w = weights24(rng, N, K);
    const sw = Array.from({ length: N }, () => 0.01 + rng.next() * 0.2);
    const bias = Int32Array.from({ length: N }, () => rng.int(-3000, 3000));
    const zx = rng.int(-20, 20), zw = 0;
    const m = e.load(model(N, K, w, zx, zw, DType.I8, sw, bias));
    for (const rows of [1, 3, 4, 6, 32, 35]) {
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      const acc = denseInt(xs, zx, w, zw, bias, rows, K, N);
      for (let r = 0; r < rows; r++)
        for (let n = 0; n < N; n++) {
          const { v, nearTie } = requant(acc[r * N + n], (0.5 * Math.fround(sw[n])) / 40, -3);
          if (!nearTie) assert.is(out[r * N + n], v, `[${rows},${K},${N}] y[${r}][${n}]`);
        }
    }
    m.dispose();
  }
});

test("2:4 int8 -> f32 (dequantized) matches the reference", async () => {
  const e = await engine();
  const rng = new Rng(2426);
  for (const [K, N] of [[20, 3], [148, 33]] as [number, number][]) {
    const w = weights24(rng, N, K);
    const m = e.load(model(N, K, w, 5, 1, DType.F32, [0.25]));
    for (const rows of [1, 4, 9, 40]) {
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      const ref = denseInt(xs, 5, w, 1, null, rows, K, N).map((v) => v * 0.5 * 0.25);
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-5 * (1 + Math.abs(ref[i])), `[${rows},${K},${N}] y[${i}] ${out[i]} vs ${ref[i]}`);
    }
    m.dispose();
  }
});

test.run();

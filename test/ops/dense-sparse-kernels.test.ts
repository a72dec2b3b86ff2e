// The dedicated compressed-weight kernels of Dense (CSR sparse, and the paths chosen by density)
// against the scalar reference on awkward shapes: batch rows around the kernels' row blocks
// (1, 4, 16), K not a multiple of the vector width, empty rows, zero points on both sides.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import type { TensorSpec } from "../../src/format/writer.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt, denseF64 } from "../ref/index.ts";

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 5], [2, 100, 33], [3, 17, 4], [4, 64, 9], [5, 300, 17], [15, 33, 8], [16, 40, 3], [17, 129, 21], [33, 64, 40], [34, 20, 300],
];

function sparseWeights(rng: Rng, N: number, K: number, density: number): Int8Array {
  const w = new Int8Array(N * K);
  for (let n = 0; n < N; n++) {
    if (n % 7 === 3) continue; // an empty row
    for (let k = 0; k < K; k++) if (rng.next() < density) w[n * K + k] = rng.int(-128, 127) || -128;
  }
  return w;
}

function model(N: number, K: number, zx: number, enc: Partial<TensorSpec>, zw: number, out: DType.I32 | DType.F32 = DType.I32): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [0.5] });
  const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...enc, zeroPoint: zw, scales: [0.25] });
  const y = g.act("y", out, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

test("CSR int8 at 0-25 % density (sparse kernels) gives the exact int32 result", async () => {
  const e = await engine();
  const rng = new Rng(21);
  for (const [rows, K, N] of SHAPES) {
    for (const density of [0, 0.05, 0.2]) {
      const w = sparseWeights(rng, N, K, density);
      const zx = rng.int(-128, 127), zw = rng.int(-5, 5);
      const m = e.load(model(N, K, zx, csr(w, N, K), zw));
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      assert.equal(Array.from(out), Array.from(denseInt(xs, zx, w, zw, null, rows, K, N)), `[${rows},${K},${N}] density ${density}`);
      // a second run with another batch size reuses the prepared state
      const xs2 = rng.i8((rows + 16) * K);
      assert.equal(Array.from(m.run({ x: xs2 }).y.data), Array.from(denseInt(xs2, zx, w, zw, null, rows + 16, K, N)));
      m.dispose();
    }
  }
});

test("CSR int8 with dequantized f32 output matches the reference", async () => {
  const e = await engine();
  const rng = new Rng(22);
  for (const [rows, K, N] of SHAPES) {
    const w = sparseWeights(rng, N, K, 0.1);
    const m = e.load(model(N, K, 2, csr(w, N, K), 0, DType.F32));
    const xs = rng.i8(rows * K);
    const out = m.run({ x: xs }).y.data;
    const ref = denseInt(xs, 2, w, 0, null, rows, K, N).map((v) => v * 0.5 * 0.25);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-5 * (1 + Math.abs(ref[i])), `[${rows},${K},${N}] y[${i}] ${out[i]} vs ${ref[i]}`);
    m.dispose();
  }
});

test("dynamic dense (f32 in) over sparse CSR int8 weights stays within quantization error", async () => {
  const e = await engine();
  const rng = new Rng(23);
  for (const [rows, K, N] of SHAPES) {
    const w = sparseWeights(rng, N, K, 0.1);
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [K]);
    const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...csr(w, N, K), scales: [0.01] });
    const y = g.act("y", DType.F32, [N]);
    const m = e.load(g.op(Op.Dense, [x, W], [y]).output(y).encode());
    const xs = rng.f32(rows * K);
    const out = m.run({ x: xs }).y.data;
    const ref = denseF64(xs, Float32Array.from(w, (v) => v * 0.01), null, rows, K, N);
    for (let r = 0; r < rows; r++) {
      let lo = 0, hi = 0;
      for (let k = 0; k < K; k++) { lo = Math.min(lo, xs[r * K + k]); hi = Math.max(hi, xs[r * K + k]); }
      for (let n = 0; n < N; n++) {
        let l1 = 0;
        for (let k = 0; k < K; k++) l1 += Math.abs(w[n * K + k] * 0.01);
        const bound = 0.5 * ((hi - lo) / 255) * l1 + 1e-4 * (1 + Math.abs(ref[r * N + n]));
        assert.ok(Math.abs(out[r * N + n] - ref[r * N + n]) <= bound, `[${rows},${K},${N}] row ${r} n ${n}`);
      }
    }
    m.dispose();
  }
});

test("2:4, codebook (4-bit with a short codebook, 2-bit) and 50 % CSR decoded per panel are exact past 32 rows", async () => {
  const e = await engine();
  const rng = new Rng(24);
  for (const [rows, K, N] of [[33, 36, 9], [40, 100, 17], [1, 68, 8], [7, 4, 1], [64, 132, 24]] as [number, number, number][]) {
    const w24 = new Int8Array(N * K);
    for (let g = 0; g < (N * K) / 4; g++) {
      const a = rng.int(0, 3), b = (a + rng.int(1, 3)) % 4;
      w24[4 * g + a] = rng.int(-128, 127);
      w24[4 * g + b] = rng.int(-128, 127);
    }
    const c11 = rng.i8(11), c4 = rng.i8(4);
    const i11 = Array.from({ length: N * K }, () => rng.int(0, 10));
    const i4 = Array.from({ length: N * K }, () => rng.int(0, 3));
    const zx = rng.int(-128, 127), zw = rng.int(-4, 4);
    const xs = rng.i8(rows * K);
    for (const [label, enc, dense] of [
      ["2:4", nm24(w24, N, K), w24],
      ["csr 50%", csr(w24, N, K), w24],
      ["codebook 4-bit, 11 centroids", codebook(i11, c11, 4, N, K), Int8Array.from(i11, (i) => c11[i])],
      ["codebook 2-bit", codebook(i4, c4, 2, N, K), Int8Array.from(i4, (i) => c4[i])],
    ] as const) {
      const m = e.load(model(N, K, zx, enc, zw));
      assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, zx, dense, zw, null, rows, K, N)), `${label} [${rows},${K},${N}]`);
      m.dispose();
    }
  }
});



test("CSR int8 at batch 1 (8-nonzero gather kernel): rows of 0..17 nonzeros, extreme values, the last column of a 65535-long row", async () => {
  const e = await engine();
  const rng = new Rng(818);
  for (const K of [9, 64, 1027, 65535]) {
    const counts = [0, 1, 7, 8, 9, 15, 16, 17].filter((c) => c <= K);
    const N = counts.length;
    const w = new Int8Array(N * K);
    counts.forEach((c, n) => {
      // always the first and the last column, the rest spread at random
      const cols = new Set<number>(c === 0 ? [] : c === 1 ? [K - 1] : [0, K - 1]);
      while (cols.size < c) cols.add(rng.int(0, K - 1));
      for (const k of cols) w[n * K + k] = rng.next() < 0.3 ? -128 : rng.int(-128, 127) || 127;
    });
    for (const zx of [0, -128, 127]) {
      const m = e.load(model(N, K, zx, csr(w, N, K), 0));
      for (const fill of ["random", "min", "max"]) {
        const xs = fill === "random" ? rng.i8(K) : new Int8Array(K).fill(fill === "min" ? -128 : 127);
        assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, zx, w, 0, null, 1, K, N)), `K ${K} zx ${zx} x ${fill}`);
      }
      m.dispose();
    }
  }
});

test.run();

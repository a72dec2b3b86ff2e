// The CSR sparse kernel (<= 50 % nonzeros, enough rows per call) on the shapes its layout makes
// awkward: K around powers of two and its 16-wide pack tiles (1, 255..257, 511..513, 1000, 1100,
// 2049), batch rows around its 32-row blocks and its 16-row / 4-row pack and unpack tiles
// (2..70), N across its 256-output blocks, rows that are empty, hold one nonzero, an odd count
// (the last nonzero unpaired), or only nonzeros at the last K or at 512/1024, zero points on both
// sides, and int8 output with per-channel scales and bias.
// Expected values come from the scalar reference (test/ref).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { csr } from "../../src/format/encodings.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt, requant } from "../ref/index.ts";

/** Random sparse rows plus the awkward ones, chosen by n % 9. */
function awkwardWeights(rng: Rng, N: number, K: number, density: number): Int8Array {
  const w = new Int8Array(N * K);
  const nz = () => rng.int(-128, 127) || -128;
  for (let n = 0; n < N; n++) {
    const row = n * K;
    switch (n % 9) {
      case 3: break; // empty
      case 4: w[row + rng.int(0, K - 1)] = nz(); break; // one nonzero
      case 5: w[row + K - 1] = nz(); break; // only the last K
      case 6: // the last three K (an odd count at the end)
        for (let k = Math.max(0, K - 3); k < K; k++) w[row + k] = nz();
        break;
      case 7: // both sides of 512 and 1024
        for (const k of [0, 511, 512, 1023, 1024, K - 1]) if (k < K) w[row + k] = nz();
        break;
      case 8: // all -128 in a short run, the extreme products
        for (let k = 0; k < Math.min(K, 40); k += 2) w[row + k] = -128;
        break;
      default:
        for (let k = 0; k < K; k++) if (rng.next() < density) w[row + k] = nz();
    }
  }
  return w;
}

function model(N: number, K: number, zx: number, w: Int8Array, zw: number): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [0.5] });
  const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...csr(w, N, K), zeroPoint: zw, scales: [0.25] });
  const y = g.act("y", DType.I32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

test("CSR sparse kernel: exact int32 across K tails, 32-row blocks and 256-output blocks", async () => {
  const e = await engine();
  const rng = new Rng(31);
  const cases: [number[], number, number, number][] = [
    // [batches, K, N, density]
    [[2, 33], 1, 19, 0.2],
    [[3, 32, 70], 255, 23, 0.1],
    [[17, 64], 256, 9, 0.25],
    [[2, 31, 48], 257, 30, 0.15],
    [[16, 35], 511, 12, 0.05],
    [[5, 32], 512, 260, 0.05],
    [[33, 2], 513, 18, 0.2],
    [[4, 65], 1000, 21, 0.1],
    [[32, 15, 70], 1100, 27, 0.1],
    [[34], 1100, 300, 0.02],
    [[7, 40], 2049, 11, 0.05],
    [[9], 2049, 14, 0.01],
  ];
  for (const [batches, K, N, density] of cases) {
    const w = awkwardWeights(rng, N, K, density);
    const zx = rng.int(-128, 127), zw = rng.int(-3, 3);
    const m = e.load(model(N, K, zx, w, zw));
    for (const rows of batches) {
      const xs = rng.i8(rows * K);
      const out = m.run({ x: xs }).y.data;
      const ref = denseInt(xs, zx, w, zw, null, rows, K, N);
      assert.equal(Array.from(out), Array.from(ref), `rows ${rows} K ${K} N ${N} density ${density} zx ${zx} zw ${zw}`);
    }
    m.dispose();
  }
});

test("CSR at 25-50 % nonzeros: few rows per call take the decoded-panel path, more the sparse kernel; both exact", async () => {
  const e = await engine();
  const rng = new Rng(34);
  for (const [batches, K, N, density] of [[[1, 2, 5, 9, 40], 700, 33, 0.45], [[1, 3, 16, 33], 1030, 12, 0.3]] as [number[], number, number, number][]) {
    const w = new Int8Array(N * K);
    for (let n = 0; n < N; n++) if (n % 5 !== 2) for (let k = 0; k < K; k++) if (rng.next() < density) w[n * K + k] = rng.int(-128, 127) || 1;
    let nnz = 0;
    for (const v of w) if (v !== 0) nnz++;
    assert.ok(nnz * 4 > N * K && nnz * 2 <= N * K, `density ${nnz / (N * K)}`);
    const zx = rng.int(-128, 127), zw = rng.int(-3, 3);
    const m = e.load(model(N, K, zx, w, zw));
    for (const rows of batches) {
      const xs = rng.i8(rows * K);
      assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, zx, w, zw, null, rows, K, N)), `rows ${rows} K ${K} N ${N}`);
    }
    m.dispose();
  }
});

test("CSR sparse kernel: extreme activations (all -128 / 127) stay exact", async () => {
  const e = await engine();
  const rng = new Rng(32);
  const K = 1030, N = 20;
  const w = awkwardWeights(rng, N, K, 0.2);
  for (const v of [-128, 127]) {
    const m = e.load(model(N, K, 0, w, 0));
    const xs = new Int8Array(40 * K).fill(v);
    assert.equal(Array.from(m.run({ x: xs }).y.data), Array.from(denseInt(xs, 0, w, 0, null, 40, K, N)), `x = ${v}`);
    m.dispose();
  }
});

test("CSR sparse kernel: int8 output with per-channel scales, bias and zero points", async () => {
  const e = await engine();
  const rng = new Rng(33);
  let ties = 0;
  for (const [rows, K, N] of [[2, 300, 17], [37, 1100, 29], [70, 600, 9]] as [number, number, number][]) {
    const w = awkwardWeights(rng, N, K, 0.1);
    const sw = Array.from({ length: N }, () => 0.002 + rng.next() * 0.01);
    const b = Int32Array.from({ length: N }, () => rng.int(-2000, 2000));
    const sx = 0.05, sy = 0.8, zx = rng.int(-20, 20), zy = rng.int(-10, 10);
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [K], { zeroPoint: zx, scales: [sx] });
    const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), { ...csr(w, N, K), scales: sw });
    const B = g.constant("b", DType.I32, [N], b);
    const y = g.act("y", DType.I8, [N], { zeroPoint: zy, scales: [sy] });
    const m = e.load(g.op(Op.Dense, [x, W, B], [y]).output(y).encode());
    const xs = rng.i8(rows * K);
    const out = m.run({ x: xs }).y.data;
    const acc = denseInt(xs, zx, w, 0, b, rows, K, N);
    for (let i = 0; i < acc.length; i++) {
      const real = (Math.fround(sx) * Math.fround(sw[i % N])) / Math.fround(sy);
      const r = requant(acc[i], real, zy);
      if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); continue; }
      assert.is(out[i], r.v, `[${rows},${K},${N}] y[${i}]`);
    }
    m.dispose();
  }
  assert.ok(ties < 5, `${ties} near-tie cases`);
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import type { TensorSpec } from "../../src/format/writer.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseF64, denseInt } from "../ref/index.ts";

const SHAPES: [number, number, number][] = [[1, 4, 1], [2, 16, 5], [3, 36, 7], [1, 784, 33], [4, 100, 64]];

function rawInt8Model(N: number, K: number, w: Partial<TensorSpec>): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: 3 });
  const W = g.constant("W", DType.I8, [N, K], new Int8Array(0), w);
  const y = g.act("y", DType.I32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

test("CSR, 2:4 and codebook int8 weights give the dense result exactly", async () => {
  const e = await engine();
  const rng = new Rng(11);
  for (const [rows, K, N] of SHAPES) {
    // 2:4 pattern: two random survivors per group of four; CSR reuses it at 50% zeros
    const w = new Int8Array(N * K);
    for (let g = 0; g < (N * K) / 4; g++) {
      const a = rng.int(0, 3);
      const b = (a + rng.int(1, 3)) % 4;
      w[4 * g + a] = rng.int(-128, 127);
      w[4 * g + b] = rng.int(-128, 127);
    }
    const centroids = rng.i8(16);
    const idx = Array.from({ length: N * K }, () => rng.int(0, 15));
    const wcb = Int8Array.from(idx, (i) => centroids[i]);
    const xs = rng.i8(rows * K);
    for (const [label, enc, dense] of [
      ["csr", csr(w, N, K), w],
      ["2:4", nm24(w, N, K), w],
      ["codebook-4", codebook(idx, centroids, 4, N, K), wcb],
    ] as const) {
      const m = e.load(rawInt8Model(N, K, enc));
      const out = m.run({ x: xs }).y.data;
      assert.equal(Array.from(out), Array.from(denseInt(xs, 3, dense, 0, null, rows, K, N)), `${label} [${rows},${K},${N}]`);
      m.dispose();
    }
  }
});

test("codebook indices of 1, 2 and 8 bits and f32 centroids decode correctly", async () => {
  const e = await engine();
  const rng = new Rng(12);
  const [rows, K, N] = [2, 13, 6];
  for (const bits of [1, 2, 8] as const) {
    const centroids = rng.f32(Math.min(1 << bits, 200));
    const idx = Array.from({ length: N * K }, () => rng.int(0, centroids.length - 1));
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [K]);
    const W = g.constant("W", DType.F32, [N, K], new Float32Array(0), codebook(idx, centroids, bits, N, K));
    const y = g.act("y", DType.F32, [N]);
    const m = e.load(g.op(Op.Dense, [x, W], [y]).output(y).encode());
    const xs = rng.f32(rows * K);
    const out = m.run({ x: xs }).y.data;
    const ref = denseF64(xs, Float32Array.from(idx, (i) => centroids[i]), null, rows, K, N);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) < 1e-4 * (1 + Math.abs(ref[i])), `bits ${bits} y[${i}]`);
    m.dispose();
  }
});

test("host encoders refuse what the format cannot hold", () => {
  assert.throws(() => nm24(new Int8Array([1, 1, 1, 0]), 1, 4), /2:4 allows 2/);
  assert.throws(() => nm24(new Int8Array(6), 1, 6), /multiple of 4/);
  assert.throws(() => codebook([0, 4], new Int8Array(4), 2, 1, 2), /outside the codebook/);
  assert.throws(() => codebook([0], new Int8Array(5), 2, 1, 1), /do not fit/);
});

test.run();

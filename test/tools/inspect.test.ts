// inspect: parameter counts, stored bytes per encoding and MACs, checked by hand on a small model;
// denseWeights inverts every host encoder.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { denseWeights } from "../../src/format/dense-weights.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import { inspectEdgeq } from "../../src/tools/inspect.ts";
import { Rng } from "../helpers/rng.ts";

test("inspect counts params, bytes per encoding and MACs per sample", () => {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [3, 8]);
  const W1 = g.constant("W1", DType.F32, [6, 8], new Float32Array(48));
  const h = g.act("h", DType.F32, [3, 6]);
  const sparse = new Int8Array(4 * 6);
  sparse[1] = 5; sparse[7] = -3; sparse[23] = 1;
  const W2 = g.constant("W2", DType.I8, [4, 6], sparse, { ...csr(sparse, 4, 6), scales: [0.1, 0.2, 0.3, 0.4] });
  const y = g.act("y", DType.F32, [3, 4]);
  g.op(Op.Dense, [x, W1], [h]).op(Op.Dense, [h, W2], [y]).output(y);
  const r = inspectEdgeq(g.encode());
  assert.equal(r.ops.map((o) => o.macs), [3 * 6 * 8, 3 * 4 * 6]);
  assert.is(r.totals.params, 48 + 24);
  // CSR: 3 values + rowPtr (5 × u32) + 3 cols (u16) + 4 scales
  assert.equal(r.weights.map((w) => [w.name, w.encoding, w.bytes]), [["W1", "Dense", 192], ["W2", "Csr", 3 + 20 + 6 + 16]]);
  assert.equal(r.totals.byEncoding["I8/Csr"], { tensors: 1, params: 24, bytes: 45 });
  assert.equal(r.inputs, [{ name: "x", dtype: "F32", shape: [3, 8] }]);
});

test("denseWeights inverts the CSR, 2:4 and codebook encoders", () => {
  const rng = new Rng(5);
  const N = 5, K = 16;
  const w = rng.i8(N * K);
  for (let i = 0; i < w.length; i += 4) { w[i + rng.int(0, 3)] = 0; w[i + (rng.int(0, 3))] = 0; }
  const twoFour = Int8Array.from(w, (v, i) => (i % 4 < 2 ? 0 : v));
  const base = { name: "w", shape: [N, K], kind: 0 };
  assert.equal(Array.from(denseWeights({ ...base, ...csr(w, N, K) })), Array.from(w));
  assert.equal(Array.from(denseWeights({ ...base, ...nm24(twoFour, N, K) })), Array.from(twoFour));
  const idx = Array.from({ length: N * K }, () => rng.int(0, 15));
  const cents = rng.f32(16);
  assert.equal(Array.from(denseWeights({ ...base, ...codebook(idx, cents, 4, N, K) })), idx.map((i) => cents[i]));
});

test.run();

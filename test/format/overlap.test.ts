// The container's offsets may point two regions at the same bytes. Loading must not let an
// in-place rewrite of one tensor's data (the packing of dense int8 weights) change anything
// validated: a fuzzed file whose weights overlapped the tensor table had its input record
// rewritten after validation (a later run crashed on an unknown dtype, or prepare divided by a
// zero dimension). Such weights now stay as they are, read through the plain kernels.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Header, Op, TensorField, Format } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { resealChecksum } from "../../src/format/writer.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt } from "../ref/index.ts";

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const tensorRec = (b: Uint8Array, t: number) => dv(b).getUint32(Header.TensorsOff, true) + t * Format.TensorRecordSize;

/** int8 x [K] times int8 W [N, K] -> raw int32 y [N]; W is tensor 1. */
function model(N: number, K: number, w: Int8Array): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K]);
  const W = g.constant("W", DType.I8, [N, K], w);
  const y = g.act("y", DType.I32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

test("dense int8 weights whose bytes overlap the tensor table, or another tensor's data, are not rewritten in place", async () => {
  const e = await engine();
  const rng = new Rng(64);
  // [N, K] with N*K = 128 bytes (two tensor records) and 64 (one)
  for (const [N, K] of [[8, 16], [4, 16], [16, 8]] as [number, number][]) {
    const good = model(N, K, rng.i8(N * K));
    for (const target of ["tensor table", "header"] as const) {
      const bytes = good.slice();
      const at = target === "tensor table" ? dv(bytes).getUint32(Header.TensorsOff, true) : 0;
      dv(bytes).setUint32(tensorRec(bytes, 1) + TensorField.DataOff, at, true);
      resealChecksum(bytes);
      // the weights are whatever bytes sit there when the file is loaded
      const w = new Int8Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + N * K));
      const m = e.load(bytes);
      assert.equal(m.inputs.map((i) => [i.name, i.dtype, i.shape]), [["x", DType.I8, [K]]], `${target} [${N},${K}]: input record intact`);
      for (const batch of [1, 5]) {
        const x = rng.i8(batch * K);
        assert.equal(Array.from(m.run({ x }).y.data), Array.from(denseInt(x, 0, w, 0, null, batch, K, N)), `${target} [${N},${K}] batch ${batch}`);
      }
      m.dispose();
    }
  }
  // two Dense ops whose weights share bytes: neither may repack them under the other
  const g = new GraphBuilder();
  const K = 32, N = 16;
  const x = g.input("x", DType.I8, [K]);
  const wa = rng.i8(N * K), wb = rng.i8(N * K);
  const A = g.constant("A", DType.I8, [N, K], wa), B = g.constant("B", DType.I8, [N, K], wb);
  const ya = g.act("ya", DType.I32, [N]), yb = g.act("yb", DType.I32, [N]);
  g.op(Op.Dense, [x, A], [ya]).op(Op.Dense, [x, B], [yb]).output(ya, yb);
  const bytes = g.encode();
  const recA = tensorRec(bytes, A), recB = tensorRec(bytes, B);
  dv(bytes).setUint32(recB + TensorField.DataOff, dv(bytes).getUint32(recA + TensorField.DataOff, true), true);
  resealChecksum(bytes);
  const m = e.load(bytes);
  const xs = rng.i8(3 * K);
  const r = m.run({ x: xs });
  assert.equal(Array.from(r.ya.data), Array.from(denseInt(xs, 0, wa, 0, null, 3, K, N)), "A reads its own values");
  assert.equal(Array.from(r.yb.data), Array.from(denseInt(xs, 0, wa, 0, null, 3, K, N)), "B reads the same bytes, unpacked");
  m.dispose();
});

test.run();

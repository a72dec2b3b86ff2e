// Model.run's `outputs` option: results written into caller arrays, checked before the run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine, EdgeqError, ErrorCode, GraphBuilder } from "../../src/index.ts";
import { readArtifact } from "../../src/node.ts";
import { DType, Op } from "../../assembly/format/spec.ts";
import { denseInt } from "../ref/index.ts";
import { Rng } from "../helpers/rng.ts";

const K = 24, N = 10;
const rng = new Rng(77);
const w = rng.i8(N * K);

/** int8 x [K] times int8 W [N, K] -> raw int32 y [N] (MatMulInteger semantics) */
function model(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K]);
  const W = g.constant("W", DType.I8, [N, K], w);
  const y = g.act("y", DType.I32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

test("outputs: written into the caller's array, same values as a fresh array, for batch 1 and 3", async () => {
  const e = await Engine.create(readArtifact());
  const m = e.load(model());
  for (const batch of [1, 3]) {
    const x = rng.i8(batch * K);
    const into = new Int32Array(batch * N).fill(12345);
    const r = m.run({ x }, { outputs: { y: into } });
    assert.ok(r.y.data === into, "the returned data is the caller's array");
    assert.equal(Array.from(into), Array.from(denseInt(x, 0, w, 0, null, batch, K, N)));
    assert.equal(Array.from(m.run({ x }).y.data), Array.from(into));
    const byPos = new Int32Array(batch * N);
    m.run([x], { outputs: [byPos] });
    assert.equal(Array.from(byPos), Array.from(into));
  }
});

test("outputs: wrong type, wrong length or unknown name is a typed error and the model keeps serving", async () => {
  const e = await Engine.create(readArtifact());
  const m = e.load(model());
  const x = rng.i8(2 * K);
  const bad: [string, string, Int32Array | Float32Array][] = [
    ["Float32Array for an int32 output", "y", new Float32Array(2 * N)],
    ["one sample short", "y", new Int32Array(2 * N - 1)],
    ["unknown output name", "z", new Int32Array(2 * N)],
  ];
  for (const [why, name, arr] of bad) {
    arr.fill(7);
    try {
      m.run({ x }, { outputs: { [name]: arr } as Record<string, Int32Array> });
      assert.unreachable(why);
    } catch (err) {
      assert.instance(err, EdgeqError, why);
      assert.is((err as EdgeqError).code, ErrorCode.BadArgument, why);
    }
    assert.ok(arr.every((v) => v === 7), `the array is untouched: ${why}`);
    assert.equal(Array.from(m.run({ x }).y.data), Array.from(denseInt(x, 0, w, 0, null, 2, K, N)), `serves after: ${why}`);
  }
});

test.run();

// Add/Mul of two activations where b covers only a's trailing dims (squeeze-excitation gates
// [1, 1, C] times [H, W, C]): b has its own values for every sample of the batch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { actBounds, broadcastRef, quantizeExact } from "../ref/eltwise.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";

const f = Math.fround;
const FN: Record<number, (x: number, y: number) => number> = { [Op.Add]: (x, y) => x + y, [Op.Mul]: (x, y) => x * y };
const CASES: [number[], number[]][] = [[[4, 5, 6], [1, 1, 6]], [[3, 7], [7]], [[2, 3, 17], [3, 17]], [[5, 5, 3], [1, 1, 1]]];
const BATCH = 3;

test("f32 Add/Mul broadcast an activation over trailing dims, per sample, with fused activations", async () => {
  const e = await engine();
  const rng = new Rng(41);
  for (const op of [Op.Add, Op.Mul])
    for (const [as, bs] of CASES)
      for (const act of [Activation.None, Activation.Relu6]) {
        const g = new GraphBuilder();
        const a = g.input("a", DType.F32, as), b = g.input("b", DType.F32, bs), y = g.act("y", DType.F32, as);
        g.op(op, [a, b], [y], [act]).output(y);
        const m = e.load(g.encode());
        const na = as.reduce((p, d) => p * d, 1), nb = bs.reduce((p, d) => p * d, 1);
        const xa = rng.f32(BATCH * na, 3), xb = rng.f32(BATCH * nb, 3);
        const out = m.run({ a: xa, b: xb }).y.data;
        m.dispose();
        for (let s = 0; s < BATCH; s++) {
          const ref = broadcastRef(xa.subarray(s * na, (s + 1) * na), as, xb.subarray(s * nb, (s + 1) * nb), bs, (x, z) => f(FN[op](x, z)));
          for (let i = 0; i < na; i++) {
            const want = act === Activation.Relu6 ? Math.min(6, Math.max(0, ref[i])) : ref[i];
            assert.is(out[s * na + i], f(want), `${Op[op]} [${as}]x[${bs}] sample ${s} y[${i}]`);
          }
        }
      }
});

test("int8 Add/Mul broadcast an activation over trailing dims with ONNX QLinearAdd/QLinearMul rounding", async () => {
  const e = await engine();
  const rng = new Rng(42);
  let ties = 0;
  for (const op of [Op.Add, Op.Mul])
    for (const [as, bs] of CASES) {
      const qa = { s: f(0.02 + rng.next() * 0.05), z: rng.int(-20, 20) }, qb = { s: f(0.01 + rng.next() * 0.05), z: rng.int(-20, 20) };
      const qy = { s: f(op === Op.Mul ? 0.01 + rng.next() * 0.05 : 0.03 + rng.next() * 0.1), z: rng.int(-20, 20) };
      const g = new GraphBuilder();
      const a = g.input("a", DType.I8, as, { scales: [qa.s], zeroPoint: qa.z }), b = g.input("b", DType.I8, bs, { scales: [qb.s], zeroPoint: qb.z });
      const y = g.act("y", DType.I8, as, { scales: [qy.s], zeroPoint: qy.z });
      g.op(op, [a, b], [y]).output(y);
      const m = e.load(g.encode());
      const na = as.reduce((p, d) => p * d, 1), nb = bs.reduce((p, d) => p * d, 1);
      const xa = rng.i8(BATCH * na), xb = rng.i8(BATCH * nb);
      const out = m.run({ a: xa, b: xb }).y.data;
      m.dispose();
      const [lo, hi] = actBounds(0, qy.s, qy.z);
      for (let s = 0; s < BATCH; s++) {
        const real = broadcastRef(xa.subarray(s * na, (s + 1) * na), as, xb.subarray(s * nb, (s + 1) * nb), bs, (x, z) => FN[op](qa.s * (x - qa.z), qb.s * (z - qb.z)));
        for (let i = 0; i < na; i++) {
          const r = quantizeExact(real[i], qy.s, qy.z, 2 ** -40);
          const want = Math.min(hi, Math.max(lo, r.v));
          if (r.nearTie) { ties++; assert.ok(Math.abs(out[s * na + i] - want) <= 1); continue; }
          assert.is(out[s * na + i], want, `${Op[op]} [${as}]x[${bs}] sample ${s} y[${i}]`);
        }
      }
    }
  assert.ok(ties < 10, `${ties} near ties`);
});

test("an activation operand that is not a's trailing dims is refused at load", async () => {
  const g = new GraphBuilder();
  const a = g.input("a", DType.F32, [4, 6]), b = g.input("b", DType.F32, [4, 1]), y = g.act("y", DType.F32, [4, 6]);
  g.op(Op.Mul, [a, b], [y]).output(y);
  try {
    (await engine()).load(g.encode());
    assert.unreachable("should refuse");
  } catch (e) {
    assert.instance(e, EdgeqError);
    assert.is((e as EdgeqError).code, ErrorCode.BadShape);
  }
});

test.run();

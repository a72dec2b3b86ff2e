import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { expectLoadError } from "../helpers/load-error.ts";
import { Rng } from "../helpers/rng.ts";
import { saturate } from "../ref/index.ts";
import { actBounds, broadcastRef, quantizeExact } from "../ref/eltwise.ts";

const f = Math.fround;
const FNS = { [Op.Add]: (x: number, y: number) => x + y, [Op.Mul]: (x: number, y: number) => x * y } as Record<number, (x: number, y: number) => number>;
const NAME = { [Op.Add]: "Add", [Op.Mul]: "Mul" } as Record<number, string>;
const actF32 = (v: number, act: number) => (act === 1 ? Math.max(0, v) : act === 2 ? Math.min(6, Math.max(0, v)) : v);

// [activation shape, b shape (null: an activation of the same shape), b first?]
const F32_CASES: [number[], number[] | null, boolean][] = [
  [[37], null, false],
  [[4, 5, 6], null, false],
  [[4, 5, 6], [6], false],
  [[4, 5, 6], [1, 1, 6], false],
  [[4, 5, 6], [5, 6], false],
  [[4, 5, 6], [4, 5, 6], false],
  [[7, 3], [3], true],
  [[9], [], false],
  [[2, 9], [1], true],
];

test("f32 Add/Mul: same shape, per-channel, trailing-dims and scalar constants, fused activations, batch 3", async () => {
  const e = await engine();
  const rng = new Rng(21);
  for (const op of [Op.Add, Op.Mul])
    for (const [shape, bShape, bFirst] of F32_CASES)
      for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
        const g = new GraphBuilder();
        const a = g.input("a", DType.F32, shape);
        const bData = bShape ? rng.f32(bShape.reduce((p, d) => p * d, 1), 3) : null;
        const b = bShape ? g.constant("b", DType.F32, bShape, bData!) : g.input("b", DType.F32, shape);
        const y = g.act("y", DType.F32, shape);
        g.op(op, bFirst ? [b, a] : [a, b], [y], [act]).output(y);
        const m = e.load(g.encode());
        const batch = 3;
        const n = shape.reduce((p, d) => p * d, 1);
        const as = rng.f32(n * batch, 3);
        const bs = bShape ? null : rng.f32(n * batch, 3);
        const out = m.run(bShape ? { a: as } : { a: as, b: bs! }).y;
        assert.equal(out.shape, [batch, ...shape]);
        const ref = bShape
          ? broadcastRef(as, [batch, ...shape], bData!, bShape, FNS[op])
          : broadcastRef(as, [batch, ...shape], bs!, [batch, ...shape], FNS[op]);
        for (let i = 0; i < ref.length; i++) {
          const r = actF32(ref[i], act);
          assert.ok(Math.abs(out.data[i] - r) <= 1e-6 * Math.abs(r), `${NAME[op]} [${shape}] b [${bShape}] act ${act} y[${i}] ${out.data[i]} vs ${r}`);
        }
        m.dispose();
      }
});

interface Q { s: number; z: number }
function checkI8(got: ArrayLike<number>, as: ArrayLike<number>, qa: Q, bs: ArrayLike<number>, bScale: (i: number) => number, zb: number, qy: Q, op: Op, act: number, bIndex: (i: number) => number, label: string, exactTies = false): number {
  const [lo, hi] = actBounds(act, qy.s, qy.z);
  let ties = 0;
  for (let i = 0; i < as.length; i++) {
    const x = (as[i] - qa.z) * f(qa.s), w = (bs[bIndex(i)] - zb) * f(bScale(bIndex(i)));
    // the kernels' 64-bit fixed point is within ~1e-10 output units of exact (docs/format.md)
    const r = quantizeExact(FNS[op](x, w), qy.s, qy.z, 1e-9);
    const want = saturate(r.v, lo, hi);
    if (r.nearTie && !exactTies) { ties++; assert.ok(Math.abs(got[i] - want) <= 1, `${label} near tie`); continue; }
    if (got[i] !== want) assert.is(got[i], want, `${label} y[${i}] a=${as[i]} b=${bs[bIndex(i)]}`);
  }
  return ties;
}

test("int8 Add/Mul of two activations: every pair of int8 values, own scales and zero points", async () => {
  const e = await engine();
  const rng = new Rng(22);
  let ties = 0;
  for (const op of [Op.Add, Op.Mul])
    for (let trial = 0; trial < 8; trial++) {
      const act = trial % 3;
      const qa = { s: f(0.01 + rng.next() * 0.1), z: rng.int(-40, 40) };
      const qb = trial === 1 ? qa : { s: f(0.005 + rng.next() * 0.2), z: rng.int(-128, 127) };
      const qy = { s: f(op === Op.Mul ? 0.05 + rng.next() * 0.5 : 0.02 + rng.next() * 0.1), z: rng.int(-30, 30) };
      const g = new GraphBuilder();
      const a = g.input("a", DType.I8, [256, 256], { scales: [qa.s], zeroPoint: qa.z });
      const b = g.input("b", DType.I8, [256, 256], { scales: [qb.s], zeroPoint: qb.z });
      const y = g.act("y", DType.I8, [256, 256], { scales: [qy.s], zeroPoint: qy.z });
      g.op(op, [a, b], [y], [act]).output(y);
      const m = e.load(g.encode());
      // batch 2: all pairs, then the pairs with the roles of a and b exchanged
      const as = Int8Array.from({ length: 2 * 65536 }, (_, i) => (i < 65536 ? (i >> 8) - 128 : (i & 255) - 128));
      const bs = Int8Array.from({ length: 2 * 65536 }, (_, i) => (i < 65536 ? (i & 255) - 128 : ((i - 65536) >> 8) - 128));
      const out = m.run({ a: as, b: bs }).y.data;
      ties += checkI8(out, as, qa, bs, () => qb.s, qb.z, qy, op, act, (i) => i, `${NAME[op]} trial ${trial}`);
      m.dispose();
    }
  assert.ok(ties < 40, `${ties} near-tie cases`);
});

test("int8 Add/Mul round exact ties half to even (dyadic scale ratios)", async () => {
  const e = await engine();
  for (const op of [Op.Add, Op.Mul]) {
    const qa = { s: 0.5, z: 3 }, qb = { s: 0.25, z: -7 }, qy = { s: op === Op.Add ? 1 : 4, z: 1 };
    const g = new GraphBuilder();
    const a = g.input("a", DType.I8, [65536], { scales: [qa.s], zeroPoint: qa.z });
    const b = g.input("b", DType.I8, [65536], { scales: [qb.s], zeroPoint: qb.z });
    const y = g.act("y", DType.I8, [65536], { scales: [qy.s], zeroPoint: qy.z });
    g.op(op, [a, b], [y]).output(y);
    const m = e.load(g.encode());
    const as = Int8Array.from({ length: 65536 }, (_, i) => (i >> 8) - 128);
    const bs = Int8Array.from({ length: 65536 }, (_, i) => (i & 255) - 128);
    const out = m.run({ a: as, b: bs }).y.data;
    checkI8(out, as, qa, bs, () => qb.s, qb.z, qy, op, 0, (i) => i, `${NAME[op]} dyadic`, true);
    m.dispose();
  }
});

test("int8 Add/Mul with constants: per-channel scales, trailing dims, scalar; batch 4", async () => {
  const e = await engine();
  const rng = new Rng(23);
  let ties = 0;
  const cases: [number[], number[], boolean][] = [[[5, 7, 16], [16], true], [[5, 7, 16], [16], false], [[6, 8], [6, 8], false], [[33], [1], false], [[3, 3], [], false]];
  for (const op of [Op.Add, Op.Mul])
    for (const [shape, bShape, perChannel] of cases)
      for (const act of [Activation.None, Activation.Relu6]) {
        const nb = bShape.reduce((p, d) => p * d, 1);
        const qa = { s: f(0.02 + rng.next() * 0.05), z: rng.int(-20, 20) };
        const sb = perChannel ? Array.from({ length: bShape[0] }, () => f(0.001 + rng.next() * 0.05)) : [f(0.01 + rng.next() * 0.05)];
        const zb = perChannel ? 0 : rng.int(-10, 10);
        const qy = { s: f(0.03 + rng.next() * 0.1), z: rng.int(-20, 20) };
        const bData = rng.i8(nb);
        const g = new GraphBuilder();
        const a = g.input("a", DType.I8, shape, { scales: [qa.s], zeroPoint: qa.z });
        const b = g.constant("b", DType.I8, bShape, bData, { scales: sb, zeroPoint: zb });
        const y = g.act("y", DType.I8, shape, { scales: [qy.s], zeroPoint: qy.z });
        g.op(op, [b, a], [y], [act]).output(y);
        const m = e.load(g.encode());
        const n = shape.reduce((p, d) => p * d, 1);
        const as = rng.i8(n * 4);
        const out = m.run({ a: as }).y.data;
        const rows = bShape.length ? bShape[0] : 1;
        ties += checkI8(out, as, qa, bData, (j) => sb.length > 1 ? sb[Math.floor(j / (nb / rows))] : sb[0], zb, qy, op, act, (i) => i % nb, `${NAME[op]} [${shape}] b [${bShape}]`);
        m.dispose();
      }
  assert.ok(ties < 5, `${ties} near-tie cases`);
});

test("Add/Mul refuse mismatched shapes and dtypes, two constants, missing scales and bad activations", async () => {
  let g = new GraphBuilder();
  let a = g.input("a", DType.F32, [4, 3]);
  let b = g.input("b", DType.F32, [4, 2]);
  let y = g.act("y", DType.F32, [4, 3]);
  await expectLoadError(g.op(Op.Add, [a, b], [y]).output(y).encode(), ErrorCode.BadShape, "activation shapes differ");

  g = new GraphBuilder();
  a = g.input("a", DType.F32, [4, 3]);
  b = g.constant("b", DType.F32, [4], new Float32Array(4));
  y = g.act("y", DType.F32, [4, 3]);
  await expectLoadError(g.op(Op.Mul, [a, b], [y]).output(y).encode(), ErrorCode.BadShape, "constant over a leading axis");

  g = new GraphBuilder();
  a = g.input("a", DType.F32, [4, 3]);
  b = g.input("b", DType.F32, [4, 3]);
  y = g.act("y", DType.F32, [3, 4]);
  await expectLoadError(g.op(Op.Add, [a, b], [y]).output(y).encode(), ErrorCode.BadShape, "output shape");

  g = new GraphBuilder();
  a = g.input("a", DType.F32, [3]);
  b = g.input("b", DType.I8, [3], { scales: [0.1] });
  y = g.act("y", DType.F32, [3]);
  await expectLoadError(g.op(Op.Add, [a, b], [y]).output(y).encode(), ErrorCode.BadOp, "mixed dtypes");

  g = new GraphBuilder();
  a = g.input("x", DType.F32, [3]);
  const c1 = g.constant("c1", DType.F32, [3], new Float32Array(3));
  const c2 = g.constant("c2", DType.F32, [3], new Float32Array(3));
  y = g.act("y", DType.F32, [3]);
  const z = g.act("z", DType.F32, [3]);
  g.op(Op.Add, [c1, c2], [y]).op(Op.Add, [a, y], [z]).output(z);
  await expectLoadError(g.encode(), ErrorCode.BadOp, "two constants");

  g = new GraphBuilder();
  a = g.input("a", DType.I8, [3], { scales: [0.1] });
  b = g.input("b", DType.I8, [3]);
  y = g.act("y", DType.I8, [3], { scales: [0.1] });
  await expectLoadError(g.op(Op.Add, [a, b], [y]).output(y).encode(), ErrorCode.BadQuant, "unscaled int8 operand");

  g = new GraphBuilder();
  a = g.input("a", DType.F32, [3]);
  b = g.input("b", DType.F32, [3]);
  y = g.act("y", DType.F32, [3]);
  await expectLoadError(g.op(Op.Mul, [a, b], [y], [7]).output(y).encode(), ErrorCode.BadOp, "unknown fused activation");

  g = new GraphBuilder();
  a = g.input("a", DType.I8, [3], { scales: [1e6] });
  b = g.input("b", DType.I8, [3], { scales: [0.1] });
  y = g.act("y", DType.I8, [3], { scales: [1e-10] });
  await expectLoadError(g.op(Op.Add, [a, b], [y]).output(y).encode(), ErrorCode.BadQuant, "absurd scale ratio");
});

test.run();

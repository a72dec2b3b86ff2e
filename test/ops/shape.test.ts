import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { expectLoadError } from "../helpers/load-error.ts";
import { Rng } from "../helpers/rng.ts";
import { concatRef, dequantize, quantizeExact, transposeRef } from "../ref/eltwise.ts";

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** All permutations of 0..n-1. */
function perms(n: number): number[][] {
  if (n === 1) return [[0]];
  const out: number[][] = [];
  for (const p of perms(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

test("Transpose: every permutation of ranks 1-4, f32 and int8, batch 3", async () => {
  const e = await engine();
  const rng = new Rng(31);
  const shapes = [[5], [3, 4], [2, 3, 5], [2, 3, 4, 5]];
  for (const shape of shapes)
    for (const perm of perms(shape.length))
      for (const dt of [DType.F32, DType.I8]) {
        const q = dt === DType.I8 ? { scales: [0.1], zeroPoint: 3 } : {};
        const g = new GraphBuilder();
        const x = g.input("x", dt, shape, q);
        const y = g.act("y", dt, perm.map((p) => shape[p]), q);
        g.op(Op.Transpose, [x], [y], perm).output(y);
        const m = e.load(g.encode());
        const n = numel(shape), batch = 3;
        const xs = dt === DType.F32 ? rng.f32(n * batch) : rng.i8(n * batch);
        const out = m.run({ x: xs }).y;
        assert.equal(out.shape, [batch, ...perm.map((p) => shape[p])]);
        for (let b = 0; b < batch; b++) {
          const ref = transposeRef(xs.subarray(b * n, (b + 1) * n), shape, perm);
          assert.equal(Array.from(out.data.subarray(b * n, (b + 1) * n)), ref, `[${shape}] perm [${perm}] sample ${b}`);
        }
        m.dispose();
      }
});

test("Reshape copies the data unchanged into the new shape (Flatten), batch 2", async () => {
  const e = await engine();
  const rng = new Rng(32);
  for (const dt of [DType.F32, DType.I8]) {
    const q = dt === DType.I8 ? { scales: [0.05], zeroPoint: -2 } : {};
    const g = new GraphBuilder();
    const x = g.input("x", dt, [4, 3, 5], q);
    const y = g.act("y", dt, [60], q);
    const z = g.act("z", dt, [6, 10], q);
    g.op(Op.Reshape, [x], [y]).op(Op.Reshape, [y], [z]).output(y, z);
    const m = e.load(g.encode());
    const xs = dt === DType.F32 ? rng.f32(120) : rng.i8(120);
    const out = m.run({ x: xs });
    assert.equal(out.y.shape, [2, 60]);
    assert.equal(out.z.shape, [2, 6, 10]);
    assert.equal(Array.from(out.y.data), Array.from(xs));
    assert.equal(Array.from(out.z.data), Array.from(xs));
    m.dispose();
  }
});

test("Concat along each axis, up to 6 inputs, with a constant input, f32, batch 2", async () => {
  const e = await engine();
  const rng = new Rng(33);
  const base = [3, 4, 5];
  for (let axis = 0; axis < 3; axis++)
    for (const count of [1, 2, 6]) {
      const g = new GraphBuilder();
      const sizes = Array.from({ length: count }, (_, k) => 1 + ((k * 3 + axis) % 4));
      const shapes = sizes.map((s) => base.map((d, i) => (i === axis ? s : d)));
      const constData = rng.f32(numel(shapes[count - 1]));
      const ins = shapes.map((s, k) => (k === count - 1 && count > 1 ? g.constant(`c${k}`, DType.F32, s, constData) : g.input(`x${k}`, DType.F32, s)));
      const outShape = base.map((d, i) => (i === axis ? sizes.reduce((a, b) => a + b, 0) : d));
      const y = g.act("y", DType.F32, outShape);
      g.op(Op.Concat, ins, [y], [axis]).output(y);
      const m = e.load(g.encode());
      const batch = 2;
      const feeds: Record<string, Float32Array> = {};
      const nAct = count > 1 ? count - 1 : count;
      for (let k = 0; k < nAct; k++) feeds[`x${k}`] = rng.f32(numel(shapes[k]) * batch);
      const out = m.run(feeds).y;
      assert.equal(out.shape, [batch, ...outShape]);
      const per = numel(outShape);
      for (let b = 0; b < batch; b++) {
        const parts = shapes.map((s, k) => ({ shape: s, data: k < nAct ? feeds[`x${k}`].subarray(b * numel(s), (b + 1) * numel(s)) : constData }));
        assert.equal(Array.from(out.data.subarray(b * per, (b + 1) * per)), concatRef(parts, axis).map(Math.fround), `axis ${axis} count ${count} sample ${b}`);
      }
      m.dispose();
    }
});

test("int8 Concat requantizes inputs with other scales or zero points to the output's exactly", async () => {
  const e = await engine();
  const rng = new Rng(34);
  const qs = [{ s: 0.1, z: 0 }, { s: 0.1, z: 5 }, { s: 0.037, z: -20 }, { s: 0.5, z: 100 }];
  const qy = { s: 0.08, z: -3 };
  const g = new GraphBuilder();
  const ins = qs.map((q, k) => g.input(`x${k}`, DType.I8, [2, 256], { scales: [q.s], zeroPoint: q.z }));
  const same = g.input("same", DType.I8, [2, 7], { scales: [qy.s], zeroPoint: qy.z });
  const y = g.act("y", DType.I8, [2, 4 * 256 + 7], { scales: [qy.s], zeroPoint: qy.z });
  g.op(Op.Concat, [...ins, same], [y], [1]).output(y);
  const m = e.load(g.encode());
  const feeds: Record<string, Int8Array> = {};
  qs.forEach((_, k) => (feeds[`x${k}`] = Int8Array.from({ length: 512 }, (_, i) => ((i + 37 * k) % 256) - 128)));
  feeds.same = rng.i8(14);
  const out = m.run(feeds).y.data;
  const W = 4 * 256 + 7;
  for (let r = 0; r < 2; r++) {
    qs.forEach((q, k) => {
      for (let i = 0; i < 256; i++) {
        const v = feeds[`x${k}`][r * 256 + i];
        const want = quantizeExact(dequantize(v, q.s, q.z), qy.s, qy.z);
        assert.is(out[r * W + k * 256 + i], want.v, `input ${k} value ${v}`);
      }
    });
    for (let i = 0; i < 7; i++) assert.is(out[r * W + 1024 + i], feeds.same[r * 7 + i]);
  }
  m.dispose();
});

test("shape ops refuse bad axes, non-permutations, mismatched dims and quantization", async () => {
  const build = (op: Op, inShapes: number[][], outShape: number[], attrs: number[], dt = DType.F32, qin = {}, qout = {}) => {
    const g = new GraphBuilder();
    const ins = inShapes.map((s, k) => g.input(`x${k}`, dt, s, qin));
    const y = g.act("y", dt, outShape, qout);
    return g.op(op, ins, [y], attrs).output(y).encode();
  };
  await expectLoadError(build(Op.Transpose, [[2, 3, 4]], [4, 3, 2], [2, 1, 1]), ErrorCode.BadOp, "repeated axis");
  await expectLoadError(build(Op.Transpose, [[2, 3, 4]], [4, 3, 2], [2, 1, 3]), ErrorCode.BadOp, "axis out of range");
  await expectLoadError(build(Op.Transpose, [[2, 3, 4]], [4, 3, 2], [2, 1, -1]), ErrorCode.BadOp, "negative axis");
  await expectLoadError(build(Op.Transpose, [[2, 3, 4]], [3, 4, 2], [2, 1, 0]), ErrorCode.BadShape, "output dims not permuted");
  await expectLoadError(build(Op.Transpose, [[2, 3]], [3, 2], [1, 0, 5]), ErrorCode.BadOp, "attribute beyond rank");
  await expectLoadError(build(Op.Transpose, [[2, 3]], [3, 2], [1, 0], DType.I8, { scales: [0.1] }, { scales: [0.2] }), ErrorCode.BadQuant, "transpose changing scale");
  await expectLoadError(build(Op.Reshape, [[2, 3]], [7], []), ErrorCode.BadShape, "reshape changing numel");
  await expectLoadError(build(Op.Reshape, [[2, 3]], [6], [], DType.I8, { scales: [0.1], zeroPoint: 1 }, { scales: [0.1], zeroPoint: 2 }), ErrorCode.BadQuant, "reshape changing zero point");
  await expectLoadError(build(Op.Concat, [[2, 3], [2, 4]], [2, 7], [0]), ErrorCode.BadShape, "concat dims differ off axis");
  await expectLoadError(build(Op.Concat, [[2, 3], [2, 4]], [2, 8], [1]), ErrorCode.BadShape, "concat axis sum");
  await expectLoadError(build(Op.Concat, [[2, 3], [2, 4]], [2, 7], [2]), ErrorCode.BadOp, "concat axis out of range");
  await expectLoadError(build(Op.Concat, [[2, 3], [3]], [2, 6], [1]), ErrorCode.BadShape, "concat rank differs");
  await expectLoadError(build(Op.Concat, [[2, 3], [2, 4]], [2, 7], [1], DType.I8, {}, { scales: [0.1] }), ErrorCode.BadQuant, "unscaled int8 into scaled concat");
  await expectLoadError(build(Op.Concat, [[2, 3], [2, 4]], [2, 7], [1], DType.I8, { scales: [0.1] }, {}), ErrorCode.BadQuant, "scaled int8 into unscaled concat");
});

test.run();

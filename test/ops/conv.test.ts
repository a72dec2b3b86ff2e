import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Encoding, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";
import { expectRequantized } from "../helpers/conv-requant.ts";
import { convAttrs as attrs, convLabel as label, convWLen as wlen, convWShape as wshape, expectDequantizedF32, int8ConvModel } from "../helpers/conv-geom.ts";
import { Rng } from "../helpers/rng.ts";
import { quantize, requant } from "../ref/index.ts";
import { type ConvGeom, convOutSize, convRef } from "../ref/conv.ts";

type Case = Omit<ConvGeom, "stride" | "pads" | "dilation" | "groups"> & Partial<ConvGeom>;
const geom = (c: Case): ConvGeom => ({ stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...c });

// Awkward on purpose: Cin not a multiple of 16 (or of 8), 1x1, stride 2, asymmetric padding,
// dilation, grouped, depthwise, batch > 1, pixel counts that leave partial GEMM tiles.
const CASES: ConvGeom[] = [
  { batch: 1, H: 5, W: 5, Cin: 3, Cout: 4, KH: 3, KW: 3, pads: [1, 1, 1, 1] },
  { batch: 2, H: 4, W: 4, Cin: 17, Cout: 9, KH: 1, KW: 1 },
  { batch: 1, H: 6, W: 6, Cin: 8, Cout: 16, KH: 1, KW: 1, stride: [2, 2] },
  { batch: 1, H: 7, W: 6, Cin: 16, Cout: 8, KH: 3, KW: 3, stride: [2, 2], pads: [1, 0, 1, 2] },
  { batch: 1, H: 6, W: 5, Cin: 5, Cout: 3, KH: 2, KW: 3, pads: [1, 2, 0, 1] },
  { batch: 1, H: 9, W: 8, Cin: 4, Cout: 6, KH: 3, KW: 3, dilation: [2, 3], pads: [2, 1, 0, 3] },
  { batch: 2, H: 6, W: 6, Cin: 12, Cout: 9, KH: 3, KW: 3, pads: [1, 1, 1, 1], groups: 3 },
  { batch: 1, H: 5, W: 7, Cin: 8, Cout: 16, KH: 3, KW: 1, stride: [1, 2], pads: [1, 0, 1, 0], groups: 4 },
  { batch: 1, H: 7, W: 7, Cin: 19, Cout: 19, KH: 3, KW: 3, stride: [2, 2], pads: [1, 1, 1, 1], groups: 19 },
  { batch: 2, H: 8, W: 9, Cin: 24, Cout: 24, KH: 3, KW: 2, dilation: [2, 1], pads: [2, 0, 1, 1], groups: 24 },
  { batch: 1, H: 4, W: 3, Cin: 3, Cout: 3, KH: 1, KW: 1, groups: 3 },
  { batch: 3, H: 5, W: 4, Cin: 33, Cout: 20, KH: 3, KW: 2, stride: [1, 2], pads: [0, 1, 1, 0] },
  { batch: 2, H: 10, W: 10, Cin: 32, Cout: 64, KH: 3, KW: 3, pads: [1, 1, 1, 1] },
  { batch: 1, H: 3, W: 3, Cin: 5, Cout: 7, KH: 3, KW: 3 },
  { batch: 1, H: 9, W: 9, Cin: 1, Cout: 8, KH: 5, KW: 5, pads: [2, 2, 2, 2] },
  // dilated windows whose taps all fall in the padding: the output is the bias alone
  { batch: 1, H: 1, W: 3, Cin: 8, Cout: 8, KH: 2, KW: 1, dilation: [5, 1], pads: [3, 0, 2, 0], groups: 8 },
  { batch: 1, H: 1, W: 3, Cin: 3, Cout: 5, KH: 2, KW: 2, dilation: [5, 1], pads: [3, 1, 2, 0] },
].map((c) => geom(c as Case));

const actF = (v: number, act: number) => (act === Activation.Relu ? Math.max(v, 0) : act === Activation.Relu6 ? Math.min(Math.max(v, 0), 6) : v);

test("f32 conv matches the f64 reference on awkward shapes, with bias and fused activations", async () => {
  const e = await engine();
  const rng = new Rng(11);
  for (const g of CASES) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      const [OH, OW] = convOutSize(g);
      const b = new GraphBuilder();
      const x = b.input("x", DType.F32, [g.H, g.W, g.Cin]);
      const w = rng.f32(wlen(g), 0.5);
      const bias = rng.f32(g.Cout);
      const W = b.constant("W", DType.F32, wshape(g), w);
      const B = b.constant("b", DType.F32, [g.Cout], bias);
      const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
      b.op(Op.Conv2d, [x, W, B], [y], attrs(g, act)).output(y);
      const m = e.load(b.encode());
      const xs = rng.f32(g.batch * g.H * g.W * g.Cin, 2);
      const out = m.run({ x: xs }).y;
      assert.equal(out.shape, [g.batch, OH, OW, g.Cout]);
      const ref = convRef(xs, 0, w, 0, bias, g);
      const mag = convRef(xs.map(Math.abs), 0, w.map(Math.abs), 0, bias.map(Math.abs), g);
      for (let i = 0; i < ref.length; i++) {
        const want = actF(ref[i], act);
        assert.ok(Math.abs(out.data[i] - want) <= 1e-6 * (1 + mag[i]), `${label(g)} act ${act} y[${i}] ${out.data[i]} vs ${want}`);
      }
      m.dispose();
    }
  }
});

test("int8 conv: raw int32 accumulators are exact (ConvInteger), zero points on both sides, padding = input zero point", async () => {
  const e = await engine();
  const rng = new Rng(12);
  for (const g of CASES) {
    const [OH, OW] = convOutSize(g);
    const zx = rng.int(-128, 127), zw = rng.int(-128, 127);
    const b = new GraphBuilder();
    const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { zeroPoint: zx });
    const w = rng.i8(wlen(g));
    const W = b.constant("W", DType.I8, wshape(g), w, { zeroPoint: zw });
    const y = b.act("y", DType.I32, [OH, OW, g.Cout]);
    b.op(Op.Conv2d, [x, W], [y], attrs(g)).output(y);
    const m = e.load(b.encode());
    const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
    const out = m.run([xs]).y;
    assert.equal(Array.from(out.data), Array.from(convRef(xs, zx, w, zw, null, g)), label(g));
    m.dispose();
  }
});

test("int8 conv: requantized output follows ONNX QLinearConv, per-tensor and per-channel scales, bias, ReLU/ReLU6", async () => {
  const e = await engine();
  const rng = new Rng(13);
  let ties = 0, total = 0;
  for (const g of CASES) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      const perChannel = act !== Activation.Relu;
      const sx = 0.02 + rng.next() * 0.05, sy = 0.05 + rng.next() * 0.2;
      const zx = rng.int(-20, 20), zy = rng.int(-30, 30), zw = perChannel ? 0 : rng.int(-5, 5);
      const sw = perChannel ? Array.from({ length: g.Cout }, () => 0.001 + rng.next() * 0.01) : [0.002 + rng.next() * 0.01];
      const w = rng.i8(wlen(g), -127, 127);
      const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-2000, 2000));
      const m = e.load(int8ConvModel(g, { sx, zx, sw, zw, sy, zy, act }, w, bias));
      const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
      const out = m.run({ x: xs }).y.data;
      const acc = convRef(xs, zx, w, zw, bias, g);
      const seen = expectRequantized(out, acc, { sx, sw, sy, zy, act, Cout: g.Cout }, `${label(g)} act ${act}`);
      total += seen.total;
      ties += seen.ties;
      m.dispose();
    }
  }
  assert.ok(ties < 5, `${ties} near-tie cases of ${total}`);
});

test("int8 conv: exact ties (power-of-two scales) round half to even, as ONNX QLinearConv", async () => {
  const e = await engine();
  const rng = new Rng(18);
  let ties = 0;
  for (const g of CASES) {
    const sx = 0.5, sy = 2, zx = rng.int(-5, 5), zy = rng.int(-10, 10);
    const sw = Array.from({ length: g.Cout }, () => 2 ** -rng.int(1, 6));
    const w = rng.i8(wlen(g), -20, 20);
    const m = e.load(int8ConvModel(g, { sx, zx, sw, sy, zy }, w, null));
    const xs = rng.i8(g.batch * g.H * g.W * g.Cin, -40, 40);
    const out = m.run({ x: xs }).y.data;
    const acc = convRef(xs, zx, w, 0, null, g);
    for (let i = 0; i < acc.length; i++) {
      const p = (acc[i] * sx * sw[i % g.Cout]) / sy; // exact in f64: every factor is a power of two
      if (p - Math.floor(p) === 0.5) ties++;
      assert.is(out[i], requant(acc[i], (sx * sw[i % g.Cout]) / sy, zy).v, `${label(g)} y[${i}] = round(${p})`);
    }
    m.dispose();
  }
  assert.ok(ties > 20, `only ${ties} exact ties exercised`);
});

test("int8 conv saturates when the real multiplier is huge (no wrap around the zero point)", async () => {
  const e = await engine();
  const g = CASES[3];
  const [OH, OW] = convOutSize(g);
  const b = new GraphBuilder();
  const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { scales: [1], zeroPoint: 0 });
  const w = new Rng(19).i8(wlen(g), -3, 3);
  const W = b.constant("W", DType.I8, wshape(g), w, { scales: [1] });
  const y = b.act("y", DType.I8, [OH, OW, g.Cout], { scales: [1e-12], zeroPoint: 100 });
  b.op(Op.Conv2d, [x, W], [y], attrs(g)).output(y);
  const m = e.load(b.encode());
  const xs = new Rng(20).i8(g.H * g.W * g.Cin);
  const out = m.run({ x: xs }).y.data;
  const acc = convRef(xs, 0, w, 0, null, g);
  for (let i = 0; i < acc.length; i++) assert.is(out[i], requant(acc[i], 1e12, 100).v, `y[${i}] acc ${acc[i]}`);
  m.dispose();
});

test("int8 conv with f32 output dequantizes the exact accumulators", () => expectDequantizedF32(CASES, 14, Activation.Relu));

test("dynamic conv (f32 in, int8 weights) stays within the per-sample quantization error of f32", async () => {
  const e = await engine();
  const rng = new Rng(15);
  for (const g of CASES) {
    const [OH, OW] = convOutSize(g);
    const K = wlen(g) / g.Cout;
    const wf = rng.f32(wlen(g), 0.3);
    const sw = Array.from({ length: g.Cout }, (_, n) => {
      let mx = 0;
      for (let k = 0; k < K; k++) mx = Math.max(mx, Math.abs(wf[n * K + k]));
      return Math.max(mx, 1e-6) / 127;
    });
    const wq = Int8Array.from(wf, (v, i) => quantize(v, sw[Math.floor(i / K)], 0));
    const bias = rng.f32(g.Cout);
    const b = new GraphBuilder();
    const x = b.input("x", DType.F32, [g.H, g.W, g.Cin]);
    const W = b.constant("W", DType.I8, wshape(g), wq, { scales: sw });
    const B = b.constant("b", DType.F32, [g.Cout], bias);
    const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
    b.op(Op.Conv2d, [x, W, B], [y], attrs(g)).output(y);
    const m = e.load(b.encode());
    const xs = rng.f32(g.batch * g.H * g.W * g.Cin);
    const out = m.run({ x: xs }).y.data;
    const deq = Float32Array.from(wq, (v, i) => v * sw[Math.floor(i / K)]);
    const ref = convRef(xs, 0, deq, 0, bias, g);
    const per = OH * OW * g.Cout, inN = g.H * g.W * g.Cin;
    for (let s = 0; s < g.batch; s++) {
      let lo = 0, hi = 0;
      for (let i = 0; i < inN; i++) { lo = Math.min(lo, xs[s * inN + i]); hi = Math.max(hi, xs[s * inN + i]); }
      const sx = (hi - lo) / 255;
      for (let i = 0; i < per; i++) {
        const n = i % g.Cout;
        let l1 = 0;
        for (let k = 0; k < K; k++) l1 += Math.abs(deq[n * K + k]);
        const j = s * per + i;
        assert.ok(Math.abs(out[j] - ref[j]) <= 0.5 * sx * l1 + 1e-4 * (1 + Math.abs(ref[j])), `${label(g)} y[${j}] ${out[j]} vs ${ref[j]}`);
      }
    }
    m.dispose();
  }
});

test("codebook-encoded conv weights decode to the same result as dense ones", async () => {
  const e = await engine();
  const rng = new Rng(16);
  for (const g of [CASES[3], CASES[6], CASES[9]]) {
    const [OH, OW] = convOutSize(g);
    const K = wlen(g) / g.Cout;
    const centroids = rng.i8(16, -100, 100);
    const idx = Array.from({ length: wlen(g) }, () => rng.int(0, 15));
    const w = Int8Array.from(idx, (i) => centroids[i]);
    const rowBytes = Math.ceil((K * 4) / 8);
    const packed = new Uint8Array(g.Cout * rowBytes);
    for (let n = 0; n < g.Cout; n++)
      for (let k = 0; k < K; k++) packed[n * rowBytes + (k >> 1)] |= idx[n * K + k] << ((k & 1) * 4);
    const b = new GraphBuilder();
    const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { zeroPoint: 3 });
    const W = b.constant("W", DType.I8, wshape(g), packed, { encoding: Encoding.Codebook, aux: centroids, bits: 4 });
    const y = b.act("y", DType.I32, [OH, OW, g.Cout]);
    b.op(Op.Conv2d, [x, W], [y], attrs(g)).output(y);
    const m = e.load(b.encode());
    const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
    assert.equal(Array.from(m.run([xs]).y.data), Array.from(convRef(xs, 3, w, 0, null, g)), label(g));
    m.dispose();
  }
});

/** A model with one f32 conv 6x6x4 -> 4 (3x3 weights, groups from attrs) and the given attrs/shapes. */
function badModel(attrs: number[], opts: { outShape?: number[]; wShape?: number[]; bias?: number; yType?: DType; xType?: DType; wType?: DType } = {}): Uint8Array {
  const b = new GraphBuilder();
  const xType = opts.xType ?? DType.F32, wType = opts.wType ?? DType.F32;
  const q = (t: DType) => (t === DType.I8 ? { scales: [0.1], zeroPoint: 0 } : {});
  const x = b.input("x", xType, [6, 6, 4], q(xType));
  const wShape = opts.wShape ?? [4, 3, 3, 4];
  const n = wShape.reduce((a, c) => a * c, 1);
  const W = b.constant("W", wType, wShape, wType === DType.I8 ? new Int8Array(n) : new Float32Array(n), q(wType));
  const ins = [x, W];
  if (opts.bias !== undefined) ins.push(b.constant("b", opts.bias, [wShape[0]], opts.bias === DType.I32 ? new Int32Array(wShape[0]) : new Float32Array(wShape[0])));
  const yType = opts.yType ?? DType.F32;
  const y = b.act("y", yType, opts.outShape ?? [4, 4, 4], q(yType));
  b.op(Op.Conv2d, ins, [y], attrs).output(y);
  return b.encode();
}

const OK = [0, 1, 1, 0, 0, 0, 0, 1, 1, 1];
const with_ = (i: number, v: number) => OK.map((a, j) => (j === i ? v : a));

test("bad conv attributes and shapes are refused with typed errors, and the engine keeps working", async () => {
  const e = await engine();
  const bad: [string, Uint8Array, number][] = [
    ["unknown activation", badModel(with_(0, 3)), ErrorCode.BadOp],
    ["stride 0", badModel(with_(1, 0)), ErrorCode.BadOp],
    ["negative stride", badModel(with_(2, -1)), ErrorCode.BadOp],
    ["negative pad", badModel(with_(3, -1)), ErrorCode.BadOp],
    ["pad as large as the kernel", badModel(with_(6, 3), { outShape: [4, 5, 4] }), ErrorCode.BadOp],
    ["huge pad", badModel(with_(4, 0x7fffffff)), ErrorCode.BadOp],
    ["dilation 0", badModel(with_(7, 0)), ErrorCode.BadOp],
    ["huge dilation", badModel(with_(8, 1 << 30)), ErrorCode.BadOp],
    ["groups 0", badModel(with_(9, 0)), ErrorCode.BadOp],
    ["groups not dividing Cin", badModel(with_(9, 3), { wShape: [3, 3, 3, 1] , outShape: [4, 4, 3] }), ErrorCode.BadOp],
    ["groups not dividing Cout", badModel(with_(9, 2), { wShape: [3, 3, 3, 2], outShape: [4, 4, 3] }), ErrorCode.BadOp],
    ["weights' Cin/groups wrong", badModel(with_(9, 2), { wShape: [4, 3, 3, 4] }), ErrorCode.BadShape],
    ["weights' Cin wrong", badModel(OK, { wShape: [4, 3, 3, 3] }), ErrorCode.BadShape],
    ["weights of rank 3", badModel(OK, { wShape: [4, 9, 4] }), ErrorCode.BadShape],
    ["output height off by one", badModel(OK, { outShape: [5, 4, 4] }), ErrorCode.BadShape],
    ["output channels differ from Cout", badModel(OK, { outShape: [4, 4, 5] }), ErrorCode.BadShape],
    ["kernel larger than the input", badModel(OK, { wShape: [4, 7, 3, 4], outShape: [1, 4, 4] }), ErrorCode.BadShape],
    ["stride too large for the output", badModel(with_(1, 2)), ErrorCode.BadShape],
    ["int8 bias on f32 conv", badModel(OK, { bias: DType.I32 }), ErrorCode.BadOp],
    ["bias on int32 output", badModel(OK, { xType: DType.I8, wType: DType.I8, yType: DType.I32, bias: DType.I32 }), ErrorCode.BadOp],
    ["activation on int32 output", badModel(with_(0, 1), { xType: DType.I8, wType: DType.I8, yType: DType.I32 }), ErrorCode.BadOp],
    ["int8 output from f32 input", badModel(OK, { wType: DType.I8, yType: DType.I8 }), ErrorCode.BadOp],
  ];
  for (const [what, bytes, code] of bad) {
    try {
      e.load(bytes);
      assert.unreachable(`${what}: loaded`);
    } catch (err) {
      assert.instance(err, EdgeqError, what);
      assert.is((err as EdgeqError).code, code, `${what}: ${(err as Error).message}`);
    }
  }
  // a valid model still loads and runs on the same instance
  const m = e.load(badModel(OK));
  const out = m.run({ x: new Float32Array(6 * 6 * 4).fill(1) }).y;
  assert.equal(out.shape, [1, 4, 4, 4]);
  m.dispose();
});

test("random conv attributes: a model loads exactly when the documented rules hold, and then matches the reference", async () => {
  const e = await engine();
  const rng = new Rng(17);
  let loaded = 0, refused = 0;
  for (let t = 0; t < 400; t++) {
    // each attribute is usually legal and sometimes just outside its range
    const rare = (ok: number, bad: number) => (rng.int(0, 11) === 0 ? bad : ok);
    const H = rng.int(1, 6), W = rng.int(1, 6), KH = rng.int(1, 4), KW = rng.int(1, 3);
    const groups = rare(rng.int(1, 3), 0), Cg = rng.int(1, 3);
    const Cin = Math.max(1, groups) * Cg + rare(0, 1);
    const Cout = Math.max(1, groups) * rng.int(1, 3) + rare(0, 1);
    const stride: [number, number] = [rare(rng.int(1, 3), 0), rare(rng.int(1, 3), -1)];
    const dilation: [number, number] = [rare(rng.int(1, 3), 0), rare(rng.int(1, 2), 0)];
    const padH = () => rare(rng.int(0, (KH - 1) * Math.max(1, dilation[0])), rng.int(-1, 5));
    const padW = () => rare(rng.int(0, (KW - 1) * Math.max(1, dilation[1])), rng.int(-1, 5));
    const pads: [number, number, number, number] = [padH(), padW(), padH(), padW()];
    const g: ConvGeom = { batch: 2, H, W, Cin, Cout, KH, KW, stride, pads, dilation, groups };
    const eh = (KH - 1) * dilation[0] + 1, ew = (KW - 1) * dilation[1] + 1;
    const valid = stride.every((v) => v >= 1) && dilation.every((v) => v >= 1) && groups >= 1 &&
      Cin === groups * Cg && Cout % groups === 0 && pads.every((p) => p >= 0) &&
      pads[0] < eh && pads[2] < eh && pads[1] < ew && pads[3] < ew && H + pads[0] + pads[2] >= eh && W + pads[1] + pads[3] >= ew;
    const [OH, OW] = valid ? convOutSize(g) : [Math.max(1, convOutSize(g)[0] || 1), Math.max(1, convOutSize(g)[1] || 1)];
    const b = new GraphBuilder();
    const x = b.input("x", DType.F32, [H, W, Cin]);
    const w = rng.f32(Cout * KH * KW * Cg);
    const Wt = b.constant("W", DType.F32, [Cout, KH, KW, Cg], w);
    const y = b.act("y", DType.F32, [OH, OW, Cout]);
    b.op(Op.Conv2d, [x, Wt], [y], attrs(g)).output(y);
    let m;
    try {
      m = e.load(b.encode());
    } catch (err) {
      assert.ok(!valid, `${label(g)} refused: ${(err as Error).message}`);
      assert.ok([ErrorCode.BadOp, ErrorCode.BadShape].includes((err as EdgeqError).code), (err as Error).message);
      refused++;
      continue;
    }
    assert.ok(valid, `${label(g)} loaded though the rules refuse it`);
    loaded++;
    const xs = rng.f32(2 * H * W * Cin);
    const out = m.run({ x: xs }).y.data;
    const ref = convRef(xs, 0, w, 0, null, g);
    const mag = convRef(xs.map(Math.abs), 0, w.map(Math.abs), 0, null, g);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-6 * (1 + mag[i]), `${label(g)} y[${i}]`);
    m.dispose();
  }
  assert.ok(loaded > 50 && refused > 50, `${loaded} loaded, ${refused} refused`);
});

test("int8 conv weights whose worst-case accumulator overflows int32 are refused", async () => {
  const e = await engine();
  // 255 * 128 * K > 2^31 - 1 once K > 65793
  const g = geom({ batch: 1, H: 2, W: 2, Cin: 70000, Cout: 2, KH: 1, KW: 1 } as Case);
  const b = new GraphBuilder();
  const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { scales: [0.1] });
  const W = b.constant("W", DType.I8, wshape(g), new Int8Array(wlen(g)).fill(-128), { scales: [0.1] });
  const y = b.act("y", DType.I8, [2, 2, 2], { scales: [0.1] });
  b.op(Op.Conv2d, [x, W], [y], attrs(g)).output(y);
  try {
    e.load(b.encode());
    assert.unreachable("loaded");
  } catch (err) {
    assert.is((err as EdgeqError).code, ErrorCode.Overflow);
  }
});

test.run();

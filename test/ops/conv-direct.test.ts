// The int8 direct conv kernel (kernels/i8-conv-4x8c2-simd128.ts: single group, few input
// channels, width dilation 1) and the SIMD requantization, against the scalar reference
// (test/ref/conv.ts) on awkward shapes: Cin 1..3, 1x1/3x3/5x5 and non-square kernels, strides
// 1 and 2, asymmetric padding, height dilation, Cout around the 8-wide blocks, output rows of
// 1..70 pixels (4-pixel groups with tails, more than one 64-pixel chunk), batch 1..5.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { expectRequantized } from "../helpers/conv-requant.ts";
import { convAttrs as attrs, convLabel as label, convWLen as wlen, convWShape as wshape, expectDequantizedF32, int8ConvModel } from "../helpers/conv-geom.ts";
import { Rng } from "../helpers/rng.ts";
import { requant } from "../ref/index.ts";
import { type ConvGeom, convOutSize, convRef } from "../ref/conv.ts";

function cases(): ConvGeom[] {
  const rng = new Rng(77);
  const out: ConvGeom[] = [];
  const kernels: [number, number][] = [[1, 1], [3, 3], [5, 5], [2, 3], [5, 1]];
  const couts = [1, 5, 6, 16, 17];
  let i = 0;
  for (const Cin of [1, 2, 3])
    for (const [KH, KW] of kernels) {
      const Cout = couts[i % couts.length];
      const sh = 1 + (i % 2), sw = 1 + ((i >> 1) % 2);
      const dh = i % 3 === 0 ? 2 : 1;
      const pads = [0, 1, 2, 3].map((j) => rng.int(0, (j % 2 === 0 ? (KH - 1) * dh : KW - 1))) as ConvGeom["pads"];
      const H = (KH - 1) * dh + 1 + rng.int(0, 9), W = KW + rng.int(0, 12);
      out.push({ batch: 1 + (i % 5), H, W, Cin, Cout, KH, KW, stride: [sh, sw], pads, dilation: [dh, 1], groups: 1 });
      i++;
    }
  // LeNet-5's first layer, a 70-pixel row (two chunks), single-pixel rows, width dilation (the im2col path)
  out.push({ batch: 2, H: 28, W: 28, Cin: 1, Cout: 6, KH: 5, KW: 5, stride: [1, 1], pads: [2, 2, 2, 2], dilation: [1, 1], groups: 1 });
  out.push({ batch: 1, H: 3, W: 72, Cin: 2, Cout: 17, KH: 3, KW: 3, stride: [1, 1], pads: [1, 0, 1, 0], dilation: [1, 1], groups: 1 });
  out.push({ batch: 3, H: 4, W: 2, Cin: 3, Cout: 16, KH: 3, KW: 2, stride: [1, 1], pads: [1, 0, 1, 0], dilation: [1, 1], groups: 1 });
  out.push({ batch: 1, H: 7, W: 9, Cin: 3, Cout: 6, KH: 3, KW: 3, stride: [1, 1], pads: [1, 2, 1, 2], dilation: [1, 2], groups: 1 });
  out.push({ batch: 2, H: 14, W: 14, Cin: 6, Cout: 16, KH: 5, KW: 5, stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1], groups: 1 });
  return out;
}

const CASES = cases();

test("direct int8 conv: int32 accumulators are exact, zero points on both sides", async () => {
  const e = await engine();
  const rng = new Rng(21);
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
    assert.equal(Array.from(m.run([xs]).y.data), Array.from(convRef(xs, zx, w, zw, null, g)), label(g));
    // a second run with other inputs: the padded image's borders must still read as the zero point
    const xs2 = rng.i8(g.batch * g.H * g.W * g.Cin);
    assert.equal(Array.from(m.run([xs2]).y.data), Array.from(convRef(xs2, zx, w, zw, null, g)), `${label(g)} second run`);
    m.dispose();
  }
});

/** Per-channel weight scales whose multipliers sx*sw/sy all lie in [1.05, 1.95) * 2^-k: one shared shift. */
function sharedBinade(Cout: number, sx: number, sy: number, rng: Rng): number[] {
  const k = rng.int(4, 10);
  return Array.from({ length: Cout }, () => (2 ** -k * (1.05 + rng.next() * 0.9) * sy) / sx);
}

// scales: per tensor (one shared shift: SIMD requant), per channel within a factor 2 (shared
// shift, per-lane multipliers), per channel spread over 2^6 (mixed shifts: scalar requant)
for (const kind of ["tensor", "channel-close", "channel-spread"] as const) {
  test(`direct int8 conv: requantized int8 output, ${kind} weight scales, bias, ReLU/ReLU6`, async () => {
    const e = await engine();
    const rng = new Rng(kind.length * 31);
    let ties = 0, total = 0;
    for (const g of CASES) {
      for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
        const [OH, OW] = convOutSize(g);
        const sx = 0.02 + rng.next() * 0.05, sy = 0.05 + rng.next() * 0.2;
        const zx = rng.int(-20, 20), zy = rng.int(-30, 30), zw = kind === "tensor" ? rng.int(-5, 5) : 0;
        const sw = kind === "tensor" ? [0.002 + rng.next() * 0.01]
          : kind === "channel-close" ? sharedBinade(g.Cout, sx, sy, rng) : Array.from({ length: g.Cout }, () => 0.0002 * 2 ** rng.int(0, 6));
        const w = rng.i8(wlen(g), -127, 127);
        const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-3000, 3000));
        const m = e.load(int8ConvModel(g, { sx, zx, sw, zw, sy, zy, act }, w, bias));
        const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
        const out = m.run({ x: xs }).y.data;
        assert.is(out.length, g.batch * OH * OW * g.Cout);
        const acc = convRef(xs, zx, w, zw, bias, g);
        const seen = expectRequantized(out, acc, { sx, sw, sy, zy, act, Cout: g.Cout }, `${label(g)} act ${act}`);
        total += seen.total;
        ties += seen.ties;
        m.dispose();
      }
    }
    assert.ok(ties < 5, `${ties} near-tie cases of ${total}`);
  });
}

test("direct int8 conv: exact ties (power-of-two scales) round half to even", async () => {
  const e = await engine();
  const rng = new Rng(23);
  let ties = 0;
  for (const g of CASES) {
    for (const perChannel of [false, true]) {
      const sx = 0.5, sy = 2, zx = rng.int(-5, 5), zy = rng.int(-10, 10);
      const sw = perChannel ? Array.from({ length: g.Cout }, () => 2 ** -rng.int(1, 6)) : [2 ** -rng.int(1, 6)];
      const w = rng.i8(wlen(g), -20, 20);
      const m = e.load(int8ConvModel(g, { sx, zx, sw, sy, zy }, w, null));
      const xs = rng.i8(g.batch * g.H * g.W * g.Cin, -40, 40);
      const out = m.run({ x: xs }).y.data;
      const acc = convRef(xs, zx, w, 0, null, g);
      for (let i = 0; i < acc.length; i++) {
        const s = sw[perChannel ? i % g.Cout : 0];
        const p = (acc[i] * sx * s) / sy; // exact in f64: every factor is a power of two
        if (p - Math.floor(p) === 0.5) ties++;
        assert.is(out[i], requant(acc[i], (sx * s) / sy, zy).v, `${label(g)} y[${i}] = round(${p})`);
      }
      m.dispose();
    }
  }
  assert.ok(ties > 20, `only ${ties} exact ties exercised`);
});

test("direct int8 conv with f32 output dequantizes the exact accumulators", () => expectDequantizedF32(CASES, 24, Activation.None));

test.run();

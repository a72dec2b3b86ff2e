// int8 depthwise conv (groups == Cin == Cout) on the shapes its kernel handles awkwardly: channel
// counts off the 8-channel blocks (1, 3, 17, 33), images of 1, 2 and 7 pixels a side, rows of
// fewer pixels than the 3-pixel step and of more than one 64-pixel tile, strides 1 and 2, pads
// 0..2 (asymmetric too), dilation, even and odd kernel widths, batch > 1; zero points on both
// sides; per-channel scales whose shifts differ (the mixed-shift SIMD requant) and biases large
// enough to force the scalar requant; few pixels with many channels (the per-pixel fallback).
// Channel multiplier > 1 (Cout = 2*Cin) must keep working.
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

type Case = Pick<ConvGeom, "batch" | "H" | "W" | "Cin" | "KH" | "KW"> & Partial<ConvGeom>;
const dw = (c: Case): ConvGeom => ({ stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1], Cout: c.Cin, groups: c.Cin, ...c });

const CASES: ConvGeom[] = [
  dw({ batch: 1, H: 1, W: 1, Cin: 1, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
  dw({ batch: 2, H: 2, W: 2, Cin: 3, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
  dw({ batch: 1, H: 7, W: 7, Cin: 17, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
  dw({ batch: 1, H: 7, W: 7, Cin: 33, KH: 3, KW: 3, stride: [2, 2], pads: [1, 1, 1, 1] }),
  dw({ batch: 1, H: 7, W: 2, Cin: 16, KH: 3, KW: 3, pads: [0, 1, 0, 1] }),
  dw({ batch: 2, H: 7, W: 7, Cin: 8, KH: 3, KW: 3, pads: [2, 2, 2, 2] }),
  dw({ batch: 1, H: 7, W: 7, Cin: 24, KH: 3, KW: 3, stride: [2, 2], pads: [0, 1, 2, 0] }),
  dw({ batch: 1, H: 2, W: 7, Cin: 3, KH: 3, KW: 3, stride: [2, 1], pads: [1, 2, 1, 0] }),
  dw({ batch: 1, H: 9, W: 9, Cin: 17, KH: 5, KW: 5, pads: [2, 2, 2, 2] }),
  dw({ batch: 1, H: 7, W: 7, Cin: 9, KH: 2, KW: 2, pads: [1, 0, 0, 1] }),
  dw({ batch: 1, H: 7, W: 7, Cin: 11, KH: 3, KW: 1, pads: [1, 0, 1, 0] }),
  dw({ batch: 1, H: 7, W: 5, Cin: 5, KH: 1, KW: 3, stride: [1, 2], pads: [0, 1, 0, 1] }),
  dw({ batch: 1, H: 3, W: 3, Cin: 33, KH: 1, KW: 1 }),
  dw({ batch: 1, H: 9, W: 8, Cin: 10, KH: 3, KW: 3, dilation: [2, 3], pads: [2, 3, 1, 2] }),
  dw({ batch: 1, H: 5, W: 6, Cin: 7, KH: 3, KW: 3, stride: [2, 3], dilation: [2, 2], pads: [2, 2, 2, 2] }),
  // one output row of 70 pixels: two kernel tiles (64 + 6), raw output straight to y (C = 16)
  dw({ batch: 1, H: 3, W: 70, Cin: 16, KH: 3, KW: 3, pads: [0, 1, 0, 1] }),
  dw({ batch: 1, H: 3, W: 131, Cin: 5, KH: 3, KW: 3, stride: [1, 2], pads: [1, 1, 1, 1] }),
  // few pixels, many channels: the pair rows would outgrow the op's bytes, the per-pixel kernel runs
  dw({ batch: 2, H: 3, W: 3, Cin: 1001, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
  dw({ batch: 1, H: 4, W: 4, Cin: 1024, KH: 3, KW: 3, stride: [2, 2], pads: [1, 1, 1, 1] }),
  // channel multiplier 2: groups == Cin, Cout == 2*Cin (not the depthwise kernel)
  { batch: 1, H: 6, W: 5, Cin: 3, Cout: 6, KH: 3, KW: 3, stride: [1, 1], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 3 },
  { batch: 1, H: 7, W: 7, Cin: 17, Cout: 34, KH: 3, KW: 3, stride: [2, 2], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 17 },
];


test("depthwise int8: raw int32 accumulators are exact, zero points on both sides, full-range values", async () => {
  const e = await engine();
  const rng = new Rng(801);
  for (const g of CASES) {
    for (const [zx, zw] of [[0, 0], [rng.int(-128, 127), rng.int(-128, 127)], [-128, 127], [127, -128]]) {
      const [OH, OW] = convOutSize(g);
      const b = new GraphBuilder();
      const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { zeroPoint: zx });
      const w = rng.i8(wlen(g));
      const W = b.constant("W", DType.I8, wshape(g), w, { zeroPoint: zw });
      const y = b.act("y", DType.I32, [OH, OW, g.Cout]);
      b.op(Op.Conv2d, [x, W], [y], attrs(g)).output(y);
      const m = e.load(b.encode());
      const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
      const out = m.run([xs]).y;
      assert.equal(out.shape, [g.batch, OH, OW, g.Cout]);
      assert.equal(Array.from(out.data), Array.from(convRef(xs, zx, w, zw, null, g)), `${label(g)} zx ${zx} zw ${zw}`);
      m.dispose();
    }
  }
});

test("depthwise int8 -> int8: per-tensor and per-channel scales (differing shifts), bias, ReLU/ReLU6", async () => {
  const e = await engine();
  const rng = new Rng(802);
  let ties = 0, total = 0;
  for (const g of CASES) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      for (const spread of [1, 300]) {
        const perChannel = act !== Activation.Relu || spread > 1;
        const sx = 0.02 + rng.next() * 0.05, sy = 0.05 + rng.next() * 0.2;
        const zx = rng.int(-60, 60), zy = rng.int(-30, 30), zw = perChannel ? 0 : rng.int(-5, 5);
        // spread 300: channel scales across ~8 powers of two, so the requant shifts differ
        const sw = perChannel ? Array.from({ length: g.Cout }, () => 0.0005 * spread ** rng.next()) : [0.002 + rng.next() * 0.01];
        const w = rng.i8(wlen(g), -127, 127);
        const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-3000, 3000));
        const m = e.load(int8ConvModel(g, { sx, zx, sw, zw, sy, zy, act }, w, bias));
        const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
        const out = m.run({ x: xs }).y.data;
        const acc = convRef(xs, zx, w, zw, bias, g);
        const seen = expectRequantized(out, acc, { sx, sw, sy, zy, act, Cout: g.Cout }, `${label(g)} act ${act} spread ${spread}`);
        total += seen.total;
        ties += seen.ties;
        m.dispose();
      }
    }
  }
  assert.ok(ties < 5, `${ties} near-tie cases of ${total}`);
});

test("depthwise int8 -> int8: exact ties round half to even with per-channel power-of-two scales", async () => {
  const e = await engine();
  const rng = new Rng(803);
  let ties = 0;
  for (const g of CASES) {
    // small biases keep the mixed-shift SIMD requant in play; huge ones force the scalar path.
    // Channel scales 2^1..2^-1 (real multipliers 2^-1..2^-3) give shifts 31..33: the largest
    // shift 33 is the lowest the round-to-odd lanes take, 32 the i64 lanes.
    const variants = [
      { biasMax: 50, e: [1, 9], xr: 40, wr: 20 },
      { biasMax: 2 ** 30, e: [1, 9], xr: 40, wr: 20 },
      { biasMax: 20, e: [-1, 1], xr: 4, wr: 3 },
      { biasMax: 20, e: [-1, 0], xr: 4, wr: 3 },
    ];
    for (const { biasMax, e: [e0, e1], xr, wr } of variants) {
      const sx = 0.5, sy = 2, zx = rng.int(-5, 5), zy = rng.int(-10, 10);
      const sw = Array.from({ length: g.Cout }, (_, n) => 2 ** -(n < 2 ? [e0, e1][n] : rng.int(e0, e1)));
      const w = rng.i8(wlen(g), -wr, wr);
      const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-biasMax, biasMax));
      const m = e.load(int8ConvModel(g, { sx, zx, sw, sy, zy }, w, bias));
      const xs = rng.i8(g.batch * g.H * g.W * g.Cin, -xr, xr);
      const out = m.run({ x: xs }).y.data;
      const acc = convRef(xs, zx, w, 0, bias, g);
      for (let i = 0; i < acc.length; i++) {
        const real = (sx * sw[i % g.Cout]) / sy; // a power of two: acc * real is exact in f64
        const p = acc[i] * real;
        if (p - Math.floor(p) === 0.5) ties++;
        assert.is(out[i], requant(acc[i], real, zy).v, `${label(g)} bias<=${biasMax} y[${i}] = round(${p})`);
      }
      m.dispose();
    }
  }
  assert.ok(ties > 50, `only ${ties} exact ties exercised`);
});

test("depthwise int8 with f32 output dequantizes the exact accumulators", () => expectDequantizedF32(CASES, 804, Activation.Relu6));

test.run();

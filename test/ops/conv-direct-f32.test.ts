// The f32 direct conv kernels (kernels/f32-conv-4x8-simd128.ts: single group, width dilation 1,
// Cin <= 16 or no padding reached; kernels/f32-conv-ci1-8x4-simd128.ts: also Cin 1, width
// stride 1, rows of >= 8 outputs; both read straight from the sample or from a zero-bordered
// padded copy) against the scalar references (test/ref/conv.ts): bit for bit against the f32
// reference in the promised summation order, and within rounding of the f64 one. Awkward shapes:
// Cin 1, 2, 3, 6, 7, 16, 20, 33; Cout 1..7, 9, 11, 16, 17 (every lane tail of the 8-wide
// blocks); 1x1, 3x3, 5x5 and non-square kernels; strides 1 and 2; no, symmetric, asymmetric and
// bottom/right-only padding; height dilation; output rows of 1..3 pixels (no 4-pixel group), of
// 7 and 8, and with tails; batch 1 and 3; bias or none; no activation, ReLU, ReLU6. Shapes just
// outside the kernels (Cin 17 padded, width dilation) check the im2col fallback gives the same
// bits.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { type ConvGeom, convOutSize, convRef, convRefF32Ordered } from "../ref/conv.ts";
import { convAttrs as attrs, convLabel as label } from "../helpers/conv-geom.ts";

function cases(): ConvGeom[] {
  const rng = new Rng(91);
  const out: ConvGeom[] = [];
  const kernels: [number, number][] = [[1, 1], [3, 3], [5, 5], [2, 3], [5, 1]];
  const couts = [1, 5, 6, 9, 17, 3, 7, 11, 2, 4];
  let i = 0;
  for (const Cin of [1, 2, 3, 7])
    for (const [KH, KW] of kernels) {
      const Cout = couts[(i + Cin) % couts.length];
      const sh = 1 + (i % 2), sw = 1 + ((i >> 1) % 2);
      const dh = i % 3 === 0 ? 2 : 1;
      // every fourth case unpadded: the kernel reads the sample itself
      const pads = (i % 4 === 1 ? [0, 0, 0, 0] : [0, 1, 2, 3].map((j) => rng.int(0, j % 2 === 0 ? (KH - 1) * dh : KW - 1))) as ConvGeom["pads"];
      const H = (KH - 1) * dh + 1 + rng.int(0, 9), W = KW + rng.int(0, 12);
      out.push({ batch: i % 2 ? 3 : 1, H, W, Cin, Cout, KH, KW, stride: [sh, sw], pads, dilation: [dh, 1], groups: 1 });
      i++;
    }
  const g = (c: Partial<ConvGeom> & Pick<ConvGeom, "H" | "W" | "Cin" | "Cout" | "KH" | "KW">): ConvGeom => ({ batch: 1, stride: [1, 1], pads: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...c });
  out.push(
    // LeNet-5's two convs
    g({ batch: 3, H: 28, W: 28, Cin: 1, Cout: 6, KH: 5, KW: 5, pads: [2, 2, 2, 2] }),
    g({ batch: 3, H: 14, W: 14, Cin: 6, Cout: 16, KH: 5, KW: 5 }),
    // only bottom/right padding (the windows reach it), and bottom padding no window reaches
    g({ batch: 3, H: 6, W: 7, Cin: 2, Cout: 9, KH: 3, KW: 3, pads: [0, 0, 2, 1] }),
    g({ H: 7, W: 6, Cin: 3, Cout: 5, KH: 3, KW: 3, stride: [2, 2], pads: [0, 0, 1, 0] }),
    // 1x1 with strides (not the 1x1 GEMM path), output rows of 1, 2 and 3 pixels
    g({ batch: 3, H: 9, W: 9, Cin: 7, Cout: 17, KH: 1, KW: 1, stride: [2, 2] }),
    g({ H: 4, W: 3, Cin: 3, Cout: 6, KH: 1, KW: 1, stride: [1, 2] }),
    g({ batch: 3, H: 5, W: 3, Cin: 2, Cout: 9, KH: 3, KW: 3 }),
    g({ H: 5, W: 4, Cin: 1, Cout: 1, KH: 3, KW: 3 }),
    g({ H: 6, W: 5, Cin: 3, Cout: 17, KH: 3, KW: 3, pads: [1, 0, 1, 0] }),
    // the largest Cin the kernel takes when padded, and just past it (im2col); unpadded it takes
    // any Cin, bottom/right padding no window reaches included
    g({ batch: 3, H: 6, W: 9, Cin: 16, Cout: 9, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
    g({ H: 6, W: 9, Cin: 17, Cout: 5, KH: 3, KW: 3, pads: [1, 1, 1, 1] }),
    g({ batch: 3, H: 7, W: 9, Cin: 33, Cout: 17, KH: 3, KW: 2, stride: [1, 2] }),
    g({ H: 9, W: 9, Cin: 20, Cout: 6, KH: 3, KW: 3, stride: [2, 2], pads: [0, 0, 1, 1] }),
    // width dilation: im2col
    g({ batch: 3, H: 7, W: 9, Cin: 3, Cout: 6, KH: 3, KW: 3, pads: [1, 2, 1, 2], dilation: [1, 2] }),
    // one input channel, width stride 1, rows of 7 outputs: f32-conv-4x8, not f32-conv-ci1
    g({ batch: 3, H: 6, W: 9, Cin: 1, Cout: 6, KH: 3, KW: 3 }),
    // ... and rows of exactly 8 (f32-conv-ci1, one group per row)
    g({ batch: 3, H: 5, W: 10, Cin: 1, Cout: 3, KH: 3, KW: 3, pads: [1, 0, 0, 0] }),
  );
  // one input channel, width stride 1, rows of >= 8 outputs (f32-conv-ci1): every channel tail
  // of its 4-channel blocks, rows of 8 (one group) to 21 outputs (a recomputed partial group)
  for (const Cout of [1, 2, 3, 4, 5, 7, 9, 11]) {
    const KH = 1 + rng.int(0, 2) * 2, KW = [1, 2, 3, 5][Cout % 4], dh = Cout % 3 === 0 ? 2 : 1;
    const pads = (Cout % 2 ? [0, 1, 2, 3].map((j) => rng.int(0, j % 2 === 0 ? (KH - 1) * dh : KW - 1)) : [0, 0, 0, 0]) as ConvGeom["pads"];
    const W = KW - 1 + 8 + rng.int(0, 13) - pads[1] - pads[3];
    out.push(g({ batch: Cout % 2 ? 1 : 3, H: (KH - 1) * dh + 1 + rng.int(0, 5), W, Cin: 1, Cout, KH, KW, stride: [1 + (Cout % 2), 1], pads, dilation: [dh, 1] }));
  }
  return out;
}

const CASES = cases();
const actF = (v: number, act: number) => (act === Activation.Relu ? Math.max(v, 0) : act === Activation.Relu6 ? Math.min(Math.max(v, 0), 6) : v);

test("f32 direct convs: bit-exact against the ordered f32 reference, close to f64, every activation, bias or none", async () => {
  const e = await engine();
  const rng = new Rng(92);
  let checked = 0;
  for (const g of CASES) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      const withBias = act !== Activation.Relu;
      const [OH, OW] = convOutSize(g);
      const b = new GraphBuilder();
      const x = b.input("x", DType.F32, [g.H, g.W, g.Cin]);
      const w = rng.f32(g.Cout * g.KH * g.KW * g.Cin, 0.5);
      const bias = withBias ? rng.f32(g.Cout) : null;
      const W = b.constant("W", DType.F32, [g.Cout, g.KH, g.KW, g.Cin], w);
      const ins = [x, W];
      if (bias) ins.push(b.constant("b", DType.F32, [g.Cout], bias));
      const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
      b.op(Op.Conv2d, ins, [y], attrs(g, act)).output(y);
      const m = e.load(b.encode());
      // two runs with different inputs: the padded copy's borders must still read as 0.0
      for (const run of [0, 1]) {
        const xs = rng.f32(g.batch * g.H * g.W * g.Cin, 2);
        const out = m.run({ x: xs }).y;
        assert.equal(out.shape, [g.batch, OH, OW, g.Cout]);
        const exact = convRefF32Ordered(xs, w, bias, g);
        const ref = convRef(xs, 0, w, 0, bias, g);
        const mag = convRef(xs.map(Math.abs), 0, w.map(Math.abs), 0, bias ? bias.map(Math.abs) : null, g);
        for (let i = 0; i < ref.length; i++) {
          const at = `${label(g)} act ${act} run ${run} y[${i}]`;
          assert.is(out.data[i], Math.fround(actF(exact[i], act)), `${at} vs ordered f32 reference`);
          assert.ok(Math.abs(out.data[i] - actF(ref[i], act)) <= 1e-6 * (1 + mag[i]), `${at} ${out.data[i]} vs f64 ${ref[i]}`);
        }
        checked += ref.length;
      }
      m.dispose();
    }
  }
  assert.ok(checked > 100000, `only ${checked} outputs checked`);
});

test("f32 direct convs: infinities and NaN come out as in the ordered f32 reference, through every activation", async () => {
  const e = await engine();
  const rng = new Rng(93);
  const shapes = [CASES.find((g) => g.H === 28)!, CASES.find((g) => g.Cin === 3 && g.pads[0] > 0)!, CASES.find((g) => g.Cin === 1 && g.W === 10 && g.H === 5)!];
  let special = 0;
  for (const g of shapes) {
    for (const act of [Activation.None, Activation.Relu, Activation.Relu6]) {
      const [OH, OW] = convOutSize(g);
      const b = new GraphBuilder();
      const x = b.input("x", DType.F32, [g.H, g.W, g.Cin]);
      const w = rng.f32(g.Cout * g.KH * g.KW * g.Cin, 0.5);
      const bias = rng.f32(g.Cout);
      const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
      b.op(Op.Conv2d, [x, b.constant("W", DType.F32, [g.Cout, g.KH, g.KW, g.Cin], w), b.constant("b", DType.F32, [g.Cout], bias)], [y], attrs(g, act)).output(y);
      const m = e.load(b.encode());
      const xs = rng.f32(g.batch * g.H * g.W * g.Cin, 2);
      for (let i = 0; i < xs.length; i += 37) xs[i] = [Infinity, -Infinity, NaN][i % 3];
      const out = m.run({ x: xs }).y.data;
      const exact = convRefF32Ordered(xs, w, bias, g);
      for (let i = 0; i < exact.length; i++) {
        const want = Math.fround(actF(exact[i], act));
        if (!Number.isFinite(want)) special++;
        assert.ok(Object.is(out[i], want), `${label(g)} act ${act} y[${i}] ${out[i]} vs ${want}`);
      }
      m.dispose();
    }
  }
  assert.ok(special > 100, `only ${special} non-finite outputs`);
});

test.run();

// Conv test plumbing shared by the conv test files: labels, op attributes and weight shapes of a
// ConvGeom, and the int8-in / f32-out check (dequantized exact accumulators).
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "./engine.ts";
import { Rng } from "./rng.ts";
import { type ConvGeom, convOutSize, convRef } from "../ref/conv.ts";

export const convLabel = (g: ConvGeom) => `${g.batch}x${g.H}x${g.W}x${g.Cin} -> ${g.Cout} k${g.KH}x${g.KW} s${g.stride} p${g.pads} d${g.dilation} g${g.groups}`;
export const convAttrs = (g: ConvGeom, act = 0) => [act, ...g.stride, ...g.pads, ...g.dilation, g.groups];
export const convWLen = (g: ConvGeom) => g.Cout * g.KH * g.KW * (g.Cin / g.groups);
export const convWShape = (g: ConvGeom) => [g.Cout, g.KH, g.KW, g.Cin / g.groups];

/**
 * int8 x (scale, zero point), int8 W (per-channel scales), int32 bias, fused `act`, f32 y: every
 * output within 1e-5 (relative) of the reference accumulator times sx * sw[n], activated.
 */
export async function expectDequantizedF32(cases: ConvGeom[], seed: number, act: Activation): Promise<void> {
  const e = await engine();
  const rng = new Rng(seed);
  for (const g of cases) {
    const [OH, OW] = convOutSize(g);
    const sx = 0.03, zx = rng.int(-10, 10);
    const sw = Array.from({ length: g.Cout }, () => 0.001 + rng.next() * 0.01);
    const b = new GraphBuilder();
    const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { scales: [sx], zeroPoint: zx });
    const w = rng.i8(convWLen(g), -127, 127);
    const bias = Int32Array.from({ length: g.Cout }, () => rng.int(-500, 500));
    const W = b.constant("W", DType.I8, convWShape(g), w, { scales: sw });
    const B = b.constant("b", DType.I32, [g.Cout], bias);
    const y = b.act("y", DType.F32, [OH, OW, g.Cout]);
    b.op(Op.Conv2d, [x, W, B], [y], convAttrs(g, act)).output(y);
    const m = e.load(b.encode());
    const xs = rng.i8(g.batch * g.H * g.W * g.Cin);
    const out = m.run({ x: xs }).y.data;
    const acc = convRef(xs, zx, w, 0, bias, g);
    for (let i = 0; i < acc.length; i++) {
      const v = acc[i] * Math.fround(sx) * Math.fround(sw[i % g.Cout]);
      const want = act === Activation.Relu ? Math.max(0, v) : act === Activation.Relu6 ? Math.min(6, Math.max(0, v)) : v;
      assert.ok(Math.abs(out[i] - want) <= 1e-5 * (1 + Math.abs(want)), `${convLabel(g)} y[${i}] ${out[i]} vs ${want}`);
    }
    m.dispose();
  }
}

export interface Int8ConvQuant { sx: number; zx: number; sw: number[]; zw?: number; sy: number; zy: number; act?: Activation }

/** The int8 -> int8 conv g as a model: x, W (scales sw, zero point zw), optional int32 bias, y. */
export function int8ConvModel(g: ConvGeom, q: Int8ConvQuant, w: Int8Array, bias: Int32Array | null): Uint8Array {
  const [OH, OW] = convOutSize(g);
  const b = new GraphBuilder();
  const x = b.input("x", DType.I8, [g.H, g.W, g.Cin], { scales: [q.sx], zeroPoint: q.zx });
  const W = b.constant("W", DType.I8, convWShape(g), w, { scales: q.sw, zeroPoint: q.zw ?? 0 });
  const B = bias === null ? null : b.constant("b", DType.I32, [g.Cout], bias);
  const y = b.act("y", DType.I8, [OH, OW, g.Cout], { scales: [q.sy], zeroPoint: q.zy });
  return b.op(Op.Conv2d, B === null ? [x, W] : [x, W, B], [y], convAttrs(g, q.act ?? Activation.None)).output(y).encode();
}

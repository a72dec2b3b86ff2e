// Checks an int8 conv output against the requantized reference accumulators (ONNX QLinearConv
// rounding, fused ReLU/ReLU6 clamp): exact, except ±1 where the product sits within rounding noise
// of a tie. Returns how many of each were seen so a test can bound the near ties.
import * as assert from "uvu/assert";
import { Activation } from "../../assembly/format/spec.ts";
import { requant } from "../ref/index.ts";

export interface ConvQuant {
  sx: number;
  sw: ArrayLike<number>; // one scale, or one per output channel
  sy: number;
  zy: number;
  act: Activation;
  Cout: number;
}

export function expectRequantized(out: ArrayLike<number>, acc: ArrayLike<number>, q: ConvQuant, where: string): { total: number; ties: number } {
  const hi = q.act === Activation.Relu6 ? Math.min(127, Math.round(6 / Math.fround(q.sy)) + q.zy) : 127;
  const lo = q.act === Activation.None ? -128 : Math.max(-128, q.zy);
  let ties = 0;
  for (let i = 0; i < acc.length; i++) {
    const n = i % q.Cout;
    const real = (Math.fround(q.sx) * Math.fround(q.sw[q.sw.length > 1 ? n : 0])) / Math.fround(q.sy);
    const r = requant(acc[i], real, q.zy, lo, Math.max(lo, hi));
    if (r.nearTie) { ties++; assert.ok(Math.abs(out[i] - r.v) <= 1); continue; }
    assert.is(out[i], r.v, `${where} y[${i}]`);
  }
  return { total: acc.length, ties };
}

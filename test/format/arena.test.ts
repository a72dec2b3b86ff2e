import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { denseF64 } from "../ref/index.ts";

test("activations whose lifetimes do not overlap share memory, and results stay exact", async () => {
  const e = await engine();
  const rng = new Rng(5);
  const widths = [64, 512, 512, 512, 512, 10];
  const g = new GraphBuilder();
  let x = g.input("x", DType.F32, [widths[0]]);
  const weights: Float32Array[] = [];
  for (let l = 1; l < widths.length; l++) {
    const w = rng.f32(widths[l] * widths[l - 1], 1 / Math.sqrt(widths[l - 1]));
    weights.push(w);
    const W = g.constant(`W${l}`, DType.F32, [widths[l], widths[l - 1]], w);
    const y = g.act(`h${l}`, DType.F32, [widths[l]]);
    g.op(Op.Dense, [x, W], [y], [l < widths.length - 1 ? Activation.Relu : Activation.None]);
    x = y;
  }
  g.output(x);
  const m = e.load(g.encode());
  const batch = 50;
  const before = e.memoryStats().inUse;
  const xs = rng.f32(batch * widths[0]);
  const out = m.run({ x: xs }).h5.data;
  const arena = e.memoryStats().inUse - before;
  const sum = batch * 4 * widths.reduce((a, b) => a + b);
  const live = batch * 4 * (widths[0] + 2 * 512); // op 2 holds x, h1 and h2 at once
  assert.ok(arena < 0.6 * sum, `arena ${arena} vs ${sum} without reuse`);
  assert.ok(arena >= live, `arena ${arena} must hold the ${live} bytes live at once`);
  // f64 reference through the chain
  let h: ArrayLike<number> = xs;
  for (let l = 1; l < widths.length; l++) {
    const r = denseF64(h, weights[l - 1], null, batch, widths[l - 1], widths[l]);
    if (l < widths.length - 1) for (let i = 0; i < r.length; i++) r[i] = Math.max(0, r[i]);
    h = r;
  }
  for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - h[i]) < 1e-3 * (1 + Math.abs(h[i])), `y[${i}]`);
  m.dispose();
});

test.run();

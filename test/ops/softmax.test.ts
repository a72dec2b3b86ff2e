import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { expectLoadError } from "../helpers/load-error.ts";
import { Rng } from "../helpers/rng.ts";
import { softmaxRef } from "../ref/eltwise.ts";

test("Softmax over the last axis matches the f64 reference, large logits included, batch 3", async () => {
  const e = await engine();
  const rng = new Rng(41);
  for (const shape of [[1], [10], [4, 7], [2, 3, 1000], [5, 3]]) {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, shape);
    const y = g.act("y", DType.F32, shape);
    g.op(Op.Softmax, [x], [y]).output(y);
    const m = e.load(g.encode());
    const n = shape.reduce((a, b) => a * b, 1), batch = 3;
    const xs = rng.f32(n * batch, 5);
    if (n > 3) { xs[0] = 1000; xs[1] = 999; xs[2] = -1000; } // exp would overflow without the max shift
    const out = m.run({ x: xs }).y;
    assert.equal(out.shape, [batch, ...shape]);
    const last = shape[shape.length - 1];
    const ref = softmaxRef(xs, (n * batch) / last, last);
    for (let i = 0; i < ref.length; i++)
      assert.ok(Math.abs(out.data[i] - ref[i]) <= 1e-5 * ref[i] + 1e-37, `[${shape}] y[${i}] ${out.data[i]} vs ${ref[i]}`);
    m.dispose();
  }
});

test("Softmax refuses int8, shape changes and attributes", async () => {
  let g = new GraphBuilder();
  let x = g.input("x", DType.I8, [4], { scales: [0.1] });
  let y = g.act("y", DType.I8, [4], { scales: [0.1] });
  await expectLoadError(g.op(Op.Softmax, [x], [y]).output(y).encode(), ErrorCode.BadOp, "int8 softmax");
  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [2, 2]);
  await expectLoadError(g.op(Op.Softmax, [x], [y]).output(y).encode(), ErrorCode.BadShape, "shape change");
  g = new GraphBuilder();
  x = g.input("x", DType.F32, [4]);
  y = g.act("y", DType.F32, [4]);
  await expectLoadError(g.op(Op.Softmax, [x], [y], [1]).output(y).encode(), ErrorCode.BadOp, "axis attribute");
});

test.run();

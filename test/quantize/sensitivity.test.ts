import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadMnist } from "../../src/data/mnist.ts";
import { evaluate } from "../../src/eval/accuracy.ts";
import { calibrateFloat, prepareFloat, quantizeModel } from "../../src/quantize/quantizer.ts";
import { chooseKeepFloat, sensitivity } from "../../src/quantize/sensitivity.ts";
import { engine } from "../helpers/engine.ts";
import { lenet5Shaped } from "../fixtures/lenet.ts";

const calib = loadMnist("train", 64).x;
const val = loadMnist("test", 150);

test("sensitivity: each row is the accuracy of the model with only that layer int8", async () => {
  const e = await engine();
  const model = lenet5Shaped(3);
  const g = prepareFloat(model);
  const opts = { mode: "static" as const, method: "minmax" };
  const qp = calibrateFloat(e, g, calib, opts);
  const r = sensitivity(e, g, val, opts, qp);
  assert.equal(r.rows.map((x) => x.layer).sort(), ["conv1", "conv2", "fc1", "fc2", "fc3"]);
  for (let i = 1; i < r.rows.length; i++) assert.ok(r.rows[i - 1].dropPP >= r.rows[i].dropPP, "most sensitive first");
  const acc = (bytes: Uint8Array) => {
    const m = e.load(bytes);
    try {
      return evaluate(m, val).accuracy;
    } finally {
      m.dispose();
    }
  };
  assert.is(r.floatAccuracy, acc(model));
  const row = r.rows.find((x) => x.layer === "conv2")!;
  const only = quantizeModel(e, model, calib, { ...opts, keepFloat: ["conv1", "fc1", "fc2", "fc3"] });
  assert.is(row.accuracy, acc(only.bytes));
  assert.ok(Math.abs(row.dropPP - (r.floatAccuracy - row.accuracy) * 100) < 1e-9);
  assert.is(r.quantizedAccuracy, acc(quantizeModel(e, model, calib, opts).bytes));
  // budgets: a generous one keeps nothing in f32; an impossible one keeps all but one layer, most sensitive first
  assert.equal(chooseKeepFloat(e, g, val, opts, r, 100, qp), []);
  const all = chooseKeepFloat(e, g, val, opts, { ...r, quantizedAccuracy: 0 }, -100, qp);
  assert.equal(all, r.rows.slice(0, 4).map((x) => x.layer));
});

test.run();

// Trained models leave the trainer as float .edgeq containers: loading them back gives identical
// outputs, and edgeq.wasm's inference path agrees with the trainer's forward pass.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { split, take } from "../../src/data/dataset.ts";
import { loadDigits } from "../../src/data/sklearn.ts";
import { fromEdgeq, toEdgeq } from "../../src/train/export.ts";
import { type LayerSpec, Sequential } from "../../src/train/model.ts";
import { Adam } from "../../src/train/optim.ts";
import { fit, predict } from "../../src/train/trainer.ts";
import { MaskTransform } from "../../src/train/transforms.ts";
import { engine } from "../helpers/engine.ts";
import { backend } from "../helpers/train.ts";

const CNN: LayerSpec[] = [
  { type: "conv2d", filters: 6, kernel: 3, padding: "same" }, { type: "relu" }, { type: "maxpool", kernel: 2 },
  { type: "conv2d", filters: 8, kernel: 3, groups: 2, padding: [1, 0, 1, 0] }, { type: "relu6" }, { type: "avgpool", kernel: 2 },
  { type: "flatten" }, { type: "dense", units: 24 }, { type: "tanh" }, { type: "dropout", rate: 0.2 }, { type: "dense", units: 10 }, { type: "softmax" },
];

async function trained(specs: LayerSpec[]) {
  const be = await backend();
  const { train, test: held } = split(loadDigits(), 0.25);
  const m = new Sequential(be, train.shape, specs, 6);
  fit(m, train, { epochs: 2, batchSize: 32, optimizer: new Adam(m.params, { lr: 0.01 }), seed: 3 });
  return { be, m, held };
}

test("save → load gives bit-identical outputs and bytes", async () => {
  const { be, m, held } = await trained(CNN);
  const bytes = toEdgeq(m);
  const back = fromEdgeq(be, bytes);
  const a = predict(m, held), b = predict(back, held);
  assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), "outputs differ after reload");
  assert.equal(toEdgeq(back), bytes);
  m.dispose();
  back.dispose();
});

test("edgeq.wasm runs the exported model like the trainer (conv, pools, activations, dense)", async () => {
  const { m, held } = await trained(CNN);
  const model = (await engine()).load(toEdgeq(m));
  const d = take(held, 64);
  const out = model.run({ input: d.x }).logits.data;
  const ref = predict(m, d);
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])), `y[${i}] ${out[i]} vs ${ref[i]}`);
  model.dispose();
  m.dispose();
});

test("batch norm is folded into the preceding layer on export", async () => {
  const specs: LayerSpec[] = [
    { type: "conv2d", filters: 6, kernel: 3, padding: "same" }, { type: "batchnorm" }, { type: "relu" }, { type: "maxpool", kernel: 2 },
    { type: "flatten" }, { type: "dense", units: 16 }, { type: "batchnorm" }, { type: "relu" }, { type: "dense", units: 10 },
  ];
  const { be, m, held } = await trained(specs);
  const bytes = toEdgeq(m);
  const back = fromEdgeq(be, bytes);
  assert.is(back.layers.filter((l) => l.spec.type === "batchnorm").length, 0);
  const a = predict(m, held), b = predict(back, held);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * (1 + Math.abs(a[i])), `y[${i}] ${a[i]} vs ${b[i]}`);
  const model = (await engine()).load(bytes);
  const out = model.run({ input: held.x }).logits.data;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(out[i] - a[i]) <= 1e-4 * (1 + Math.abs(a[i])), `engine y[${i}] ${out[i]} vs ${a[i]}`);
  model.dispose();
  m.dispose();
  back.dispose();
});

test("export writes the weights the forward pass sees (mask applied)", async () => {
  const { be, m, held } = await trained([{ type: "flatten" }, { type: "dense", units: 32 }, { type: "relu" }, { type: "dense", units: 10 }]);
  const W = m.params[0];
  const mask = Float32Array.from({ length: W.value.size }, (_, i) => (i % 5 === 0 ? 0 : 1));
  W.transforms.push(new MaskTransform(mask));
  const back = fromEdgeq(be, toEdgeq(m));
  const w = back.params[0].value.data;
  for (let i = 0; i < mask.length; i += 5) assert.is(w[i], 0);
  const a = predict(m, held), b = predict(back, held);
  assert.ok(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), "masked model and its export disagree");
  m.dispose();
  back.dispose();
});

test.run();

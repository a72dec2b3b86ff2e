// End-to-end: a small network learns sklearn digits; runs are bit-reproducible; a weight
// transform (mask) changes the forward pass and the gradient as designed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { split } from "../../src/data/dataset.ts";
import { loadDigits } from "../../src/data/sklearn.ts";
import { Sequential, type LayerSpec } from "../../src/train/model.ts";
import { Adam, SGD } from "../../src/train/optim.ts";
import { cosine } from "../../src/train/schedule.ts";
import { accuracy, fit } from "../../src/train/trainer.ts";
import { MaskTransform, QuadraticPullTransform } from "../../src/train/transforms.ts";
import { backend } from "../helpers/train.ts";

const MLP: LayerSpec[] = [{ type: "flatten" }, { type: "dense", units: 64 }, { type: "relu" }, { type: "dense", units: 10 }];

test("an MLP learns sklearn digits to > 90 % held-out accuracy", async () => {
  const be = await backend();
  const { train, test: held } = split(loadDigits(), 0.25);
  const m = new Sequential(be, train.shape, MLP, 3);
  const opt = new Adam(m.params, { lr: 0.01 });
  fit(m, train, { epochs: 15, batchSize: 32, optimizer: opt, schedule: cosine(0.01, 15 * Math.ceil(train.n / 32)), seed: 5 });
  const acc = accuracy(m, held);
  assert.ok(acc > 0.9, `held-out accuracy ${acc}`);
  m.dispose();
});

test("a small CNN learns digits with SGD + Nesterov (conv, pool, batch norm, dropout)", async () => {
  const be = await backend();
  const { train, test: held } = split(loadDigits(), 0.25);
  const specs: LayerSpec[] = [
    { type: "conv2d", filters: 8, kernel: 3, padding: "same" }, { type: "batchnorm" }, { type: "relu" }, { type: "maxpool", kernel: 2 },
    { type: "flatten" }, { type: "dropout", rate: 0.1 }, { type: "dense", units: 10 },
  ];
  const m = new Sequential(be, train.shape, specs, 4);
  fit(m, train, { epochs: 8, batchSize: 32, optimizer: new SGD(m.params, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }), seed: 2 });
  const acc = accuracy(m, held);
  assert.ok(acc > 0.9, `held-out accuracy ${acc}`);
  m.dispose();
});

test("training is bit-reproducible from its seeds", async () => {
  const be = await backend();
  const { train } = split(loadDigits(), 0.25);
  const run = () => {
    const m = new Sequential(be, train.shape, MLP, 9);
    fit(m, train, { epochs: 2, batchSize: 50, optimizer: new Adam(m.params, { lr: 0.01 }), seed: 4 });
    const w = m.params.map((p) => p.value.toArray());
    m.dispose();
    return w;
  };
  const a = run(), b = run();
  a.forEach((w, i) => assert.ok(Buffer.from(w.buffer).equals(Buffer.from(b[i].buffer)), `param ${i} differs`));
});

test("a mask transform keeps pruned weights out of the forward pass and their gradient at zero", async () => {
  const be = await backend();
  const { train, test: held } = split(loadDigits(), 0.25);
  const m = new Sequential(be, train.shape, MLP, 3);
  const W = m.params[0];
  const mask = Float32Array.from({ length: W.value.size }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const before = W.value.toArray();
  W.transforms.push(new MaskTransform(mask));
  fit(m, train, { epochs: 6, batchSize: 32, optimizer: new Adam(m.params, { lr: 0.01 }), seed: 1 });
  const after = W.value.data;
  let moved = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) assert.is(after[i], before[i], `pruned weight ${i} changed`);
    else if (after[i] !== before[i]) moved++;
  }
  assert.ok(moved > mask.length / 8, "kept weights should train");
  assert.ok(accuracy(m, held) > 0.8, "a 2/3-pruned first layer still learns");
  m.dispose();
});

test("a quadratic-pull penalty drags weights to its target", async () => {
  const be = await backend();
  const { train } = split(loadDigits(), 0.25);
  const m = new Sequential(be, train.shape, MLP, 3);
  const W = m.params[2];
  const target = new Float32Array(W.value.size).fill(0.25);
  const dist = () => Math.hypot(...Array.from(W.value.data, (v, i) => v - target[i]));
  const d0 = dist();
  W.transforms.push(new QuadraticPullTransform(5, target));
  fit(m, train, { epochs: 2, batchSize: 32, optimizer: new SGD(m.params, { lr: 0.05 }), seed: 1 });
  assert.ok(dist() < d0 * 0.2, `distance ${d0} -> ${dist()}`);
  m.dispose();
});

test.run();

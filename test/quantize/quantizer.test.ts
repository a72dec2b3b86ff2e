import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { take, type Dataset } from "../../src/data/dataset.ts";
import { DataError } from "../../src/data/errors.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { evaluate } from "../../src/eval/accuracy.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { decode } from "../../src/format/reader.ts";
import { calibrateFloat, convert, prepareFloat, quantizeModel } from "../../src/quantize/quantizer.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";
import type { Engine, Model } from "../../src/runtime/engine.ts";
import { randomFeatureMlp } from "../fixtures/mlp.ts";
import { lenet5Shaped } from "../fixtures/lenet.ts";

const flat = (d: Dataset): Dataset => ({ ...d, shape: [784] });
let cached: { model: Uint8Array; separate: Uint8Array; calib: Float32Array; test: Dataset } | undefined;
function fixture() {
  if (!cached) {
    const train = flat(loadMnist("train", 2000));
    cached = {
      model: randomFeatureMlp(train),
      separate: randomFeatureMlp(take(train, 300), { separateRelu: true }),
      calib: train.x.subarray(0, 256 * 784),
      test: flat(loadMnist("test", 1000)),
    };
  }
  return cached;
}

/** Loads, uses and disposes a model: the shared engine holds at most 256 at once. */
function withModel<T>(e: Engine, bytes: Uint8Array, fn: (m: Model) => T): T {
  const m = e.load(bytes);
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}
const accuracyOf = (e: Engine, bytes: Uint8Array, data: Dataset) => withModel(e, bytes, (m) => evaluate(m, data).accuracy);
const logitsOf = (e: Engine, bytes: Uint8Array, x: Float32Array) => withModel(e, bytes, (m) => m.run({ image: x }).logits.data);

const tensor = (bytes: Uint8Array, name: string) => decode(bytes).tensors.find((t) => t.name === name)!;

test("dynamic: int8 weights with one scale per output channel, f32 bias, accuracy within 1 pp, ≤ 0.27× the bytes", async () => {
  const e = await engine();
  const { model, test: data } = fixture();
  const q = quantizeModel(e, model, undefined, { mode: "dynamic" });
  const w = tensor(q.bytes, "fc1.weight");
  assert.is(w.dtype, DType.I8);
  assert.is(w.scales!.length, 128);
  assert.is(tensor(q.bytes, "fc1.bias").dtype, DType.F32);
  assert.is(tensor(q.bytes, "hidden").dtype, DType.F32);
  assert.ok(q.bytes.length <= 0.27 * model.length, `${q.bytes.length} vs ${model.length}`);
  const f = accuracyOf(e, model, data), d = accuracyOf(e, q.bytes, data);
  assert.ok(Math.abs(f - d) <= 0.01, `float ${f} dynamic ${d}`);
});

test("static, every calibrator: MNIST accuracy within 1 pp of float", async () => {
  const e = await engine();
  const { model, calib, test: data } = fixture();
  const f = accuracyOf(e, model, data);
  for (const method of ["minmax", "moving-average", "percentile", "entropy", "mse"]) {
    const q = quantizeModel(e, model, calib, { mode: "static", method });
    const a = accuracyOf(e, q.bytes, data);
    assert.ok(Math.abs(f - a) <= 0.01, `${method}: float ${f} static ${a}`);
  }
});

test("dynamic: the int8 weights are the weights over their channel scale, rounded, within ±127", async () => {
  const e = await engine();
  const { model } = fixture();
  const q = quantizeModel(e, model, undefined, { mode: "dynamic" });
  const wf = tensor(model, "fc2.weight").data as Float32Array, wq = tensor(q.bytes, "fc2.weight");
  const K = 128;
  for (let n = 0; n < 10; n++) {
    const row = Array.from(wf.subarray(n * K, (n + 1) * K));
    const max = Math.max(...row.map(Math.abs));
    assert.ok(Math.abs(wq.scales![n] - max / 127) <= 1e-7 * max, `scale ${n}`);
    for (let k = 0; k < K; k++) assert.ok(Math.abs((wq.data as Int8Array)[n * K + k] - row[k] / wq.scales![n]) <= 0.5 + 1e-6);
  }
});

test("per-tensor weights: one scale for the whole tensor", async () => {
  const e = await engine();
  const q = quantizeModel(e, fixture().model, undefined, { mode: "dynamic", perChannel: false });
  assert.is(tensor(q.bytes, "fc1.weight").scales!.length, 1);
});

test("the same model, data and options give the same bytes", async () => {
  const e = await engine();
  const { model, calib } = fixture();
  const a = quantizeModel(e, model, undefined, { mode: "dynamic" }).bytes;
  const b = quantizeModel(e, model, undefined, { mode: "dynamic" }).bytes;
  assert.equal(a, b);
  for (const method of ["minmax", "entropy", "mse", "percentile", "moving-average"]) {
    const g = prepareFloat(model);
    const s1 = convert(g, { mode: "static" }, calibrateFloat(e, g, calib, { mode: "static", method }));
    const s2 = convert(g, { mode: "static" }, calibrateFloat(e, g, calib.slice(), { mode: "static", method }));
    assert.equal(JSON.stringify(s1, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v)), JSON.stringify(s2, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v)), method);
  }
});

test("static plan: Quantize at the input, int8 hidden layer with calibrated parameters, int32 bias in units of sx·sw, logits straight to f32", async () => {
  const e = await engine();
  const { model, calib } = fixture();
  const g = prepareFloat(model);
  const qp = calibrateFloat(e, g, calib, { mode: "static", method: "minmax" });
  // MNIST pixels span [0, 1]: asymmetric min-max gives scale 1/255 and zero point -128
  assert.equal(qp.get("image"), { scale: Math.fround(1 / 255), zeroPoint: -128 });
  const s = convert(g, { mode: "static" }, qp);
  assert.equal(s.ops.map((o) => o.op), [Op.Quantize, Op.Dense, Op.Dense]);
  const byName = (n: string) => s.tensors.find((t) => t.name === n)!;
  assert.is(byName("image").dtype, DType.F32);
  assert.is(byName("image.q").dtype, DType.I8);
  const h = byName("hidden");
  assert.is(h.dtype, DType.I8);
  assert.equal(h.scales, [qp.get("hidden")!.scale]);
  assert.is(h.zeroPoint, -128); // post-ReLU: the whole int8 range for [0, max]
  assert.is(s.ops[1].attrs![0], Activation.Relu);
  assert.is(byName("logits").dtype, DType.F32);
  assert.is(s.tensors[s.outputs[0]].name, "logits");
  const bf = tensor(model, "fc2.bias").data as Float32Array;
  const bq = byName("fc2.bias"), w2 = byName("fc2.weight");
  assert.is(bq.dtype, DType.I32);
  for (let n = 0; n < 10; n++) {
    const expect = bf[n] / (h.scales![0] * w2.scales![n]);
    assert.ok(Math.abs((bq.data as Int32Array)[n] - expect) <= 0.5 + 1e-6, `bias ${n}`);
  }
});

test("a standalone ReLU after a layer is fused into it", () => {
  const g = prepareFloat(fixture().separate);
  assert.equal(g.ops.map((o) => o.op), [Op.Dense, Op.Dense]);
  assert.is(g.ops[0].attrs![0], Activation.Relu);
  assert.is(g.tensors[g.ops[0].outputs[0]].name, "hidden");
});

test("keep-float: a named layer stays f32, the others are quantized", async () => {
  const e = await engine();
  const q = quantizeModel(e, fixture().model, undefined, { mode: "dynamic", keepFloat: ["fc2"] });
  assert.is(tensor(q.bytes, "fc1.weight").dtype, DType.I8);
  assert.is(tensor(q.bytes, "fc2.weight").dtype, DType.F32);
  assert.equal(q.layers.map((l) => [l.name, l.quantized]), [["fc1", true], ["fc2", false]]);
});

test("bad requests fail with errors that name the problem", async () => {
  const e = await engine();
  const { model, calib } = fixture();
  assert.throws(() => quantizeModel(e, model, undefined, { mode: "dynamic", keepFloat: ["conv9"] }), /no quantizable layer is called "conv9"; layers: fc1, fc2/);
  assert.throws(() => quantizeModel(e, model, undefined, { mode: "dynamic", keepFloat: ["fc1", "fc2"] }), /nothing to quantize/);
  assert.throws(() => quantizeModel(e, model, calib, { mode: "static", method: "kl" }), /unknown calibration method "kl"/);
  assert.throws(() => quantizeModel(e, model, undefined, { mode: "static" }), /needs calibration data/);
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [4]);
  const y = g.act("y", DType.F32, [4]);
  g.op(Op.Relu, [x], [y]).output(y);
  assert.throws(() => quantizeModel(e, g.encode(), calib, { mode: "dynamic" }), /no quantizable layers/);
});

test("bad calibration data: empty, wrong shape, NaN or Inf is a DataError naming the sample", async () => {
  const e = await engine();
  const { model, calib } = fixture();
  const run = (x: Float32Array) => () => quantizeModel(e, model, x, { mode: "static" });
  const expectData = (fn: () => unknown, re: RegExp) => {
    try {
      fn();
      assert.unreachable("should have thrown");
    } catch (err) {
      assert.instance(err, DataError);
      assert.instance(err, EdgeqError);
      assert.match((err as Error).message, re);
    }
  };
  expectData(run(new Float32Array(0)), /empty/);
  expectData(run(calib.subarray(0, 784 * 3 + 5)), /not a whole number of samples of shape \[784\]/);
  const nan = calib.slice(0, 784 * 4);
  nan[784 * 2 + 10] = NaN;
  expectData(run(nan), /sample 2 holds NaN at position 10/);
  const inf = calib.slice(0, 784 * 4);
  inf[5] = -Infinity;
  expectData(run(inf), /sample 0 holds -Infinity/);
  expectData(() => quantizeModel(e, model, { pixels: calib }, { mode: "static" }), /nothing given for model input "image"/);
});

function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>, C: number): number {
  let same = 0;
  const n = a.length / C;
  for (let i = 0; i < n; i++) {
    let x = 0, y = 0;
    for (let c = 1; c < C; c++) {
      if (a[i * C + c] > a[i * C + x]) x = c;
      if (b[i * C + c] > b[i * C + y]) y = c;
    }
    if (x === y) same++;
  }
  return same / n;
}

function relRms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0, ss = 0;
  for (let i = 0; i < a.length; i++) { se += (a[i] - b[i]) ** 2; ss += a[i] ** 2; }
  return Math.sqrt(se / ss);
}

test("static LeNet-5-shaped conv net: int8 conv, max pool and reshape chain; logits track float", async () => {
  const e = await engine();
  const model = lenet5Shaped();
  const calib = loadMnist("train", 128).x, data = loadMnist("test", 200).x;
  const q = quantizeModel(e, model, calib, { mode: "static", method: "percentile" });
  assert.equal(q.spec.ops.map((o) => o.op), [Op.Quantize, Op.Conv2d, Op.MaxPool, Op.Conv2d, Op.MaxPool, Op.Reshape, Op.Dense, Op.Dense, Op.Dense]);
  const t = (n: string) => q.spec.tensors.find((x) => x.name === n)!;
  assert.is(t("conv1.pool").dtype, DType.I8);
  assert.equal([t("conv1.pool").scales, t("conv1.pool").zeroPoint], [t("conv1.relu").scales, t("conv1.relu").zeroPoint]);
  assert.equal(t("flat").scales, t("conv2.relu").scales);
  assert.is(t("logits").dtype, DType.F32);
  assert.ok(q.bytes.length <= 0.27 * model.length, `${q.bytes.length} / ${model.length}`);
  const a = logitsOf(e, model, data), b = logitsOf(e, q.bytes, data);
  assert.ok(argmaxAgreement(a, b, 10) >= 0.95, `agreement ${argmaxAgreement(a, b, 10)}`);
  assert.ok(relRms(a, b) < 0.05, `relative rms ${relRms(a, b)}`);
});

test("mixed precision: a conv kept in f32 gets Dequantize before it and Quantize after it", async () => {
  const e = await engine();
  const model = lenet5Shaped();
  const q = quantizeModel(e, model, loadMnist("train", 64).x, { mode: "static", keepFloat: ["conv2"] });
  assert.equal(q.spec.ops.map((o) => o.op), [Op.Quantize, Op.Conv2d, Op.MaxPool, Op.Dequantize, Op.Conv2d, Op.MaxPool, Op.Reshape, Op.Quantize, Op.Dense, Op.Dense, Op.Dense]);
  assert.is(q.spec.tensors.find((t) => t.name === "conv2.weight")!.dtype, DType.F32);
  assert.equal(q.layers.map((l) => `${l.name}:${l.quantized}`), ["conv1:true", "conv2:false", "fc1:true", "fc2:true", "fc3:true"]);
  const data = loadMnist("test", 100).x;
  const a = logitsOf(e, model, data), b = logitsOf(e, q.bytes, data);
  assert.ok(relRms(a, b) < 0.05, `relative rms ${relRms(a, b)}`);
});

test("dynamic LeNet-5-shaped: conv and dense weights int8, activations f32", async () => {
  const e = await engine();
  const q = quantizeModel(e, lenet5Shaped(), undefined, { mode: "dynamic" });
  assert.ok(q.spec.tensors.every((t) => t.kind === 0 ? (t.name.endsWith(".weight") ? t.dtype === DType.I8 : t.dtype === DType.F32) : t.dtype === DType.F32));
  assert.not.ok(q.spec.ops.some((o) => o.op === Op.Quantize || o.op === Op.Dequantize));
});

test.run();

// The ONNX importer on handcrafted models: onnxruntime-web's outputs on the same inputs are the
// reference; structure checks pin the folding (BatchNorm, activations, biases, shape chains).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, Op } from "../../assembly/format/spec.ts";
import { encode } from "../../src/format/writer.ts";
import { importOnnx } from "../../src/import/onnx.ts";
import { floatTensor, model, node, valueInfo } from "../../src/onnx/build.ts";
import { OnnxType, tensorToProto } from "../../src/onnx/proto.ts";
import { EdgeqError, ErrorCode } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";
import { runOrt } from "../helpers/ort.ts";
import { Rng } from "../helpers/rng.ts";

const rng = new Rng(11);
const positive = (n: number) => Float32Array.from({ length: n }, () => 0.5 + rng.next());

/** Gemm -> BatchNorm -> Relu -> MatMul -> Add(bias) -> Sub(const) -> Mul(const), with an unused initializer. */
function mlp(): Uint8Array {
  const K = 13, H = 9, N = 4;
  return model({
    opset: 13,
    inputs: [valueInfo("x", ["N", K])],
    outputs: [valueInfo("y", ["N", N])],
    initializers: [
      floatTensor("W1", [H, K], rng.f32(H * K, 0.4)), floatTensor("b1", [H], rng.f32(H)),
      floatTensor("gamma", [H], positive(H)), floatTensor("beta", [H], rng.f32(H)), floatTensor("mean", [H], rng.f32(H)), floatTensor("var", [H], positive(H)),
      floatTensor("W2", [H, N], rng.f32(H * N, 0.4)), floatTensor("b2", [N], rng.f32(N)),
      floatTensor("shift", [1, N], rng.f32(N)), floatTensor("scale", [], [1.5]),
      floatTensor("unused", [3], [1, 2, 3]),
    ],
    nodes: [
      node("Gemm", ["x", "W1", "b1"], ["h"], { transB: 1 }),
      node("BatchNormalization", ["h", "gamma", "beta", "mean", "var"], ["bn"], { epsilon: { float: 1e-3 } }),
      node("Relu", ["bn"], ["r"]),
      node("MatMul", ["r", "W2"], ["m"]),
      node("Add", ["m", "b2"], ["a"]),
      node("Sub", ["a", "shift"], ["s"]),
      node("Mul", ["s", "scale"], ["y"]),
    ],
  });
}

test("an MLP with BatchNorm, Relu and bias/affine constants folds into two Dense ops and matches onnxruntime", async () => {
  const bytes = mlp();
  const r = importOnnx(bytes);
  assert.equal(r.spec.ops.map((o) => o.op), [Op.Dense, Op.Dense]);
  assert.is(r.spec.ops[0].attrs![0], Activation.Relu);
  assert.ok(!r.spec.tensors.some((t) => t.name === "unused"), "unused initializers are dropped");
  const m = (await engine()).load(encode(r.spec));
  const x = rng.f32(5 * 13);
  const got = m.run({ x }).y;
  m.dispose();
  const want = (await runOrt(bytes, { x: { data: x, dims: [5, 13] } })).y;
  assert.equal(got.shape, want.dims);
  for (let i = 0; i < want.data.length; i++) assert.ok(Math.abs(got.data[i] - want.data[i]) <= 1e-5 * Math.abs(want.data[i]) + 1e-5, `y[${i}] ${got.data[i]} vs ${want.data[i]}`);
});

test("Shape -> Gather -> Unsqueeze -> Concat -> Reshape folds to a static reshape keeping the batch", () => {
  const bytes = model({
    opset: 11,
    inputs: [valueInfo("x", ["N", 2, 3])],
    outputs: [valueInfo("y", ["N", 4])],
    initializers: [floatTensor("W", [4, 6], rng.f32(24)), tensorToProto("zero", OnnxType.INT64, [], [0]), tensorToProto("minus1", OnnxType.INT64, [1], [-1])],
    nodes: [
      node("Shape", ["x"], ["shape"]),
      node("Gather", ["shape", "zero"], ["batch"], { axis: 0 }),
      node("Unsqueeze", ["batch"], ["batch1"], { axes: [0] }),
      node("Concat", ["batch1", "minus1"], ["target"], { axis: 0 }),
      node("Reshape", ["x", "target"], ["flat"]),
      node("Gemm", ["flat", "W"], ["y"], { transB: 1 }),
    ],
  });
  const r = importOnnx(bytes);
  assert.equal(r.spec.ops.map((o) => o.op), [Op.Reshape, Op.Dense]);
  assert.equal(r.spec.tensors[r.spec.ops[0].outputs[0]].shape, [6]);
});

test("Conv -> BatchNorm -> Clip(0,6) becomes one Conv2d with ReLU6, weights in [Cout, KH, KW, Cin] and NHWC transposes at the edges", () => {
  const bytes = model({
    opset: 9,
    inputs: [valueInfo("img", ["N", 3, 8, 8])],
    outputs: [valueInfo("out", ["N", 4, 4, 4])],
    initializers: [
      floatTensor("w", [4, 3, 3, 3], rng.f32(108)),
      floatTensor("g", [4], positive(4)), floatTensor("b", [4], rng.f32(4)), floatTensor("mu", [4], rng.f32(4)), floatTensor("v", [4], positive(4)),
    ],
    nodes: [
      node("Pad", ["img"], ["padded"], { pads: [0, 0, 1, 1, 0, 0, 1, 1] }),
      node("Conv", ["padded", "w"], ["c"], { strides: [2, 2], kernel_shape: [3, 3] }),
      node("BatchNormalization", ["c", "g", "b", "mu", "v"], ["bn"]),
      node("Clip", ["bn"], ["out"], { min: { float: 0 }, max: { float: 6 } }),
    ],
  });
  const r = importOnnx(bytes);
  assert.equal(r.spec.ops.map((o) => o.op), [Op.Transpose, Op.Conv2d, Op.Transpose]);
  const conv = r.spec.ops[1];
  assert.equal(conv.attrs, [Activation.Relu6, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(r.spec.tensors[conv.inputs[1]!].shape, [4, 3, 3, 3]);
  assert.equal(r.spec.tensors[conv.outputs[0]].shape, [4, 4, 4]);
  const out = r.spec.tensors[r.spec.outputs[0]];
  assert.equal([out.name, out.shape], ["out", [4, 4, 4]]);
  assert.equal(r.inputs, [{ name: "img", shape: [3, 8, 8], layout: "nchw" }]);
  const nhwc = importOnnx(bytes, { inputLayout: "nhwc" });
  assert.equal(nhwc.spec.ops.map((o) => o.op), [Op.Conv2d, Op.Transpose]);
  assert.equal(nhwc.inputs, [{ name: "img", shape: [8, 8, 3], layout: "nhwc" }]);
});

/** A small CNN touching the layout-sensitive paths: Pad into Conv, depthwise, SE gate, ceil-mode pooling, Concat of channels, Flatten. */
function cnn(): Uint8Array {
  const C = 4;
  return model({
    opset: 13,
    inputs: [valueInfo("img", ["N", 3, 11, 9])],
    outputs: [valueInfo("prob", ["N", 5]), valueInfo("features", ["N", 2 * C, 3, 3])],
    initializers: [
      floatTensor("w1", [C, 3, 3, 3], rng.f32(C * 27, 0.3)), floatTensor("b1", [C], rng.f32(C)),
      floatTensor("dw", [C, 1, 3, 3], rng.f32(C * 9, 0.3)),
      floatTensor("g", [C], positive(C)), floatTensor("be", [C], rng.f32(C)), floatTensor("mu", [C], rng.f32(C)), floatTensor("v", [C], positive(C)),
      floatTensor("fc", [5, 2 * C * 9], rng.f32(5 * 2 * C * 9, 0.2)), floatTensor("fcb", [5], rng.f32(5)),
      tensorToProto("pads", OnnxType.INT64, [8], [0, 0, 1, 1, 0, 0, 1, 1]),
    ],
    nodes: [
      node("Pad", ["img", "pads"], ["padded"]),
      node("Conv", ["padded", "w1", "b1"], ["c1"]),
      node("Relu", ["c1"], ["r1"]),
      node("Conv", ["r1", "dw"], ["c2"], { group: C, pads: [1, 1, 1, 1], strides: [2, 2] }),
      node("BatchNormalization", ["c2", "g", "be", "mu", "v"], ["bn"]),
      node("GlobalAveragePool", ["bn"], ["gap"]),
      node("Sigmoid", ["gap"], ["gate"]),
      node("Mul", ["gate", "bn"], ["se"]), // squeeze-excitation, the broadcast operand first
      node("HardSigmoid", ["se"], ["hs"], { alpha: { float: 0.25 }, beta: { float: 0.4 } }),
      node("MaxPool", ["hs"], ["mp"], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }),
      node("AveragePool", ["r1"], ["ap"], { kernel_shape: [3, 3], strides: [4, 3], pads: [1, 0, 1, 0] }),
      node("Concat", ["mp", "ap"], ["features"], { axis: 1 }),
      node("Flatten", ["features"], ["flat"]),
      node("Gemm", ["flat", "fc", "fcb"], ["logits"], { transB: 1 }),
      node("Softmax", ["logits"], ["prob"]),
    ],
  });
}

test("a CNN (Pad into Conv, depthwise, BatchNorm, squeeze-excitation, ceil-mode MaxPool, AveragePool, Concat, Flatten) matches onnxruntime, NCHW and NHWC inputs", async () => {
  const bytes = cnn();
  const x = rng.f32(2 * 3 * 11 * 9);
  const want = await runOrt(bytes, { img: { data: x, dims: [2, 3, 11, 9] } });
  for (const layout of ["nchw", "nhwc"] as const) {
    const r = importOnnx(bytes, { inputLayout: layout });
    const m = (await engine()).load(encode(r.spec));
    const feed = layout === "nchw" ? x : Float32Array.from({ length: x.length }, (_, i) => {
      const c = i % 3, w = Math.floor(i / 3) % 9, h = Math.floor(i / 27) % 11, n = Math.floor(i / 297);
      return x[((n * 3 + c) * 11 + h) * 9 + w];
    });
    const got = m.run({ img: feed });
    m.dispose();
    for (const name of ["prob", "features"]) {
      assert.equal(got[name].shape, want[name].dims, `${layout} ${name} shape`);
      for (let i = 0; i < want[name].data.length; i++)
        assert.ok(Math.abs(got[name].data[i] - want[name].data[i]) <= 1e-5 * Math.abs(want[name].data[i]) + 1e-5, `${layout} ${name}[${i}] ${got[name].data[i]} vs ${want[name].data[i]}`);
    }
  }
});

test("a model with unsupported ops is refused whole, listing every unsupported type with its nodes", () => {
  const bytes = model({
    inputs: [valueInfo("x", ["N", 4])],
    outputs: [valueInfo("y", ["N", 4])],
    nodes: [
      node("LeakyRelu", ["x"], ["a"], {}, "leaky1"),
      node("Relu", ["a"], ["b"]),
      node("Erf", ["b"], ["c"], {}, "erf1"),
      node("LeakyRelu", ["c"], ["y"], {}, "leaky2"),
    ],
  });
  try {
    importOnnx(bytes);
    assert.unreachable("import should fail");
  } catch (e) {
    assert.instance(e, EdgeqError);
    assert.is((e as EdgeqError).code, ErrorCode.UnknownOp);
    const msg = (e as Error).message;
    assert.match(msg, "LeakyRelu (2): leaky1, leaky2");
    assert.match(msg, "Erf (1): erf1");
    assert.not.match(msg, /^\s+Relu \(/m);
  }
});

test("symbolic input dims need a per-sample shape; a wrong one is refused", () => {
  const bytes = model({
    inputs: [valueInfo("x", ["N", "K"])],
    outputs: [valueInfo("y", ["N", 2])],
    initializers: [floatTensor("W", [2, 3], rng.f32(6))],
    nodes: [node("Gemm", ["x", "W"], ["y"], { transB: 1 })],
  });
  assert.throws(() => importOnnx(bytes), /--input-shape x=\?/);
  assert.throws(() => importOnnx(bytes, { inputShapes: { x: [3, 1] } }), /does not fit/);
  const r = importOnnx(bytes, { inputShapes: { x: [3] } });
  assert.equal(r.spec.tensors[r.spec.inputs[0]].shape, [3]);
});

test.run();

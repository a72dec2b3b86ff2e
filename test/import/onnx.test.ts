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

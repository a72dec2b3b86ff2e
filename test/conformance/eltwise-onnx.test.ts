// ONNX backend conformance data for the element-wise, shape and quantization ops: each
// single-node test is rebuilt as an edgeq graph (batch 1, the ONNX shape as the per-sample
// shape) and its expected outputs, produced by the ONNX reference implementation, are compared.
// uint8 tensors are mapped to int8 by subtracting 128 from values and zero points.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { f32bits } from "../../src/format/writer.ts";
import { engine } from "../helpers/engine.ts";
import { OnnxType, type OnnxNodeTest, type OnnxTensor, readNodeTest } from "../helpers/onnx-testdata.ts";

const UNARY: Record<string, Op> = { Relu: Op.Relu, Sigmoid: Op.Sigmoid, Tanh: Op.Tanh, HardSwish: Op.HardSwish, HardSigmoid: Op.HardSigmoid, Clip: Op.Clip };

const TESTS = [
  "test_relu", "test_sigmoid", "test_sigmoid_example", "test_tanh", "test_tanh_example",
  "test_hardsigmoid", "test_hardsigmoid_default", "test_hardsigmoid_example", "test_hardswish",
  "test_clip", "test_clip_example", "test_clip_inbounds", "test_clip_outbounds", "test_clip_splitbounds",
  "test_clip_default_min", "test_clip_default_max", "test_clip_default_inbounds",
  "test_add", "test_add_bcast", "test_mul", "test_mul_bcast", "test_mul_example",
  "test_concat_1d_axis_0", "test_concat_1d_axis_negative_1", "test_concat_2d_axis_0", "test_concat_2d_axis_1",
  "test_concat_2d_axis_negative_1", "test_concat_2d_axis_negative_2", "test_concat_3d_axis_0", "test_concat_3d_axis_1",
  "test_concat_3d_axis_2", "test_concat_3d_axis_negative_1", "test_concat_3d_axis_negative_2", "test_concat_3d_axis_negative_3",
  "test_transpose_default", ...[0, 1, 2, 3, 4, 5].map((i) => `test_transpose_all_permutations_${i}`),
  "test_softmax_example", "test_softmax_large_number", "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
  "test_softmax_default_axis", "test_softmax_negative_axis",
  "test_reshape_extended_dims", "test_reshape_negative_dim", "test_reshape_negative_extended_dims", "test_reshape_one_dim",
  "test_reshape_reduced_dims", "test_reshape_reordered_all_dims", "test_reshape_reordered_last_dims",
  "test_reshape_zero_and_negative_dim", "test_reshape_zero_dim",
  "test_quantizelinear", "test_quantizelinear_axis", "test_dequantizelinear", "test_dequantizelinear_axis",
  "test_dynamicquantizelinear", "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted",
];

interface Built { bytes: Uint8Array; feeds: Record<string, Float32Array | Int8Array>; expect: { name: string; data: number[]; tol: number }[] }

const shapeOf = (t: OnnxTensor) => (t.dims.length ? t.dims : [1]);
const isU8 = (t: OnnxTensor | null) => t?.type === OnnxType.Uint8;
const toI8 = (t: OnnxTensor) => (isU8(t) ? t.data.map((v) => v - 128) : t.data);
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function build(t: OnnxNodeTest): Built | "unsupported" {
  const g = new GraphBuilder();
  const feeds: Built["feeds"] = {};
  const x0 = t.inputs[0]!;
  const out = t.outputs[0];
  const inputF32 = (name: string, v: OnnxTensor) => { feeds[name] = Float32Array.from(v.data); return g.input(name, DType.F32, shapeOf(v)); };
  if (t.opType in UNARY) {
    const x = inputF32("x", x0);
    const y = g.act("y", DType.F32, shapeOf(out));
    let attrs: number[] = [];
    if (t.opType === "Clip") {
      const lo = t.opset >= 11 ? t.inputs[1]?.data[0] ?? -Infinity : (t.attrs.min as number) ?? -Infinity;
      const hi = t.opset >= 11 ? t.inputs[2]?.data[0] ?? Infinity : (t.attrs.max as number) ?? Infinity;
      attrs = [f32bits(lo), f32bits(hi)];
    }
    if (t.opType === "HardSigmoid") attrs = [f32bits((t.attrs.alpha as number) ?? 0.2), f32bits((t.attrs.beta as number) ?? 0.5)];
    g.op(UNARY[t.opType], [x], [y], attrs).output(y);
    const transcendental = t.opType === "Sigmoid" || t.opType === "Tanh";
    return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: transcendental ? 1e-5 : 1e-6 }] };
  }
  switch (t.opType) {
    case "Add": case "Mul": {
      const a = inputF32("a", x0);
      const bt = t.inputs[1]!;
      const b = bt.dims.join() === x0.dims.join() ? inputF32("b", bt) : g.constant("b", DType.F32, bt.dims, Float32Array.from(bt.data));
      const y = g.act("y", DType.F32, shapeOf(out));
      g.op(t.opType === "Add" ? Op.Add : Op.Mul, [a, b], [y]).output(y);
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: 1e-6 }] };
    }
    case "Concat": {
      const ins = t.inputs.map((v, i) => inputF32(`x${i}`, v!));
      const y = g.act("y", DType.F32, shapeOf(out));
      g.op(Op.Concat, ins, [y], [norm(t.attrs.axis as number, x0.dims.length)]).output(y);
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: 0 }] };
    }
    case "Transpose": {
      const x = inputF32("x", x0);
      const perm = (t.attrs.perm as number[]) ?? x0.dims.map((_, i) => x0.dims.length - 1 - i);
      const y = g.act("y", DType.F32, shapeOf(out));
      g.op(Op.Transpose, [x], [y], perm).output(y);
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: 0 }] };
    }
    case "Softmax": {
      const rank = x0.dims.length;
      const axis = norm((t.attrs.axis as number) ?? (t.opset >= 13 ? -1 : 1), rank);
      // before opset 13 Softmax works on the input coerced to 2-D at `axis`
      const shape = t.opset >= 13 ? x0.dims : [x0.dims.slice(0, axis).reduce((p, d) => p * d, 1), x0.dims.slice(axis).reduce((p, d) => p * d, 1)];
      if (t.opset >= 13 && axis !== rank - 1) return "unsupported";
      feeds.x = Float32Array.from(x0.data);
      const x = g.input("x", DType.F32, shape);
      const y = g.act("y", DType.F32, shape);
      g.op(Op.Softmax, [x], [y]).output(y);
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: 1e-5 }] };
    }
    case "Reshape": {
      const x = inputF32("x", x0);
      const y = g.act("y", DType.F32, shapeOf(out));
      g.op(Op.Reshape, [x], [y]).output(y);
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: out.data, tol: 0 }] };
    }
    case "QuantizeLinear": case "DequantizeLinear": {
      const quantize = t.opType === "QuantizeLinear";
      const [, s, z] = t.inputs;
      const zps = z ? toI8(z) : s!.data.map(() => (quantize || isU8(x0) ? -128 : 0));
      const u8 = z ? isU8(z) : quantize || isU8(x0);
      const perTensor = s!.dims.length === 0;
      const qparams = perTensor ? { scales: [s!.data[0]], zeroPoint: zps[0] } : {};
      let x: number, y: number;
      if (quantize) {
        x = inputF32("x", x0);
        y = g.act("y", DType.I8, shapeOf(out), qparams);
      } else {
        feeds.x = Int8Array.from(toI8(x0));
        x = g.input("x", DType.I8, shapeOf(x0), qparams);
        y = g.act("y", DType.F32, shapeOf(out));
      }
      if (perTensor) g.op(quantize ? Op.Quantize : Op.Dequantize, [x], [y]);
      else {
        const S = g.constant("s", DType.F32, s!.dims, Float32Array.from(s!.data));
        const Z = g.constant("z", DType.I8, s!.dims, Int8Array.from(zps));
        g.op(quantize ? Op.Quantize : Op.Dequantize, [x, S, Z], [y], [norm((t.attrs.axis as number) ?? 1, x0.dims.length)]);
      }
      g.output(y);
      const want = quantize && u8 ? out.data.map((v) => v - 128) : out.data;
      return { bytes: g.encode(), feeds, expect: [{ name: "y", data: want, tol: 0 }] };
    }
    case "DynamicQuantizeLinear": {
      const x = inputF32("x", x0);
      const y = g.act("y", DType.I8, shapeOf(out));
      const s = g.act("s", DType.F32, [1]);
      const z = g.act("z", DType.I8, [1]);
      g.op(Op.DynamicQuantize, [x], [y, s, z]).output(y, s, z);
      const [oy, os, oz] = t.outputs;
      return {
        bytes: g.encode(), feeds,
        expect: [{ name: "y", data: toI8(oy), tol: 0 }, { name: "s", data: os.data, tol: 0 }, { name: "z", data: toI8(oz), tol: 0 }],
      };
    }
  }
  return "unsupported";
}

test("ONNX conformance data: element-wise, shape and quantization ops", async () => {
  const e = await engine();
  const unsupported: string[] = [];
  for (const name of TESTS) {
    const t = readNodeTest(name);
    const b = build(t);
    if (b === "unsupported") { unsupported.push(name); continue; }
    const m = e.load(b.bytes);
    const out = m.run(b.feeds);
    for (const exp of b.expect) {
      const got = out[exp.name].data;
      assert.is(got.length, exp.data.length, `${name} ${exp.name} length`);
      for (let i = 0; i < got.length; i++) {
        const ok = got[i] === exp.data[i] || Math.abs(got[i] - exp.data[i]) <= exp.tol * Math.abs(exp.data[i]) + (exp.tol ? 1e-30 : 0);
        if (!ok) assert.is(got[i], exp.data[i], `${name} ${exp.name}[${i}]`);
      }
    }
    m.dispose();
  }
  // axis-0/1 softmax over a non-last axis (opset 13) is not an edgeq op; everything else must run
  assert.equal(unsupported, ["test_softmax_axis_0", "test_softmax_axis_1"]);
});

test.run();

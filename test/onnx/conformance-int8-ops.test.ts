// ONNX conformance (libonnx-testdata) for QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// QLinearConv and ConvInteger as edgeq graphs. Each ONNX tensor is one sample (batch 1); uint8
// shifts to int8 exactly; NCHW images are transposed to NHWC on the way in and back on the way out.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { asInt8, nodeCase, permute, scalar, zeroPointInt8 } from "./node-data.ts";

async function run(g: GraphBuilder, feeds: Record<string, Float32Array | Int8Array>) {
  const m = (await engine()).load(g.encode());
  try {
    return m.run(feeds);
  } finally {
    m.dispose();
  }
}

const nchwToNhwc = <T extends Int8Array | Float32Array>(a: T, dims: number[]): T =>
  permute(a, dims.slice(1), [1, 2, 0], (n) => new (a.constructor as new (n: number) => T)(n) as T & { [i: number]: number });
const nhwcToNchw = (a: ArrayLike<number>, chw: number[]): number[] =>
  Array.from(permute(Float64Array.from(a), [chw[1], chw[2], chw[0]], [2, 0, 1], (n) => new Float64Array(n)));

test("test_quantizelinear: per-tensor scale and zero point, round half to even, saturation", async () => {
  const c = nodeCase("test_quantizelinear");
  const x = c.inputs.x;
  const g = new GraphBuilder();
  const xi = g.input("x", DType.F32, x.dims);
  const y = g.act("y", DType.I8, x.dims, { scales: [scalar(c.inputs.y_scale)], zeroPoint: zeroPointInt8(c.inputs.y_zero_point) });
  g.op(Op.Quantize, [xi], [y]).output(y);
  const out = await run(g, { x: Float32Array.from(x.data) });
  assert.equal(Array.from(out.y.data), Array.from(asInt8(c.outputs[0])));
});

test("test_quantizelinear_axis: per-channel scale and zero point inputs on axis 1", async () => {
  const c = nodeCase("test_quantizelinear_axis");
  const x = c.inputs.x;
  const g = new GraphBuilder();
  const xi = g.input("x", DType.F32, x.dims);
  const s = g.constant("scale", DType.F32, c.inputs.y_scale.dims, Float32Array.from(c.inputs.y_scale.data));
  const z = g.constant("zero_point", DType.I8, c.inputs.y_zero_point.dims, asInt8(c.inputs.y_zero_point));
  const y = g.act("y", DType.I8, x.dims);
  g.op(Op.Quantize, [xi, s, z], [y], [1]).output(y);
  const out = await run(g, { x: Float32Array.from(x.data) });
  assert.equal(Array.from(out.y.data), Array.from(asInt8(c.outputs[0])));
});

test("test_dequantizelinear: per-tensor", async () => {
  const c = nodeCase("test_dequantizelinear");
  const x = c.inputs.x;
  const g = new GraphBuilder();
  const xi = g.input("x", DType.I8, x.dims, { scales: [scalar(c.inputs.x_scale)], zeroPoint: zeroPointInt8(c.inputs.x_zero_point) });
  const y = g.act("y", DType.F32, x.dims);
  g.op(Op.Dequantize, [xi], [y]).output(y);
  const out = await run(g, { x: asInt8(x) });
  assert.equal(Array.from(out.y.data), Array.from(c.outputs[0].data));
});

test("test_dequantizelinear_axis: per-channel inputs on axis 1", async () => {
  const c = nodeCase("test_dequantizelinear_axis");
  const x = c.inputs.x;
  const g = new GraphBuilder();
  const xi = g.input("x", DType.I8, x.dims);
  const s = g.constant("scale", DType.F32, c.inputs.x_scale.dims, Float32Array.from(c.inputs.x_scale.data));
  const z = g.constant("zero_point", DType.I8, c.inputs.x_zero_point.dims, asInt8(c.inputs.x_zero_point));
  const y = g.act("y", DType.F32, x.dims);
  g.op(Op.Dequantize, [xi, s, z], [y], [1]).output(y);
  const out = await run(g, { x: asInt8(x) });
  assert.equal(Array.from(out.y.data), Array.from(c.outputs[0].data));
});

for (const name of ["test_dynamicquantizelinear", "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted"])
  test(`${name}: y, scale and zero point exact`, async () => {
    const c = nodeCase(name);
    const x = c.inputs.x;
    const g = new GraphBuilder();
    const xi = g.input("x", DType.F32, x.dims);
    const y = g.act("y", DType.I8, x.dims), s = g.act("y_scale", DType.F32, [1]), z = g.act("y_zero_point", DType.I8, [1]);
    g.op(Op.DynamicQuantize, [xi], [y, s, z]).output(y, s, z);
    const out = await run(g, { x: Float32Array.from(x.data) });
    assert.equal(Array.from(out.y.data), Array.from(asInt8(c.outputs[0])));
    assert.is(out.y_scale.data[0], c.outputs[1].data[0]);
    assert.is(out.y_zero_point.data[0], zeroPointInt8(c.outputs[2]));
  });

test("test_qlinearconv: requantized int8 convolution, NHWC", async () => {
  const c = nodeCase("test_qlinearconv");
  const { x, w } = c.inputs;
  const [, C, H, W] = x.dims, [Cout, Cg, KH, KW] = w.dims;
  const g = new GraphBuilder();
  const xi = g.input("x", DType.I8, [H, W, C], { scales: [scalar(c.inputs.x_scale)], zeroPoint: zeroPointInt8(c.inputs.x_zero_point) });
  const wq = Int8Array.from(permute(asInt8(w), w.dims, [0, 2, 3, 1], (n) => new Int8Array(n)));
  const wi = g.constant("w", DType.I8, [Cout, KH, KW, Cg], wq, { scales: Array.from(c.inputs.w_scale.data), zeroPoint: zeroPointInt8(c.inputs.w_zero_point) });
  const OH = H - KH + 1, OW = W - KW + 1;
  const y = g.act("y", DType.I8, [OH, OW, Cout], { scales: [scalar(c.inputs.y_scale)], zeroPoint: zeroPointInt8(c.inputs.y_zero_point) });
  g.op(Op.Conv2d, [xi, wi], [y], [Activation.None, 1, 1, 0, 0, 0, 0, 1, 1, 1]).output(y);
  const out = await run(g, { x: nchwToNhwc(asInt8(x), x.dims) });
  assert.equal(nhwcToNchw(out.y.data, [Cout, OH, OW]), Array.from(asInt8(c.outputs[0])));
});

for (const [name, pad] of [["test_basic_convinteger", 0], ["test_convinteger_without_padding", 0], ["test_convinteger_with_padding", 1]] as const)
  test(`${name}: int32 accumulators, input zero point${pad ? ", padding reads as the zero point" : ""}`, async () => {
    const c = nodeCase(name);
    const { x, w } = c.inputs;
    const [, C, H, W] = x.dims, [Cout, Cg, KH, KW] = w.dims;
    const g = new GraphBuilder();
    const xi = g.input("x", DType.I8, [H, W, C], { zeroPoint: zeroPointInt8(c.inputs.x_zero_point) });
    const wq = Int8Array.from(permute(asInt8(w), w.dims, [0, 2, 3, 1], (n) => new Int8Array(n)));
    // no w_zero_point input: ONNX's default uint8 zero point 0 is int8 -128
    const wi = g.constant("w", DType.I8, [Cout, KH, KW, Cg], wq, { zeroPoint: c.inputs.w_zero_point ? zeroPointInt8(c.inputs.w_zero_point) : -128 });
    const OH = H + 2 * pad - KH + 1, OW = W + 2 * pad - KW + 1;
    const y = g.act("y", DType.I32, [OH, OW, Cout]);
    g.op(Op.Conv2d, [xi, wi], [y], [Activation.None, 1, 1, pad, pad, pad, pad, 1, 1, 1]).output(y);
    const out = await run(g, { x: nchwToNhwc(asInt8(x), x.dims) });
    assert.equal(nhwcToNchw(out.y.data, [Cout, OH, OW]), Array.from(c.outputs[0].data));
  });

test.run();

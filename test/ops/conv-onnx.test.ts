// Conv/pooling against the ONNX conformance suite (Debian libonnx-testdata): the inputs and
// expected outputs come from the ONNX project. NCHW data is transposed to edgeq's NHWC; uint8
// tensors are shifted to int8 (x - 128 and every zero point - 128 leave x - zx and the
// requantized output unchanged).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import onnxProto from "onnx-proto";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";

const { onnx } = onnxProto as unknown as { onnx: any };
const ROOT = "/usr/share/libonnx-testdata/data/node/";

interface T { type: number; dims: number[]; data: number[] }

function readTensor(path: string): T {
  const t = onnx.TensorProto.decode(readFileSync(path));
  const dims = t.dims.map(Number);
  const n = dims.reduce((a: number, b: number) => a * b, 1);
  let data: number[];
  if (t.rawData?.length) {
    const raw = new Uint8Array(t.rawData).slice().buffer;
    data = Array.from(t.dataType === 1 ? new Float32Array(raw) : t.dataType === 2 ? new Uint8Array(raw) : t.dataType === 3 ? new Int8Array(raw) : new Int32Array(raw));
  } else if (t.dataType === 1) data = Array.from(t.floatData as number[]);
  else data = Array.from(t.int32Data as number[]);
  assert.is(data.length, n, path);
  return { type: t.dataType, dims, data };
}

function load(name: string) {
  const dir = ROOT + name;
  const model = onnx.ModelProto.decode(readFileSync(dir + "/model.onnx"));
  const node = model.graph.node[0];
  const attrs: Record<string, number[] | number | string> = {};
  for (const a of node.attribute) attrs[a.name] = a.ints?.length ? a.ints.map(Number) : a.s?.length ? Buffer.from(a.s).toString() : Number(a.i);
  const files = readdirSync(dir + "/test_data_set_0").sort((a, b) => parseInt(a.replace(/\D/g, "")) - parseInt(b.replace(/\D/g, "")));
  const inputs = files.filter((f) => f.startsWith("input")).map((f) => readTensor(`${dir}/test_data_set_0/${f}`));
  const output = readTensor(`${dir}/test_data_set_0/${files.find((f) => f.startsWith("output"))}`);
  return { op: node.opType as string, attrs, inputs, output };
}

/** [N, C, H, W] -> [N, H, W, C] (or back with toNchw). */
function toNhwc(d: number[], [N, C, H, W]: number[]): number[] {
  const out = new Array(d.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[((n * H + h) * W + w) * C + c] = d[((n * C + c) * H + h) * W + w];
  return out;
}
function toNchw(d: ArrayLike<number>, [N, C, H, W]: number[]): number[] {
  const out = new Array(d.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[((n * C + c) * H + h) * W + w] = d[((n * H + h) * W + w) * C + c];
  return out;
}

/** Explicit pads [top, left, bottom, right] from pads or auto_pad SAME_UPPER / SAME_LOWER. */
function padsOf(attrs: Record<string, any>, H: number, W: number, k: number[], s: number[], d: number[]): number[] {
  const mode = attrs.auto_pad ?? "NOTSET";
  if (mode === "NOTSET" || mode === "VALID") return attrs.pads ?? [0, 0, 0, 0];
  const total = [H, W].map((size, i) => Math.max(0, (Math.ceil(size / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size));
  const small = total.map((t) => Math.floor(t / 2)), big = total.map((t, i) => t - small[i]);
  return mode === "SAME_UPPER" ? [small[0], small[1], big[0], big[1]] : [big[0], big[1], small[0], small[1]];
}

const u8 = (t: T, v: number) => (t.type === 2 ? v - 128 : v);
const i8data = (t: T) => Int8Array.from(t.data, (v) => u8(t, v));

const CONV = ["test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_autopad_same", "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding", "test_conv_with_strides_padding", "test_basic_convinteger", "test_convinteger_with_padding", "test_convinteger_without_padding", "test_qlinearconv"];
const POOL = ["test_averagepool_2d_default", "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad", "test_averagepool_2d_precomputed_pads", "test_averagepool_2d_precomputed_pads_count_include_pad", "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides", "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper", "test_averagepool_2d_strides", "test_globalaveragepool", "test_globalaveragepool_precomputed", "test_maxpool_2d_default", "test_maxpool_2d_pads", "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper", "test_maxpool_2d_strides", "test_maxpool_2d_uint8"];

const available = existsSync(ROOT + CONV[0]);

test("ONNX conformance: Conv, ConvInteger and QLinearConv node tests", async () => {
  assert.ok(available, `ONNX test data missing under ${ROOT} (Debian package libonnx-testdata)`);
  const e = await engine();
  for (const name of CONV) {
    const { op, attrs, inputs, output } = load(name);
    const X = inputs[0], Wt = op === "QLinearConv" ? inputs[3] : inputs[1];
    const [N, Cin, H, W] = X.dims;
    const [Cout, Cg, KH, KW] = Wt.dims;
    const s = (attrs.strides as number[]) ?? [1, 1], d = (attrs.dilations as number[]) ?? [1, 1], group = (attrs.group as number) || 1;
    const pads = padsOf(attrs, H, W, [KH, KW], s, d);
    const [, , OH, OW] = output.dims;
    const wNhwc = toNhwc(Wt.data, Wt.dims); // [Cout, KH, KW, Cg]
    const b = new GraphBuilder();
    let x: number, Wc: number, y: number, feed: Float32Array | Int8Array;
    if (op === "Conv") {
      x = b.input("x", DType.F32, [H, W, Cin]);
      Wc = b.constant("W", DType.F32, [Cout, KH, KW, Cg], Float32Array.from(wNhwc));
      y = b.act("y", DType.F32, [OH, OW, Cout]);
      feed = Float32Array.from(toNhwc(X.data, X.dims));
    } else if (op === "ConvInteger") {
      // zero points default to 0 in the tensor's own type
      const zx = u8(X, inputs[2]?.data[0] ?? 0), zw = u8(Wt, inputs[3]?.data[0] ?? 0);
      x = b.input("x", DType.I8, [H, W, Cin], { zeroPoint: zx });
      Wc = b.constant("W", DType.I8, [Cout, KH, KW, Cg], Int8Array.from(wNhwc, (v) => u8(Wt, v)), { zeroPoint: zw });
      y = b.act("y", DType.I32, [OH, OW, Cout]);
      feed = Int8Array.from(toNhwc(X.data, X.dims), (v) => u8(X, v));
    } else {
      const [, sx, zx, , sw, zw, sy, zy] = inputs;
      x = b.input("x", DType.I8, [H, W, Cin], { scales: sx.data, zeroPoint: u8(zx, zx.data[0]) });
      Wc = b.constant("W", DType.I8, [Cout, KH, KW, Cg], Int8Array.from(wNhwc, (v) => u8(Wt, v)), { scales: sw.data, zeroPoint: u8(zw, zw.data[0]) });
      y = b.act("y", DType.I8, [OH, OW, Cout], { scales: sy.data, zeroPoint: u8(zy, zy.data[0]) });
      feed = Int8Array.from(toNhwc(X.data, X.dims), (v) => u8(X, v));
    }
    b.op(Op.Conv2d, [x, Wc], [y], [0, s[0], s[1], ...pads, d[0], d[1], group]).output(y);
    const m = (() => {
      try { return e.load(b.encode()); } catch (err) { throw new Error(`${name}: ${(err as Error).message}`); }
    })();
    const got = toNchw(m.run({ x: feed }).y.data, [N, Cout, OH, OW]).map((v) => (output.type === 2 ? v + 128 : v));
    if (op === "Conv") got.forEach((v, i) => assert.ok(Math.abs(v - output.data[i]) <= 1e-5 * (1 + Math.abs(output.data[i])), `${name} y[${i}] ${v} vs ${output.data[i]}`));
    else assert.equal(got, output.data, name);
    m.dispose();
  }
});

test("ONNX conformance: MaxPool, AveragePool and GlobalAveragePool node tests (2-D, floor mode)", async () => {
  assert.ok(available, `ONNX test data missing under ${ROOT}`);
  const e = await engine();
  for (const name of POOL) {
    const { op, attrs, inputs, output } = load(name);
    const [X] = inputs;
    const [N, C, H, W] = X.dims;
    const [, , OH, OW] = output.dims;
    const k = (attrs.kernel_shape as number[]) ?? [H, W], s = (attrs.strides as number[]) ?? [1, 1];
    const pads = padsOf(attrs, H, W, k, s, [1, 1]);
    const code = op === "MaxPool" ? Op.MaxPool : op === "AveragePool" ? Op.AvgPool : Op.GlobalAvgPool;
    const dtype = X.type === 2 ? DType.I8 : DType.F32;
    const b = new GraphBuilder();
    const x = b.input("x", dtype, [H, W, C]);
    const y = b.act("y", dtype, [OH, OW, C]);
    const a = code === Op.GlobalAvgPool ? [] : [...k, ...s, ...pads, ...(code === Op.AvgPool ? [(attrs.count_include_pad as number) || 0] : [])];
    b.op(code, [x], [y], a).output(y);
    const m = e.load(b.encode());
    const feed = dtype === DType.I8 ? i8data({ ...X, data: toNhwc(X.data, X.dims) }) : Float32Array.from(toNhwc(X.data, X.dims));
    const got = toNchw(m.run({ x: feed }).y.data, [N, C, OH, OW]).map((v) => (output.type === 2 ? v + 128 : v));
    got.forEach((v, i) => assert.ok(Math.abs(v - output.data[i]) <= 1e-5 * (1 + Math.abs(output.data[i])), `${name} y[${i}] ${v} vs ${output.data[i]}`));
    m.dispose();
  }
});

test.run();

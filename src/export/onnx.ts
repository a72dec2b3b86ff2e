// edgeq -> ONNX (opset 17) so a model can be checked in a tool users already trust.
//
// - Float tensors map one to one; every ONNX value keeps edgeq's layout (images NHWC with the
//   batch first), so Conv and pooling are wrapped in Transposes to and from NCHW.
// - int8 models become QDQ: int8 weights are int8 initializers behind DequantizeLinear; every int8
//   activation is QuantizeLinear -> DequantizeLinear of the float result with its scale and zero
//   point, so onnxruntime sees exactly edgeq's quantization grid (its float rounding of the
//   requantization may differ from edgeq's fixed point by one step at ties).
// - Compressed weights (CSR, 2:4, codebook) are exported decoded.
import { Activation, DType, Kind, Op } from "../../assembly/format/spec.ts";
import { denseWeights } from "../format/dense-weights.ts";
import type { GraphSpec, TensorSpec } from "../format/writer.ts";
import { model, node, valueInfo, type Attr } from "../onnx/build.ts";
import { OnnxType, tensorToProto, type NodeProto, type TensorProto } from "../onnx/proto.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

const TO_NCHW = [0, 3, 1, 2], TO_NHWC = [0, 2, 3, 1];
const f32 = new Float32Array(1), i32 = new Int32Array(f32.buffer);
const fromBits = (b: number) => ((i32[0] = b), f32[0]);

function permute(data: ArrayLike<number>, dims: number[], perm: number[]): number[] {
  const st = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: number[] = [];
  const od = perm.map((p) => dims[p]);
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < data.length; o++) {
    let s = 0;
    for (let i = 0; i < perm.length; i++) s += idx[i] * st[perm[i]];
    out.push(data[s]);
    for (let i = od.length - 1; i >= 0; i--) { if (++idx[i] < od[i]) break; idx[i] = 0; }
  }
  return out;
}

class Exporter {
  readonly nodes: NodeProto[] = [];
  readonly inits: TensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly floatName = new Map<number, string>();

  constructor(readonly g: GraphSpec) {
    for (const t of g.tensors) this.names.add(t.name);
  }

  fresh(base: string): string {
    let n = base, i = 1;
    while (this.names.has(n)) n = `${base}_${i++}`;
    this.names.add(n);
    return n;
  }

  t(id: number): TensorSpec {
    return this.g.tensors[id];
  }

  add(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): void {
    this.nodes.push(node(op, inputs, outputs, attrs, this.fresh(`${op}_${outputs[0]}`)));
  }

  init(base: string, type: number, dims: number[], data: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.inits.push(tensorToProto(name, type, dims, data));
    return name;
  }

  isQuantAct(t: TensorSpec): boolean {
    if (t.dtype === DType.F32) return false;
    if (t.dtype === DType.I8 && t.scales?.length === 1) return true;
    throw new EdgeqError(ErrorCode.BadOp, `tensor "${t.name}": ${t.dtype === DType.I32 ? "int32" : "unscaled int8"} activations have no ONNX QDQ form`);
  }

  /** Scale and zero-point initializers of a per-tensor quantized tensor. */
  qparams(t: TensorSpec): [string, string] {
    return [this.init(`${t.name}_scale`, OnnxType.FLOAT, [], [t.scales![0]]), this.init(`${t.name}_zero_point`, OnnxType.INT8, [], [t.zeroPoint ?? 0])];
  }

  /** The float ONNX value carrying activation `id` (dequantized for int8). */
  float(id: number): string {
    const known = this.floatName.get(id);
    if (known) return known;
    const t = this.t(id);
    if (!this.isQuantAct(t)) { this.floatName.set(id, t.name); return t.name; }
    const out = this.fresh(`${t.name}_dequantized`);
    this.add("DequantizeLinear", [t.name, ...this.qparams(t)], [out]);
    this.floatName.set(id, out);
    return out;
  }

  /** Where an op writes its float result for activation `id`; int8 results are then quantized. */
  result(id: number): string {
    const t = this.t(id);
    if (!this.isQuantAct(t)) return t.name;
    const f = this.fresh(`${t.name}_float`);
    this.pending.push(() => this.add("QuantizeLinear", [f, ...this.qparams(t)], [t.name]));
    return f;
  }
  private pending: (() => void)[] = [];
  flush(): void {
    for (const p of this.pending) p();
    this.pending = [];
  }

  /** Float weights in ONNX layout `perm` of edgeq's; int8 weights via DequantizeLinear on `axis`. */
  weight(id: number, perm: number[], axisAfterPerm: number): string {
    const t = this.t(id);
    const dims = perm.map((p) => t.shape[p]);
    const values = permute(denseWeights(t), t.shape, perm);
    if (t.dtype === DType.F32) return this.init(t.name, OnnxType.FLOAT, dims, values);
    if (t.dtype !== DType.I8 || !t.scales?.length) throw new EdgeqError(ErrorCode.BadOp, `weights "${t.name}" need f32 or scaled int8 to export`);
    const q = this.init(t.name, OnnxType.INT8, dims, values);
    const perChannel = t.scales.length > 1;
    const s = this.init(`${t.name}_scale`, OnnxType.FLOAT, perChannel ? [t.scales.length] : [], Array.from(t.scales));
    const z = this.init(`${t.name}_zero_point`, OnnxType.INT8, perChannel ? [t.scales.length] : [], new Array(t.scales.length).fill(t.zeroPoint ?? 0));
    const out = this.fresh(`${t.name}_dequantized`);
    this.add("DequantizeLinear", [q, s, z], [out], perChannel ? { axis: axisAfterPerm } : {});
    return out;
  }

  /** Bias as float: f32 as is; int32 (int8 path) times sx * sw[n] like the ONNX QLinear ops. */
  bias(id: number | null | undefined, x: TensorSpec, w: TensorSpec): string | null {
    if (id === null || id === undefined) return null;
    const b = this.t(id);
    const v = denseWeights(b);
    if (b.dtype === DType.F32) return this.init(b.name, OnnxType.FLOAT, [v.length], v);
    const sw = w.scales!, sx = x.scales?.[0] ?? 1;
    return this.init(b.name, OnnxType.FLOAT, [v.length], Array.from(v, (q, n) => q * Math.fround(sx * sw[sw.length > 1 ? n : 0])));
  }

  activation(act: number, src: string, dst: string): void {
    if (act === Activation.None) this.add("Identity", [src], [dst]);
    else if (act === Activation.Relu) this.add("Relu", [src], [dst]);
    else if (act === Activation.Relu6) this.add("Clip", [src, this.init("zero", OnnxType.FLOAT, [], [0]), this.init("six", OnnxType.FLOAT, [], [6])], [dst]);
    else throw new EdgeqError(ErrorCode.BadOp, `unknown fused activation ${act}`);
  }
}

function exportOp(E: Exporter, i: number): void {
  const op = E.g.ops[i];
  const a = Array.from({ length: 10 }, (_, j) => op.attrs?.[j] ?? 0); // decode() drops trailing zeros
  const ins = op.inputs;
  const y = op.outputs[0];
  const x = ins[0]!;
  const out = () => E.result(y);
  const tmp = (s: string) => E.fresh(`${E.t(y).name}_${s}`);
  const nchw = (name: string) => { const n = tmp("nchw_in"); E.add("Transpose", [name], [n], { perm: TO_NCHW }); return n; };
  const nhwc = (name: string, dst: string) => E.add("Transpose", [name], [dst], { perm: TO_NHWC });
  switch (op.op) {
    case Op.Dense: {
      const w = E.t(ins[1]!), xt = E.t(x);
      if (E.t(y).dtype === DType.I32) throw new EdgeqError(ErrorCode.BadOp, "int32-output Dense (MatMulInteger) has no QDQ export");
      const W = E.weight(ins[1]!, [1, 0], 1);
      const mm = tmp("matmul");
      E.add("MatMul", [E.float(x), W], [mm]);
      const b = E.bias(ins[2], xt, w);
      let pre = mm;
      if (b) { pre = tmp("biased"); E.add("Add", [mm, b], [pre]); }
      E.activation(a[0] ?? 0, pre, out());
      return;
    }
    case Op.Conv2d: {
      const w = E.t(ins[1]!);
      const W = E.weight(ins[1]!, [0, 3, 1, 2], 0);
      const b = E.bias(ins[2], E.t(x), w);
      const c = tmp("conv");
      E.add("Conv", [nchw(E.float(x)), W, ...(b ? [b] : [])], [c], {
        kernel_shape: [w.shape[1], w.shape[2]], strides: [a[1], a[2]], pads: [a[3], a[4], a[5], a[6]], dilations: [a[7], a[8]], group: a[9],
      });
      const act = tmp("act");
      E.activation(a[0] ?? 0, c, act);
      nhwc(act, out());
      return;
    }
    case Op.MaxPool: case Op.AvgPool: {
      const p = tmp("pool");
      const attrs: Record<string, Attr> = { kernel_shape: [a[0], a[1]], strides: [a[2], a[3]], pads: [a[4], a[5], a[6], a[7]] };
      if (op.op === Op.AvgPool) attrs.count_include_pad = a[8] ?? 0;
      E.add(op.op === Op.MaxPool ? "MaxPool" : "AveragePool", [nchw(E.float(x))], [p], attrs);
      nhwc(p, out());
      return;
    }
    case Op.GlobalAvgPool: {
      const p = tmp("pool");
      E.add("GlobalAveragePool", [nchw(E.float(x))], [p]);
      nhwc(p, out());
      return;
    }
    case Op.Relu: E.add("Relu", [E.float(x)], [out()]); return;
    case Op.Sigmoid: E.add("Sigmoid", [E.float(x)], [out()]); return;
    case Op.Tanh: E.add("Tanh", [E.float(x)], [out()]); return;
    case Op.HardSwish: E.add("HardSwish", [E.float(x)], [out()]); return;
    case Op.HardSigmoid: E.add("HardSigmoid", [E.float(x)], [out()], { alpha: { float: fromBits(a[0]) }, beta: { float: fromBits(a[1]) } }); return;
    case Op.Clip:
      E.add("Clip", [E.float(x), E.init("clip_min", OnnxType.FLOAT, [], [fromBits(a[0])]), E.init("clip_max", OnnxType.FLOAT, [], [fromBits(a[1])])], [out()]);
      return;
    case Op.Add: case Op.Mul: {
      const operand = (id: number) => {
        const t = E.t(id);
        if (t.kind !== Kind.Const) return E.float(id);
        return E.init(t.name, OnnxType.FLOAT, [1, ...t.shape], denseWeights(t));
      };
      E.add(op.op === Op.Add ? "Add" : "Mul", [operand(x), operand(ins[1]!)], [out()]);
      return;
    }
    case Op.Concat: E.add("Concat", ins.map((id) => E.float(id!)), [out()], { axis: (a[0] ?? 0) + 1 }); return;
    case Op.Reshape: E.add("Reshape", [E.float(x), E.init(`${E.t(y).name}_shape`, OnnxType.INT64, [E.t(y).shape.length + 1], [-1, ...E.t(y).shape])], [out()]); return;
    case Op.Softmax: E.add("Softmax", [E.float(x)], [out()], { axis: -1 }); return;
    case Op.Transpose: E.add("Transpose", [E.float(x)], [out()], { perm: [0, ...a.slice(0, E.t(x).shape.length).map((p) => p + 1)] }); return;
    case Op.Quantize: E.add("Identity", [E.float(x)], [out()]); return;
    case Op.Dequantize: E.add("Identity", [E.float(x)], [out()]); return;
  }
  throw new EdgeqError(ErrorCode.UnknownOp, `op ${i} (${Op[op.op] ?? op.op}) has no ONNX export`);
}

function elemType(t: TensorSpec): number {
  return t.dtype === DType.F32 ? OnnxType.FLOAT : t.dtype === DType.I8 ? OnnxType.INT8 : OnnxType.INT32;
}

/** An ONNX model computing the same function; inputs/outputs keep edgeq's names, dtypes and layout. */
export function exportOnnx(g: GraphSpec, name = "edgeq"): Uint8Array {
  const E = new Exporter(g);
  for (let i = 0; i < g.ops.length; i++) {
    exportOp(E, i);
    E.flush();
  }
  const io = (id: number) => valueInfo(g.tensors[id].name, ["N", ...g.tensors[id].shape], elemType(g.tensors[id]));
  return model({ name, opset: 17, nodes: E.nodes, inputs: g.inputs.map(io), outputs: g.outputs.map(io), initializers: E.inits });
}

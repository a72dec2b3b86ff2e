// Small constructors for ONNX protobuf messages: used by the exporter and by tests that need a
// handcrafted model. Serialises through onnx-proto, like the reader.
import { onnx, OnnxType, tensorToProto, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.ts";

export type Attr = number | number[] | string | { float: number } | { floats: number[] } | TensorProto;

function attribute(name: string, v: Attr): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "number") return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return v.every(Number.isInteger) ? { name, type: T.INTS, ints: v } : { name, type: T.FLOATS, floats: v };
  if ("float" in v) return { name, type: T.FLOAT, f: v.float };
  if ("floats" in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: v };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = outputs[0]): NodeProto {
  return { opType, input: inputs, output: outputs, name, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) };
}

/** dims: numbers, or strings for symbolic dims (e.g. "N" for the batch). */
export function valueInfo(name: string, dims: (number | string)[], type: number = OnnxType.FLOAT): ValueInfoProto {
  return { name, type: { tensorType: { elemType: type, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } };
}

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
  return tensorToProto(name, OnnxType.FLOAT, dims, data);
}

export interface ModelParts {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  opset?: number;
  name?: string;
}

export function model(p: ModelParts): Uint8Array {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "edgeq",
    opsetImport: [{ domain: "", version: p.opset ?? 13 }],
    graph: { name: p.name ?? "edgeq", node: p.nodes, input: p.inputs, output: p.outputs, initializer: p.initializers ?? [] },
  });
  return onnx.ModelProto.encode(m).finish();
}

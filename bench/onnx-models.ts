// Tiny ONNX models for the onnxruntime-web contender, built with onnx-proto (protobufjs).
import onnxProto from "onnx-proto";

const { onnx } = onnxProto as unknown as { onnx: typeof import("onnx-proto").onnx };
const T = onnx.TensorProto.DataType;

export type OnnxElem = "f32" | "i8" | "u8" | "i32";
const TYPE: Record<OnnxElem, number> = { f32: T.FLOAT, i8: T.INT8, u8: T.UINT8, i32: T.INT32 };

export interface Init { name: string; type: OnnxElem; dims: number[]; data: Float32Array | Int8Array | Uint8Array | Int32Array }
export interface Node { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, number | number[]> }
export interface Io { name: string; type: OnnxElem; dims: (number | string)[] }

function tensor(i: Init) {
  const raw = new Uint8Array(i.data.buffer, i.data.byteOffset, i.data.byteLength);
  return onnx.TensorProto.create({ name: i.name, dataType: TYPE[i.type], dims: i.dims, rawData: raw.slice() });
}

function valueInfo(v: Io) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: TYPE[v.type],
        shape: { dim: v.dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

function attr(name: string, v: number | number[]) {
  return Array.isArray(v)
    ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
    : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
}

export function onnxModel(nodes: Node[], inits: Init[], inputs: Io[], outputs: Io[], opset = 13): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: "bench",
    node: nodes.map((n, k) => onnx.NodeProto.create({
      name: `n${k}`, opType: n.op, input: n.inputs, output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([a, v]) => attr(a, v)),
    })),
    initializer: inits.map(tensor),
    input: inputs.map(valueInfo),
    output: outputs.map(valueInfo),
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: "edgeq-bench", opsetImport: [{ domain: "", version: opset }], graph });
  return onnx.ModelProto.encode(model).finish();
}

/** W [N][K] row-major -> ONNX B [K][N]. */
export function transpose<A extends Int8Array | Float32Array>(w: A, N: number, K: number): A {
  const out = new (w.constructor as new (n: number) => A)(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) out[k * N + n] = w[n * K + k];
  return out;
}

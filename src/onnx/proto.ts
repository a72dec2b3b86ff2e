// ONNX protobuf access through `onnx-proto` (protobufjs code generated from onnx.proto): decode
// ModelProto/TensorProto, turn tensors into typed arrays and attributes into plain values, and
// build tensors for export. Nothing here knows about edgeq's format.
import pkg from "onnx-proto";

export const onnx = pkg.onnx;
export type ModelProto = InstanceType<typeof pkg.onnx.ModelProto>;
export type GraphProto = pkg.onnx.IGraphProto;
export type NodeProto = pkg.onnx.INodeProto;
export type TensorProto = pkg.onnx.ITensorProto;
export type AttributeProto = pkg.onnx.IAttributeProto;
export type ValueInfoProto = pkg.onnx.IValueInfoProto;

/** ONNX TensorProto.DataType values this toolkit reads or writes. */
export const OnnxType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11, UINT32: 12, UINT64: 13,
} as const;

export type OnnxArray = Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float64Array;

/** A decoded tensor: ONNX element type, dims and values. int64/uint64 values become f64 numbers. */
export interface OnnxTensor {
  name: string;
  type: number;
  dims: number[];
  data: OnnxArray;
}

/** protobufjs gives int64 fields as Long objects (or numbers); both become plain numbers. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === "function") return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function decodeTensorProto(bytes: Uint8Array): TensorProto {
  return onnx.TensorProto.decode(bytes);
}

export function typeName(type: number): string {
  return (onnx.TensorProto.DataType as unknown as Record<number, string>)[type] ?? `type ${type}`;
}

function fromRaw(type: number, raw: Uint8Array, n: number): OnnxArray {
  // raw_data is little-endian and may be unaligned inside the message buffer: copy first
  // (protobufjs hands out Node Buffers, whose slice() is a view, so copy through Uint8Array)
  const b = new Uint8Array(raw).buffer;
  switch (type) {
    case OnnxType.FLOAT: return new Float32Array(b, 0, n);
    case OnnxType.DOUBLE: return new Float64Array(b, 0, n);
    case OnnxType.UINT8: case OnnxType.BOOL: return new Uint8Array(b, 0, n);
    case OnnxType.INT8: return new Int8Array(b, 0, n);
    case OnnxType.UINT16: return new Uint16Array(b, 0, n);
    case OnnxType.INT16: return new Int16Array(b, 0, n);
    case OnnxType.INT32: return new Int32Array(b, 0, n);
    case OnnxType.UINT32: return new Uint32Array(b, 0, n);
    case OnnxType.INT64: return Float64Array.from(new BigInt64Array(b, 0, n), Number);
    case OnnxType.UINT64: return Float64Array.from(new BigUint64Array(b, 0, n), Number);
  }
  throw new Error(`tensor element type ${typeName(type)} is not supported`);
}

const BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 11: 8, 12: 4, 13: 8 };

/** TensorProto -> typed array, from raw_data or from the typed repeated fields. */
export function tensorFromProto(t: TensorProto): OnnxTensor {
  const type = t.dataType ?? 0;
  const dims = (t.dims ?? []).map(num);
  const n = dims.reduce((a, b) => a * b, 1);
  const name = t.name ?? "";
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new Error(`tensor "${name}": external data is not supported`);
  if (t.rawData && t.rawData.length > 0) {
    if (BYTES[type] !== undefined && t.rawData.length !== n * BYTES[type]) throw new Error(`tensor "${name}": raw_data holds ${t.rawData.length} bytes, expected ${n * BYTES[type]}`);
    return { name, type, dims, data: fromRaw(type, t.rawData, n) };
  }
  let data: OnnxArray;
  switch (type) {
    case OnnxType.FLOAT: data = Float32Array.from(t.floatData ?? []); break;
    case OnnxType.DOUBLE: data = Float64Array.from(t.doubleData ?? []); break;
    // the narrow integer types travel in int32_data
    case OnnxType.UINT8: case OnnxType.BOOL: data = Uint8Array.from(t.int32Data ?? []); break;
    case OnnxType.INT8: data = Int8Array.from(t.int32Data ?? []); break;
    case OnnxType.UINT16: data = Uint16Array.from(t.int32Data ?? []); break;
    case OnnxType.INT16: data = Int16Array.from(t.int32Data ?? []); break;
    case OnnxType.INT32: data = Int32Array.from(t.int32Data ?? []); break;
    case OnnxType.INT64: data = Float64Array.from((t.int64Data ?? []).map(num)); break;
    case OnnxType.UINT32: case OnnxType.UINT64: data = Float64Array.from((t.uint64Data ?? []).map(num)); break;
    default: throw new Error(`tensor "${name}": element type ${typeName(type)} is not supported`);
  }
  if (data.length !== n) throw new Error(`tensor "${name}": ${data.length} values for shape [${dims}]`);
  return { name, type, dims, data };
}

export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  return tensorFromProto(decodeTensorProto(bytes));
}

/** A tensor for export, always as raw_data. */
export function tensorToProto(name: string, type: number, dims: number[], data: ArrayLike<number>): TensorProto {
  let raw: Uint8Array;
  const n = data.length;
  switch (type) {
    case OnnxType.FLOAT: raw = new Uint8Array(Float32Array.from(data).buffer); break;
    case OnnxType.INT8: raw = new Uint8Array(Int8Array.from(data).buffer); break;
    case OnnxType.UINT8: raw = Uint8Array.from(data); break;
    case OnnxType.INT32: raw = new Uint8Array(Int32Array.from(data).buffer); break;
    case OnnxType.INT64: raw = new Uint8Array(BigInt64Array.from(Array.from({ length: n }, (_, i) => BigInt(data[i]))).buffer); break;
    default: throw new Error(`cannot export element type ${typeName(type)}`);
  }
  return { name, dataType: type, dims, rawData: raw };
}

export type AttrValue = number | number[] | string | string[] | OnnxTensor | null;

/** A node's attributes as plain values by name. */
export function attributes(node: NodeProto): Map<string, AttrValue> {
  const T = onnx.AttributeProto.AttributeType;
  const out = new Map<string, AttrValue>();
  const dec = new TextDecoder();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? "";
    switch (a.type) {
      case T.FLOAT: out.set(name, a.f ?? 0); break;
      case T.INT: out.set(name, num(a.i ?? 0)); break;
      case T.STRING: out.set(name, dec.decode(a.s ?? new Uint8Array())); break;
      case T.TENSOR: out.set(name, a.t ? tensorFromProto(a.t) : null); break;
      case T.FLOATS: out.set(name, Array.from(a.floats ?? [])); break;
      case T.INTS: out.set(name, (a.ints ?? []).map(num)); break;
      case T.STRINGS: out.set(name, (a.strings ?? []).map((s) => dec.decode(s))); break;
      default: out.set(name, null); // graphs, sparse tensors, type protos: unused by supported ops
    }
  }
  return out;
}

/** The static dims of a graph input/output (symbolic or missing dims give -1). */
export function valueInfoDims(v: ValueInfoProto): { type: number; dims: number[] } | null {
  const tt = v.type?.tensorType;
  if (!tt) return null;
  const dims = (tt.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? num(d.dimValue) : -1));
  return { type: tt.elemType ?? 0, dims };
}

/** The default-domain opset the model imports (ONNX ops are versioned by it). */
export function opsetVersion(m: ModelProto): number {
  for (const o of m.opsetImport ?? []) if (!o.domain || o.domain === "ai.onnx") return num(o.version ?? 0);
  return 0;
}

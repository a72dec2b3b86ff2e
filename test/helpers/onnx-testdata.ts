// Reads ONNX backend conformance tests (Debian libonnx-testdata): the single-node model and its
// first data set, decoded into plain numbers so tests can rebuild the node as an edgeq graph.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
export const ONNX_NODE_TESTS = "/usr/share/libonnx-testdata/data/node";

export enum OnnxType { Float = 1, Uint8 = 2, Int8 = 3, Int32 = 6, Int64 = 7 }

export interface OnnxTensor {
  dims: number[];
  type: OnnxType;
  data: number[];
}

export interface OnnxNodeTest {
  opType: string;
  opset: number;
  attrs: Record<string, number | number[]>;
  /** The node's inputs by position (graph inputs or initializers); null where omitted. */
  inputs: (OnnxTensor | null)[];
  outputs: OnnxTensor[];
}

const num = (v: unknown) => Number(v ?? 0);

function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const t = onnx.TensorProto.decode(bytes);
  const dims = (t.dims ?? []).map(num);
  const type = t.dataType as OnnxType;
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  let data: number[];
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = { [OnnxType.Float]: 4, [OnnxType.Uint8]: 1, [OnnxType.Int8]: 1, [OnnxType.Int32]: 4, [OnnxType.Int64]: 8 }[type];
    if (!size) throw new Error(`tensor type ${type} not supported`);
    data = Array.from({ length: raw.byteLength / size }, (_, i) => {
      switch (type) {
        case OnnxType.Float: return dv.getFloat32(i * 4, true);
        case OnnxType.Uint8: return dv.getUint8(i);
        case OnnxType.Int8: return dv.getInt8(i);
        case OnnxType.Int32: return dv.getInt32(i * 4, true);
        default: return Number(dv.getBigInt64(i * 8, true));
      }
    });
  } else if (type === OnnxType.Float) data = (t.floatData ?? []).map(num);
  else if (type === OnnxType.Int64) data = (t.int64Data ?? []).map(num);
  else data = (t.int32Data ?? []).map(num);
  return { dims, type, data };
}

export function readNodeTest(name: string): OnnxNodeTest {
  const dir = join(ONNX_NODE_TESTS, name);
  const model = onnx.ModelProto.decode(readFileSync(join(dir, "model.onnx")));
  const node = model.graph!.node![0];
  const attrs: Record<string, number | number[]> = {};
  for (const a of node.attribute ?? []) attrs[a.name!] = a.ints && a.ints.length ? a.ints.map(num) : a.type === onnx.AttributeProto.AttributeType.FLOAT ? num(a.f) : num(a.i);
  const set = join(dir, "test_data_set_0");
  const files = readdirSync(set);
  const read = (prefix: string) => files.filter((f) => f.startsWith(prefix)).sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length))).map((f) => decodeTensor(readFileSync(join(set, f))));
  const opset = Math.max(...(model.opsetImport ?? []).filter((o) => !o.domain).map((o) => num(o.version)));
  const byName = new Map<string, OnnxTensor>();
  const fed = read("input_");
  (model.graph!.input ?? []).forEach((vi, i) => byName.set(vi.name!, fed[i]));
  for (const init of model.graph!.initializer ?? []) byName.set(init.name!, decodeTensor(onnx.TensorProto.encode(init).finish()));
  const inputs = (node.input ?? []).map((n) => (n ? byName.get(n) ?? null : null));
  return { opType: node.opType!, opset, attrs, inputs, outputs: read("output_") };
}

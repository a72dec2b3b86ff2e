// Reads ONNX backend conformance cases from Debian's libonnx-testdata: the single-node model and
// its first data set (inputs by graph-input name, outputs in graph order).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeModel, decodeTensor, type ModelProto, type OnnxTensor, OnnxType } from "../../src/onnx/proto.ts";

export const TESTDATA = "/usr/share/libonnx-testdata/data";

export interface NodeCase {
  name: string;
  model: ModelProto;
  inputs: Record<string, OnnxTensor>;
  outputs: OnnxTensor[];
}

/** Loads `<dir>/<name>`; a missing package is an error (CI installs libonnx-testdata), never a skip. */
export function nodeCase(name: string, dir = "node"): NodeCase {
  const root = join(TESTDATA, dir, name);
  if (!existsSync(join(root, "model.onnx"))) throw new Error(`${root}/model.onnx not found: apt-get install libonnx-testdata`);
  const model = decodeModel(readFileSync(join(root, "model.onnx")));
  const set = join(root, "test_data_set_0");
  const files = readdirSync(set);
  const read = (prefix: string) =>
    files.filter((f) => f.startsWith(prefix)).sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length))).map((f) => decodeTensor(readFileSync(join(set, f))));
  const ins = read("input_");
  const graphInputs = (model.graph?.input ?? []).map((i) => i.name ?? "").filter((n) => !(model.graph?.initializer ?? []).some((t) => t.name === n));
  const inputs: Record<string, OnnxTensor> = {};
  ins.forEach((t, i) => { inputs[t.name || graphInputs[i]] = t; });
  return { name, model, inputs, outputs: read("output_") };
}

/**
 * uint8 values map onto int8 exactly by subtracting 128 from values and zero points alike:
 * (x - zx) and saturation bounds keep their meaning. int8 tensors pass through.
 */
export function asInt8(t: OnnxTensor): Int8Array {
  if (t.type === OnnxType.UINT8) return Int8Array.from(t.data, (v) => v - 128);
  if (t.type === OnnxType.INT8) return Int8Array.from(t.data);
  throw new Error(`${t.name}: expected a uint8 or int8 tensor`);
}

/** A per-tensor zero point as an int8 value. */
export function zeroPointInt8(t: OnnxTensor | undefined): number {
  if (!t) return 0;
  if (t.data.length !== 1) throw new Error(`${t.name}: expected one zero point`);
  return asInt8(t)[0];
}

export function scalar(t: OnnxTensor): number {
  if (t.data.length !== 1) throw new Error(`${t.name}: expected a scalar`);
  return t.data[0];
}

/** [rows, cols] row-major -> [cols, rows] (ONNX MatMul B is [K, N]; edgeq dense weights are [N, K]). */
export function transpose2d<T extends Int8Array | Float32Array>(a: T, rows: number, cols: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Permutes a dense row-major array: out dims are dims[perm[i]]. */
export function permute<T extends ArrayLike<number> & { length: number }>(a: T, dims: number[], perm: number[], make: (n: number) => T & { [i: number]: number }): T {
  const outDims = perm.map((p) => dims[p]);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = make(a.length);
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < a.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i] * strides[perm[i]];
    out[o] = a[src];
    for (let i = outDims.length - 1; i >= 0; i--) { if (++idx[i] < outDims[i]) break; idx[i] = 0; }
  }
  return out;
}

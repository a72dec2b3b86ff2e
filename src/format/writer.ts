// Builds .edgeq containers (docs/format.md). The graph is described as plain data; `encode`
// lays it out: header, tensor table, op table, io table, names, then 16-byte aligned payloads.
import { DType, Encoding, Format, Header, Kind, OpField, TensorField } from "../../assembly/format/spec.ts";
import { crc32 } from "./crc32.ts";

export type TypedData = Float32Array | Int8Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

export interface TensorSpec {
  name: string;
  dtype: DType;
  /** Per-sample shape for activations, full shape for constants. */
  shape: number[];
  kind: Kind;
  encoding?: Encoding;
  /** Constants: the payload bytes in the encoding's layout. */
  data?: TypedData;
  /** Encoding side data (CSR indices, 2:4 indices, codebook centroids). */
  aux?: TypedData;
  bits?: number;
  /** int8 scales: one per tensor or one per dims[0]. Omitted: unscaled integers. */
  scales?: number[] | Float32Array;
  zeroPoint?: number;
}

export interface OpSpec {
  op: number;
  inputs: (number | null)[];
  outputs: number[];
  /** Up to 10 i32 attributes; floats go through `f32bits`. */
  attrs?: number[];
}

export interface GraphSpec {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
}

const f32view = new Float32Array(1);
const i32view = new Int32Array(f32view.buffer);
/** An f32 attribute carried in an i32 slot. */
export function f32bits(v: number): number {
  f32view[0] = v;
  return i32view[0];
}

function bytesOf(d: TypedData): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const align = (n: number) => (n + Format.Align - 1) & ~(Format.Align - 1);

export function encode(g: GraphSpec): Uint8Array {
  const enc = new TextEncoder();
  const names = g.tensors.map((t) => enc.encode(t.name));
  const tensorsOff = Format.HeaderSize;
  const opsOff = tensorsOff + g.tensors.length * Format.TensorRecordSize;
  const ioOff = opsOff + g.ops.length * Format.OpRecordSize;
  let cursor = ioOff + (g.inputs.length + g.outputs.length) * 4;
  const nameOffs = names.map((n) => { const o = cursor; cursor += n.length; return o; });
  // payloads: scales, data and aux of each tensor, each 16-byte aligned
  type Blob = { off: number; bytes: Uint8Array };
  const blobs: Blob[] = [];
  const place = (bytes: Uint8Array | undefined): number => {
    if (!bytes || bytes.length === 0) return 0;
    cursor = align(cursor);
    blobs.push({ off: cursor, bytes });
    const o = cursor;
    cursor += bytes.length;
    return o;
  };
  const placed = g.tensors.map((t) => ({
    scales: place(t.scales ? bytesOf(Float32Array.from(t.scales)) : undefined),
    data: place(t.data ? bytesOf(t.data) : undefined),
    aux: place(t.aux ? bytesOf(t.aux) : undefined),
  }));
  const total = cursor;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(Header.Magic, Format.Magic, true);
  dv.setUint16(Header.Version, Format.Version, true);
  dv.setUint16(Header.Flags, 0, true);
  dv.setUint32(Header.FileLen, total, true);
  dv.setUint32(Header.NumTensors, g.tensors.length, true);
  dv.setUint32(Header.NumOps, g.ops.length, true);
  dv.setUint32(Header.NumInputs, g.inputs.length, true);
  dv.setUint32(Header.NumOutputs, g.outputs.length, true);
  dv.setUint32(Header.TensorsOff, tensorsOff, true);
  dv.setUint32(Header.OpsOff, opsOff, true);
  dv.setUint32(Header.IoOff, ioOff, true);
  g.tensors.forEach((t, i) => {
    const r = tensorsOff + i * Format.TensorRecordSize;
    if (t.shape.length > Format.MaxRank) throw new RangeError(`tensor ${t.name}: rank ${t.shape.length} > 4`);
    dv.setUint8(r + TensorField.DType, t.dtype);
    dv.setUint8(r + TensorField.Encoding, t.encoding ?? Encoding.Dense);
    dv.setUint8(r + TensorField.Kind, t.kind);
    dv.setUint8(r + TensorField.Rank, t.shape.length);
    t.shape.forEach((d, j) => dv.setUint32(r + TensorField.Dims + 4 * j, d, true));
    dv.setUint32(r + TensorField.NameOff, nameOffs[i], true);
    dv.setUint32(r + TensorField.NameLen, names[i].length, true);
    dv.setUint32(r + TensorField.DataOff, placed[i].data, true);
    dv.setUint32(r + TensorField.DataLen, t.data ? t.data.byteLength : 0, true);
    dv.setUint32(r + TensorField.ScaleOff, placed[i].scales, true);
    dv.setUint32(r + TensorField.ScaleCount, t.scales ? t.scales.length : 0, true);
    dv.setInt32(r + TensorField.ZeroPoint, t.zeroPoint ?? 0, true);
    dv.setUint32(r + TensorField.AuxOff, placed[i].aux, true);
    dv.setUint32(r + TensorField.AuxLen, t.aux ? t.aux.byteLength : 0, true);
    dv.setUint8(r + TensorField.Bits, t.bits ?? 0);
  });
  g.ops.forEach((op, i) => {
    const r = opsOff + i * Format.OpRecordSize;
    if (op.inputs.length > Format.MaxOpInputs || op.outputs.length > Format.MaxOpOutputs) throw new RangeError(`op ${i}: too many inputs or outputs`);
    dv.setUint16(r + OpField.Code, op.op, true);
    dv.setUint8(r + OpField.NumIn, op.inputs.length);
    dv.setUint8(r + OpField.NumOut, op.outputs.length);
    for (let j = 0; j < Format.MaxOpInputs; j++) dv.setUint16(r + OpField.In + 2 * j, j < op.inputs.length ? op.inputs[j] ?? Format.NoTensor : Format.NoTensor, true);
    for (let j = 0; j < Format.MaxOpOutputs; j++) dv.setUint16(r + OpField.Out + 2 * j, j < op.outputs.length ? op.outputs[j] : Format.NoTensor, true);
    const attrs = op.attrs ?? [];
    if (attrs.length > Format.MaxAttrs) throw new RangeError(`op ${i}: more than 10 attributes`);
    attrs.forEach((a, j) => dv.setInt32(r + OpField.Attrs + 4 * j, a, true));
  });
  [...g.inputs, ...g.outputs].forEach((id, j) => dv.setUint32(ioOff + 4 * j, id, true));
  names.forEach((n, i) => out.set(n, nameOffs[i]));
  for (const b of blobs) out.set(b.bytes, b.off);
  dv.setUint32(Header.Crc, crc32(out.subarray(16)), true);
  return out;
}

/** Recomputes the checksum after an in-place edit (used by tests and tools that patch files). */
export function resealChecksum(bytes: Uint8Array): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(Header.Crc, crc32(bytes.subarray(16)), true);
}

// Decodes a container back into a GraphSpec for host tools (inspect, quantize, export). It trusts
// nothing but checks only what it needs to decode; full validation is the artifact's job, so
// tools that need a guarantee load the bytes into an Engine first.
import { DType, Encoding, Format, Header, OpField, TensorField } from "../../assembly/format/spec.ts";
import type { GraphSpec, OpSpec, TensorSpec, TypedData } from "./writer.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

function slice(bytes: Uint8Array, off: number, len: number): Uint8Array {
  if (off + len > bytes.length) throw new EdgeqError(ErrorCode.OutOfRange, `payload at ${off}+${len} beyond the file`);
  return bytes.slice(off, off + len);
}

function typed(dtype: DType, b: Uint8Array): TypedData {
  if (dtype === DType.F32) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (dtype === DType.I32) return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function decode(bytes: Uint8Array): GraphSpec {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < Format.HeaderSize || dv.getUint32(Header.Magic, true) !== Format.Magic)
    throw new EdgeqError(ErrorCode.BadMagic, "not an .edgeq file");
  if (dv.getUint16(Header.Version, true) !== Format.Version) throw new EdgeqError(ErrorCode.BadVersion, "unsupported format version");
  const nT = dv.getUint32(Header.NumTensors, true), nO = dv.getUint32(Header.NumOps, true);
  const nI = dv.getUint32(Header.NumInputs, true), nOut = dv.getUint32(Header.NumOutputs, true);
  const tOff = dv.getUint32(Header.TensorsOff, true), oOff = dv.getUint32(Header.OpsOff, true), ioOff = dv.getUint32(Header.IoOff, true);
  if (tOff + nT * Format.TensorRecordSize > bytes.length || oOff + nO * Format.OpRecordSize > bytes.length || ioOff + (nI + nOut) * 4 > bytes.length)
    throw new EdgeqError(ErrorCode.OutOfRange, "tables beyond the file");
  const dec = new TextDecoder();
  const tensors: TensorSpec[] = [];
  for (let i = 0; i < nT; i++) {
    const r = tOff + i * Format.TensorRecordSize;
    const dtype = dv.getUint8(r + TensorField.DType) as DType;
    const encoding = dv.getUint8(r + TensorField.Encoding) as Encoding;
    const rank = dv.getUint8(r + TensorField.Rank);
    const shape = Array.from({ length: Math.min(rank, 4) }, (_, j) => dv.getUint32(r + TensorField.Dims + 4 * j, true));
    const name = dec.decode(slice(bytes, dv.getUint32(r + TensorField.NameOff, true), dv.getUint32(r + TensorField.NameLen, true)));
    const t: TensorSpec = { name, dtype, shape, kind: dv.getUint8(r + TensorField.Kind), encoding };
    const dataLen = dv.getUint32(r + TensorField.DataLen, true);
    if (dataLen > 0) {
      const b = slice(bytes, dv.getUint32(r + TensorField.DataOff, true), dataLen);
      t.data = encoding === Encoding.Dense || encoding === Encoding.Nm24 || encoding === Encoding.Csr ? typed(dtype, b) : b;
    }
    const auxLen = dv.getUint32(r + TensorField.AuxLen, true);
    if (auxLen > 0) {
      const b = slice(bytes, dv.getUint32(r + TensorField.AuxOff, true), auxLen);
      t.aux = encoding === Encoding.Codebook ? typed(dtype, b) : b;
    }
    const sc = dv.getUint32(r + TensorField.ScaleCount, true);
    if (sc > 0) {
      const b = slice(bytes, dv.getUint32(r + TensorField.ScaleOff, true), sc * 4);
      t.scales = new Float32Array(b.buffer, b.byteOffset, sc);
    }
    const zp = dv.getInt32(r + TensorField.ZeroPoint, true);
    if (zp !== 0) t.zeroPoint = zp;
    const bits = dv.getUint8(r + TensorField.Bits);
    if (bits !== 0) t.bits = bits;
    tensors.push(t);
  }
  const ops: OpSpec[] = [];
  for (let i = 0; i < nO; i++) {
    const r = oOff + i * Format.OpRecordSize;
    const nin = Math.min(dv.getUint8(r + OpField.NumIn), Format.MaxOpInputs), nout = Math.min(dv.getUint8(r + OpField.NumOut), Format.MaxOpOutputs);
    const inputs = Array.from({ length: nin }, (_, j) => {
      const id = dv.getUint16(r + OpField.In + 2 * j, true);
      return id === Format.NoTensor ? null : id;
    });
    const outputs = Array.from({ length: nout }, (_, j) => dv.getUint16(r + OpField.Out + 2 * j, true));
    const attrs = Array.from({ length: Format.MaxAttrs }, (_, j) => dv.getInt32(r + OpField.Attrs + 4 * j, true));
    while (attrs.length && attrs[attrs.length - 1] === 0) attrs.pop();
    ops.push({ op: dv.getUint16(r + OpField.Code, true), inputs, outputs, attrs });
  }
  const io = Array.from({ length: nI + nOut }, (_, j) => dv.getUint32(ioOff + 4 * j, true));
  return { tensors, ops, inputs: io.slice(0, nI), outputs: io.slice(nI) };
}

// Container validation: everything that can be checked without knowing what an op means.
// Every offset is checked in 64-bit arithmetic before anything is read through it.
import { DType, Encoding, ErrorCode, Format, Header, Kind, OpField, TensorField } from "./spec";
import { crc32 } from "./crc32";
import { fail, failAt } from "../runtime/errors";
import { Model, dtypeSize, rt, trec } from "../model";

@inline function inBounds(off: u64, len: u64, total: u64): bool {
  return off <= total && len <= total - off;
}

export function checkHeader(buf: usize, len: u32): i32 {
  if (len < <u32>Format.HeaderSize) return fail(ErrorCode.Truncated, "file shorter than the 64-byte header");
  if (load<u32>(buf, Header.Magic) != <u32>Format.Magic) return fail(ErrorCode.BadMagic, "not an .edgeq file (bad magic)");
  const version = <i32>load<u16>(buf, Header.Version);
  if (version != Format.Version) return failAt(ErrorCode.BadVersion, "unsupported format version ", version, " (this build reads 1)");
  if (load<u16>(buf, Header.Flags) != 0) return fail(ErrorCode.BadHeader, "unknown header flags");
  const fileLen = load<u32>(buf, Header.FileLen);
  if (fileLen > len) return failAt(ErrorCode.Truncated, "file truncated: header says ", fileLen, " bytes");
  if (fileLen < len) return failAt(ErrorCode.BadHeader, "trailing bytes after the declared length ", fileLen);
  if (crc32(buf + 16, <usize>len - 16) != load<u32>(buf, Header.Crc)) return fail(ErrorCode.Checksum, "checksum mismatch: the file is corrupted");
  return 0;
}

function checkScales(buf: usize, len: u32, t: u32, rec: usize, dt: i32, dim0: u32): i32 {
  const count = load<u32>(rec, TensorField.ScaleCount);
  const zp = load<i32>(rec, TensorField.ZeroPoint);
  if (dt == DType.I8) {
    if (zp < -128 || zp > 127) return failAt(ErrorCode.BadQuant, "tensor ", t, ": int8 zero point outside [-128, 127]");
  } else if (zp != 0) return failAt(ErrorCode.BadQuant, "tensor ", t, ": zero point on a non-int8 tensor");
  if (count == 0) return 0;
  if (dt != DType.I8) return failAt(ErrorCode.BadQuant, "tensor ", t, ": scales on a non-int8 tensor");
  if (count != 1 && count != dim0) return failAt(ErrorCode.BadQuant, "tensor ", t, ": scale count is neither 1 nor dims[0]");
  const off = load<u32>(rec, TensorField.ScaleOff);
  if ((off & 3) != 0 || !inBounds(off, <u64>count * 4, len)) return failAt(ErrorCode.OutOfRange, "tensor ", t, ": scales out of range");
  for (let i: u32 = 0; i < count; i++) {
    const s = load<f32>(buf + <usize>off + (<usize>i << 2));
    if (!(s > 0) || !isFinite(s) || s < 1e-30) return failAt(ErrorCode.BadQuant, "tensor ", t, ": scale not finite and positive");
  }
  return 0;
}

function checkEncoding(buf: usize, len: u32, t: u32, rec: usize, dt: i32, numel: u64, dim0: u32): i32 {
  const enc = <i32>load<u8>(rec, TensorField.Encoding);
  const dataOff = load<u32>(rec, TensorField.DataOff);
  const dataLen = load<u32>(rec, TensorField.DataLen);
  const auxOff = load<u32>(rec, TensorField.AuxOff);
  const auxLen = load<u32>(rec, TensorField.AuxLen);
  if ((dataOff & 15) != 0) return failAt(ErrorCode.BadTensor, "tensor ", t, ": data not 16-byte aligned");
  if (!inBounds(dataOff, dataLen, len)) return failAt(ErrorCode.OutOfRange, "tensor ", t, ": data out of range");
  if (!inBounds(auxOff, auxLen, len)) return failAt(ErrorCode.OutOfRange, "tensor ", t, ": aux data out of range");
  const rowLen: u64 = numel / <u64>dim0;
  if (enc == Encoding.Dense) {
    if (<u64>dataLen != numel * <u64>dtypeSize(dt)) return failAt(ErrorCode.BadTensor, "tensor ", t, ": data length does not match its shape");
    if (auxLen != 0) return failAt(ErrorCode.BadTensor, "tensor ", t, ": aux data on a dense tensor");
    if (load<u8>(rec, TensorField.Bits) != 0) return failAt(ErrorCode.BadTensor, "tensor ", t, ": bits set on a dense tensor");
    return 0;
  }
  if (load<u8>(rec, TensorField.Rank) < 2) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": compressed tensors need rank >= 2");
  if (enc == Encoding.Csr) {
    if (dt != DType.I8 && dt != DType.F32) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR needs int8 or f32");
    if (rowLen > 65535) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR rows longer than 65535");
    const es = <u64>dtypeSize(dt);
    if (<u64>dataLen % es != 0) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR value bytes not a whole number of values");
    const nnz = <u64>dataLen / es;
    if ((auxOff & 3) != 0 || <u64>auxLen != (<u64>dim0 + 1) * 4 + nnz * 2) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR index size does not match");
    const rowPtr = buf + <usize>auxOff;
    const cols = rowPtr + (<usize>(dim0 + 1) << 2);
    if (load<u32>(rowPtr) != 0 || <u64>load<u32>(rowPtr + (<usize>dim0 << 2)) != nnz) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR row pointers do not span the values");
    for (let r: u32 = 0; r < dim0; r++) {
      const a = load<u32>(rowPtr + (<usize>r << 2));
      const b = load<u32>(rowPtr + (<usize>(r + 1) << 2));
      if (b < a || <u64>b > nnz) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR row pointers decrease");
      let last: i32 = -1;
      for (let j = a; j < b; j++) {
        const c = <i32>load<u16>(cols + (<usize>j << 1));
        if (c <= last || <u64>c >= rowLen) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": CSR column indices unsorted or out of range");
        last = c;
      }
    }
    return 0;
  }
  if (enc == Encoding.Nm24) {
    if (dt != DType.I8 && dt != DType.F32) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": 2:4 needs int8 or f32");
    if (rowLen % 4 != 0) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": 2:4 rows must be a multiple of 4");
    if (<u64>dataLen != <u64>dim0 * (rowLen / 2) * <u64>dtypeSize(dt)) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": 2:4 value size does not match");
    const idxRow = (rowLen + 7) / 8;
    if (<u64>auxLen != <u64>dim0 * idxRow) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": 2:4 index size does not match");
    const groups = rowLen / 4;
    for (let r: u32 = 0; r < dim0; r++) {
      const row = buf + <usize>auxOff + <usize>(<u64>r * idxRow);
      for (let g: u64 = 0; g < groups; g++) {
        const nib = (<u32>load<u8>(row + <usize>(g >> 1)) >> (<u32>(g & 1) << 2)) & 15;
        if ((nib & 3) >= (nib >> 2)) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": 2:4 indices not strictly increasing");
      }
    }
    return 0;
  }
  if (enc == Encoding.Codebook) {
    const bits = <i32>load<u8>(rec, TensorField.Bits);
    if (bits != 1 && bits != 2 && bits != 4 && bits != 8) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": codebook bits must be 1, 2, 4 or 8");
    if (dt != DType.I8 && dt != DType.F32) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": codebook centroids must be int8 or f32");
    const es = dtypeSize(dt);
    if ((auxOff & 3) != 0 || auxLen == 0 || auxLen % es != 0 || auxLen / es > (<u32>1 << bits)) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": codebook size invalid for its bit width");
    const rowBytes = (rowLen * <u64>bits + 7) / 8;
    if (<u64>dataLen != rowBytes * <u64>dim0) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": codebook index size does not match");
    const count = auxLen / es;
    if (count < (<u32>1 << bits)) {
      // indices must stay inside the codebook; a full codebook needs no check
      const mask: u32 = (<u32>1 << bits) - 1;
      for (let r: u32 = 0; r < dim0; r++) {
        const row = buf + <usize>dataOff + <usize>(<u64>r * rowBytes);
        for (let i: u64 = 0; i < rowLen; i++) {
          const bit = i * <u64>bits;
          const v = (<u32>load<u8>(row + <usize>(bit >> 3)) >> <u32>(bit & 7)) & mask;
          if (v >= count) return failAt(ErrorCode.BadEncoding, "tensor ", t, ": codebook index beyond the codebook");
        }
      }
    }
    return 0;
  }
  return failAt(ErrorCode.BadEncoding, "tensor ", t, ": unknown encoding");
}

/** Validates every tensor record; fills nothing. */
export function checkTensors(m: Model): i32 {
  const len = m.len;
  for (let t: u32 = 0; t < m.nTensors; t++) {
    const rec = trec(m, t);
    const dt = <i32>load<u8>(rec, TensorField.DType);
    const kind = <i32>load<u8>(rec, TensorField.Kind);
    const rank = <i32>load<u8>(rec, TensorField.Rank);
    if (dtypeSize(dt) == 0) return failAt(ErrorCode.BadTensor, "tensor ", t, ": unknown dtype");
    if (kind != Kind.Const && kind != Kind.Act) return failAt(ErrorCode.BadTensor, "tensor ", t, ": unknown kind");
    if (rank > Format.MaxRank) return failAt(ErrorCode.BadShape, "tensor ", t, ": rank above 4");
    for (let i = 57; i < 64; i++) if (load<u8>(rec + <usize>i) != 0) return failAt(ErrorCode.BadTensor, "tensor ", t, ": reserved bytes not zero");
    let numel: u64 = 1;
    for (let i = 0; i < Format.MaxRank; i++) {
      const d = load<u32>(rec + TensorField.Dims + (<usize>i << 2));
      if (i >= rank) {
        if (d != 0) return failAt(ErrorCode.BadShape, "tensor ", t, ": dims beyond its rank not zero");
        continue;
      }
      if (d == 0) return failAt(ErrorCode.BadShape, "tensor ", t, ": zero-size dimension");
      if (d > <u32>Format.MaxDim) return failAt(ErrorCode.Overflow, "tensor ", t, ": dimension too large");
      numel *= d;
      if (numel > <u64>Format.MaxElements) return failAt(ErrorCode.Overflow, "tensor ", t, ": too many elements");
    }
    const nameOff = load<u32>(rec, TensorField.NameOff);
    const nameLen = load<u32>(rec, TensorField.NameLen);
    if (nameLen > 255 || !inBounds(nameOff, nameLen, len)) return failAt(ErrorCode.OutOfRange, "tensor ", t, ": name out of range");
    const dim0 = rank > 0 ? load<u32>(rec, TensorField.Dims) : 1;
    let r = checkScales(m.buf, len, t, rec, dt, dim0);
    if (r < 0) return r;
    if (kind == Kind.Act) {
      if (rank == 0) return failAt(ErrorCode.BadShape, "tensor ", t, ": activations need rank >= 1");
      if (load<u8>(rec, TensorField.Encoding) != Encoding.Dense || load<u32>(rec, TensorField.DataLen) != 0 || load<u32>(rec, TensorField.AuxLen) != 0 || load<u8>(rec, TensorField.Bits) != 0)
        return failAt(ErrorCode.BadTensor, "tensor ", t, ": activation carries data");
      if (load<u32>(rec, TensorField.ScaleCount) > 1) return failAt(ErrorCode.BadQuant, "tensor ", t, ": activations are quantized per tensor");
      continue;
    }
    r = checkEncoding(m.buf, len, t, rec, dt, numel, dim0);
    if (r < 0) return r;
  }
  return 0;
}

/** Op records: known shape of the record, ids in range, topological order, single producer. */
export function checkGraph(m: Model): i32 {
  // producer marks live in TensorRt.producer, set to -1 by the caller
  for (let i: u32 = 0; i < m.nIn; i++) {
    const id = load<u32>(m.io + (<usize>i << 2));
    if (id >= m.nTensors) return failAt(ErrorCode.BadGraph, "input ", i, ": tensor id out of range");
    if (load<u8>(trec(m, id), TensorField.Kind) != Kind.Act) return failAt(ErrorCode.BadGraph, "input ", i, ": not an activation tensor");
    if (rt(m, id).producer != -1) return failAt(ErrorCode.BadGraph, "input ", i, ": listed twice");
    rt(m, id).producer = -2;
  }
  for (let o: u32 = 0; o < m.nOps; o++) {
    const rec = m.ops + <usize>o * Format.OpRecordSize;
    const nin = <i32>load<u8>(rec, OpField.NumIn);
    const nout = <i32>load<u8>(rec, OpField.NumOut);
    if (nin > Format.MaxOpInputs || nout < 1 || nout > Format.MaxOpOutputs) return failAt(ErrorCode.BadOp, "op ", o, ": bad input or output count");
    for (let i = 0; i < Format.MaxOpInputs; i++) {
      const id = <u32>load<u16>(rec + OpField.In + (<usize>i << 1));
      if (i >= nin) {
        if (id != <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": unused input slot not empty");
        continue;
      }
      if (id == <u32>Format.NoTensor) continue; // optional input left out
      if (id >= m.nTensors) return failAt(ErrorCode.BadGraph, "op ", o, ": input tensor id out of range");
      if (load<u8>(trec(m, id), TensorField.Kind) == Kind.Act && rt(m, id).producer == -1)
        return failAt(ErrorCode.BadGraph, "op ", o, ": reads a tensor no earlier op produced");
    }
    for (let i = 0; i < Format.MaxOpOutputs; i++) {
      const id = <u32>load<u16>(rec + OpField.Out + (<usize>i << 1));
      if (i >= nout) {
        if (id != <u32>Format.NoTensor) return failAt(ErrorCode.BadOp, "op ", o, ": unused output slot not empty");
        continue;
      }
      if (id >= m.nTensors) return failAt(ErrorCode.BadGraph, "op ", o, ": output tensor id out of range");
      if (load<u8>(trec(m, id), TensorField.Kind) != Kind.Act) return failAt(ErrorCode.BadGraph, "op ", o, ": writes a constant");
      if (rt(m, id).producer != -1) return failAt(ErrorCode.BadGraph, "op ", o, ": output already produced");
      rt(m, id).producer = <i32>o;
    }
    if (load<u16>(rec, 22) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": reserved bytes not zero");
  }
  for (let i: u32 = 0; i < m.nOut; i++) {
    const id = load<u32>(m.io + (<usize>(m.nIn + i) << 2));
    if (id >= m.nTensors) return failAt(ErrorCode.BadGraph, "output ", i, ": tensor id out of range");
    if (load<u8>(trec(m, id), TensorField.Kind) != Kind.Act || rt(m, id).producer == -1)
      return failAt(ErrorCode.BadGraph, "output ", i, ": never produced");
  }
  return 0;
}

/** Reads the counts and table offsets from the header into m and checks they fit the file. */
export function checkTables(m: Model): i32 {
  const buf = m.buf;
  const len = <u64>m.len;
  m.nTensors = load<u32>(buf, Header.NumTensors);
  m.nOps = load<u32>(buf, Header.NumOps);
  m.nIn = load<u32>(buf, Header.NumInputs);
  m.nOut = load<u32>(buf, Header.NumOutputs);
  if (m.nTensors == 0 || m.nTensors > <u32>Format.MaxTensors) return fail(ErrorCode.BadHeader, "tensor count out of range");
  if (m.nOps == 0 || m.nOps > <u32>Format.MaxOps) return fail(ErrorCode.BadHeader, "op count out of range");
  if (m.nIn == 0 || m.nIn > 64 || m.nOut == 0 || m.nOut > 4096) return fail(ErrorCode.BadHeader, "input count outside 1..64 or output count outside 1..4096");
  const toff = load<u32>(buf, Header.TensorsOff);
  const ooff = load<u32>(buf, Header.OpsOff);
  const ioff = load<u32>(buf, Header.IoOff);
  if ((toff & 3) != 0 || !inBounds(toff, <u64>m.nTensors * Format.TensorRecordSize, len)) return fail(ErrorCode.OutOfRange, "tensor table out of range");
  if ((ooff & 3) != 0 || !inBounds(ooff, <u64>m.nOps * Format.OpRecordSize, len)) return fail(ErrorCode.OutOfRange, "op table out of range");
  if ((ioff & 3) != 0 || !inBounds(ioff, <u64>(m.nIn + m.nOut) * 4, len)) return fail(ErrorCode.OutOfRange, "input/output table out of range");
  for (let i = 44; i < 64; i++) if (load<u8>(buf + <usize>i) != 0) return fail(ErrorCode.BadHeader, "reserved header bytes not zero");
  m.tensors = buf + <usize>toff;
  m.ops = buf + <usize>ooff;
  m.io = buf + <usize>ioff;
  return 0;
}

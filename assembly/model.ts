// In-memory view of a loaded model. The model owns the container bytes it was loaded from and
// reads weights in place; everything here lives in allocator memory, never in managed objects.
import { DType, ErrorCode, Format, Header, Kind, OpField, TensorField } from "./format/spec";
import { alloc, free } from "./runtime/alloc";
import { fail } from "./runtime/errors";

/** Runtime facts about one tensor, derived once at load. */
@unmanaged export class TensorRt {
  numel: u32 = 0; // elements per sample for activations, total for constants
  elemSize: u32 = 0;
  arenaOff: u32 = 0; // per-sample byte offset; the arena address is arena + arenaOff * batch
  producer: i32 = -1; // op index, -2 for a model input, -1 for none
  ptr: usize = 0; // current data address
  qmult: i32 = 0; // spare for ops that want a per-tensor cached value
  pad: i32 = 0;
}

@unmanaged export class Model {
  buf: usize = 0;
  len: u32 = 0;
  nTensors: u32 = 0;
  nOps: u32 = 0;
  nIn: u32 = 0;
  nOut: u32 = 0;
  tensors: usize = 0; // tensor records inside buf
  ops: usize = 0; // op records inside buf
  io: usize = 0; // u32 ids inside buf
  rt: usize = 0; // TensorRt[nTensors]
  state: usize = 0; // usize[nOps]: per-op prepared state (0 when none)
  arenaPerSample: u32 = 0;
  arena: usize = 0;
  arenaBatch: u32 = 0;
  scratchPerSample: u32 = 0; // largest per-sample scratch any op asked for
  scratchFixed: u32 = 0; // largest batch-independent scratch
  scratch: usize = 0;
  owned: usize = 0; // usize[ownedCap]: blocks freed with the model
  ownedLen: u32 = 0;
  ownedCap: u32 = 0;
}

export const TENSOR_RT_SIZE: usize = offsetof<TensorRt>();

// ---- tensor record access -------------------------------------------------------------------
@inline export function trec(m: Model, t: u32): usize {
  return m.tensors + <usize>t * Format.TensorRecordSize;
}
@inline export function tDType(m: Model, t: u32): i32 { return load<u8>(trec(m, t), TensorField.DType); }
@inline export function tEncoding(m: Model, t: u32): i32 { return load<u8>(trec(m, t), TensorField.Encoding); }
@inline export function tKind(m: Model, t: u32): i32 { return load<u8>(trec(m, t), TensorField.Kind); }
@inline export function tRank(m: Model, t: u32): i32 { return load<u8>(trec(m, t), TensorField.Rank); }
@inline export function tDim(m: Model, t: u32, i: i32): i32 {
  return <i32>load<u32>(trec(m, t) + TensorField.Dims + (<usize>i << 2));
}
@inline export function tLastDim(m: Model, t: u32): i32 { return tDim(m, t, tRank(m, t) - 1); }
@inline export function tScaleCount(m: Model, t: u32): i32 { return <i32>load<u32>(trec(m, t), TensorField.ScaleCount); }
@inline export function tScalePtr(m: Model, t: u32): usize { return m.buf + <usize>load<u32>(trec(m, t), TensorField.ScaleOff); }
@inline export function tScale(m: Model, t: u32): f32 { return load<f32>(tScalePtr(m, t)); }
@inline export function tZeroPoint(m: Model, t: u32): i32 { return load<i32>(trec(m, t), TensorField.ZeroPoint); }
@inline export function tDataPtr(m: Model, t: u32): usize { return m.buf + <usize>load<u32>(trec(m, t), TensorField.DataOff); }
@inline export function tDataLen(m: Model, t: u32): u32 { return load<u32>(trec(m, t), TensorField.DataLen); }
@inline export function tAuxPtr(m: Model, t: u32): usize { return m.buf + <usize>load<u32>(trec(m, t), TensorField.AuxOff); }
@inline export function tAuxLen(m: Model, t: u32): u32 { return load<u32>(trec(m, t), TensorField.AuxLen); }
@inline export function tBits(m: Model, t: u32): i32 { return load<u8>(trec(m, t), TensorField.Bits); }
@inline export function isConst(m: Model, t: u32): bool { return tKind(m, t) == Kind.Const; }

@inline export function rt(m: Model, t: u32): TensorRt {
  return changetype<TensorRt>(m.rt + <usize>t * TENSOR_RT_SIZE);
}
/** Data address of a tensor for the current run (constants: in the container). */
@inline export function tptr(m: Model, t: u32): usize { return rt(m, t).ptr; }
@inline export function tNumel(m: Model, t: u32): i32 { return <i32>rt(m, t).numel; }

/** Product of dims [from, to) of a tensor. Shapes were bounded at load, so i32 is enough. */
export function dimProduct(m: Model, t: u32, from: i32, to: i32): i32 {
  let p: i32 = 1;
  for (let i = from; i < to; i++) p *= tDim(m, t, i);
  return p;
}

export function dtypeSize(dt: i32): u32 {
  if (dt == DType.F32 || dt == DType.I32) return 4;
  if (dt == DType.I8) return 1;
  return 0;
}

// ---- op record access -----------------------------------------------------------------------
@inline export function orec(m: Model, o: u32): usize {
  return m.ops + <usize>o * Format.OpRecordSize;
}
@inline export function opCode(m: Model, o: u32): i32 { return load<u16>(orec(m, o), OpField.Code); }
@inline export function opNumIn(m: Model, o: u32): i32 { return load<u8>(orec(m, o), OpField.NumIn); }
@inline export function opNumOut(m: Model, o: u32): i32 { return load<u8>(orec(m, o), OpField.NumOut); }
@inline export function opIn(m: Model, o: u32, i: i32): u32 {
  return load<u16>(orec(m, o) + OpField.In + (<usize>i << 1));
}
@inline export function opOut(m: Model, o: u32, i: i32): u32 {
  return load<u16>(orec(m, o) + OpField.Out + (<usize>i << 1));
}
@inline export function opAttr(m: Model, o: u32, i: i32): i32 {
  return load<i32>(orec(m, o) + OpField.Attrs + (<usize>i << 2));
}
@inline export function opAttrF(m: Model, o: u32, i: i32): f32 {
  return load<f32>(orec(m, o) + OpField.Attrs + (<usize>i << 2));
}
@inline export function opState(m: Model, o: u32): usize {
  return load<usize>(m.state + (<usize>o << alignof<usize>()));
}
@inline export function setOpState(m: Model, o: u32, s: usize): void {
  store<usize>(m.state + (<usize>o << alignof<usize>()), s);
}

@inline export function inputId(m: Model, i: u32): u32 { return load<u32>(m.io + (<usize>i << 2)); }
@inline export function outputId(m: Model, i: u32): u32 { return load<u32>(m.io + (<usize>(m.nIn + i) << 2)); }

export function headerU32(m: Model, field: i32): u32 { return load<u32>(m.buf + <usize>field); }
export { Header };

/** Zeroed memory owned by the model (freed on unload). Returns 0 and records OutOfMemory on failure. */
export function own(m: Model, size: usize): usize {
  if (m.ownedLen == m.ownedCap) {
    const cap = m.ownedCap == 0 ? 16 : m.ownedCap * 2;
    const list = alloc(<usize>cap << alignof<usize>());
    if (list == 0) { fail(ErrorCode.OutOfMemory, "out of memory"); return 0; }
    if (m.owned != 0) {
      memory.copy(list, m.owned, <usize>m.ownedLen << alignof<usize>());
      free(m.owned);
    }
    m.owned = list;
    m.ownedCap = cap;
  }
  const p = alloc(size);
  if (p == 0) { fail(ErrorCode.OutOfMemory, "out of memory"); return 0; }
  memory.fill(p, 0, size);
  store<usize>(m.owned + (<usize>m.ownedLen << alignof<usize>()), p);
  m.ownedLen++;
  return p;
}

export function freeOwned(m: Model): void {
  for (let i: u32 = 0; i < m.ownedLen; i++) free(load<usize>(m.owned + (<usize>i << alignof<usize>())));
  if (m.owned != 0) free(m.owned);
  m.owned = 0;
  m.ownedLen = 0;
  m.ownedCap = 0;
}

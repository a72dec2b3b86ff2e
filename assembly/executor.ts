// Loading (validate -> check ops -> prepare ops -> plan the arena), per-batch preparation and
// execution. Op selection happens here and only here.
import { ErrorCode, Format, Kind, Op } from "./format/spec";
import { checkGraph, checkHeader, checkTables, checkTensors } from "./format/reader";
import { alloc, free } from "./runtime/alloc";
import { clearError, fail, failAt } from "./runtime/errors";
import { Model, TENSOR_RT_SIZE, dtypeSize, freeOwned, opCode, rt, tDType, tKind, tRank, tDim, tDataPtr } from "./model";
import { checkDense, prepareDense, runDense } from "./ops/dense";
import { planArena } from "./plan";
import { checkConv, prepareConv, runConv } from "./ops/conv";
import { checkPool, preparePool, runPool } from "./ops/pool";
import { checkUnary, prepareUnary, runUnary } from "./ops/unary";
import { checkBinary, prepareBinary, runBinary } from "./ops/binary";
import { checkConcat, prepareConcat, runConcat } from "./ops/concat";
import { checkReshape, runReshape } from "./ops/reshape";
import { checkTranspose, runTranspose } from "./ops/transpose";
import { checkSoftmax, runSoftmax } from "./ops/softmax";
import { checkDequantize, checkDynamicQuantize, checkQuantize, prepareConvert, runDequantize, runDynamicQuantize, runQuantize } from "./ops/quantize";

const MAX_MODELS: i32 = 256;
const slots = memory.data(MAX_MODELS * 4); // Model pointers
const gens = memory.data(MAX_MODELS * 4); // generation per slot, so stale handles are refused

function checkOp(m: Model, o: u32): i32 {
  switch (opCode(m, o)) {
    case Op.Dense: return checkDense(m, o);
    case Op.Conv2d: return checkConv(m, o);
    case Op.MaxPool: case Op.AvgPool: case Op.GlobalAvgPool: return checkPool(m, o);
    case Op.Relu: case Op.Clip: case Op.Sigmoid: case Op.Tanh: case Op.HardSigmoid: case Op.HardSwish: return checkUnary(m, o);
    case Op.Add: case Op.Mul: return checkBinary(m, o);
    case Op.Concat: return checkConcat(m, o);
    case Op.Reshape: return checkReshape(m, o);
    case Op.Transpose: return checkTranspose(m, o);
    case Op.Softmax: return checkSoftmax(m, o);
    case Op.Quantize: return checkQuantize(m, o);
    case Op.Dequantize: return checkDequantize(m, o);
    case Op.DynamicQuantize: return checkDynamicQuantize(m, o);
    default: return failAt(ErrorCode.UnknownOp, "op ", o, ": unknown or unsupported op code");
  }
}

function prepareOp(m: Model, o: u32): i32 {
  switch (opCode(m, o)) {
    case Op.Dense: return prepareDense(m, o);
    case Op.Conv2d: return prepareConv(m, o);
    case Op.MaxPool: case Op.AvgPool: case Op.GlobalAvgPool: return preparePool(m, o);
    case Op.Relu: case Op.Clip: case Op.Sigmoid: case Op.Tanh: case Op.HardSigmoid: case Op.HardSwish: return prepareUnary(m, o);
    case Op.Add: case Op.Mul: return prepareBinary(m, o);
    case Op.Concat: return prepareConcat(m, o);
    case Op.Quantize: case Op.Dequantize: return prepareConvert(m, o);
    default: return 0;
  }
}

function runOp(m: Model, o: u32, batch: i32): void {
  switch (opCode(m, o)) {
    case Op.Dense: runDense(m, o, batch); break;
    case Op.Conv2d: runConv(m, o, batch); break;
    case Op.MaxPool: case Op.AvgPool: case Op.GlobalAvgPool: runPool(m, o, batch); break;
    case Op.Relu: case Op.Clip: case Op.Sigmoid: case Op.Tanh: case Op.HardSigmoid: case Op.HardSwish: runUnary(m, o, batch); break;
    case Op.Add: case Op.Mul: runBinary(m, o, batch); break;
    case Op.Concat: runConcat(m, o, batch); break;
    case Op.Reshape: runReshape(m, o, batch); break;
    case Op.Transpose: runTranspose(m, o, batch); break;
    case Op.Softmax: runSoftmax(m, o, batch); break;
    case Op.Quantize: runQuantize(m, o, batch); break;
    case Op.Dequantize: runDequantize(m, o, batch); break;
    case Op.DynamicQuantize: runDynamicQuantize(m, o, batch); break;
    default: unreachable();
  }
}

function destroy(m: Model): void {
  freeOwned(m);
  if (m.arena != 0) free(m.arena);
  if (m.rt != 0) free(m.rt);
  if (m.state != 0) free(m.state);
  free(m.buf);
  free(changetype<usize>(m));
}

function build(m: Model): i32 {
  let r = checkTables(m);
  if (r < 0) return r;
  m.rt = alloc(<usize>m.nTensors * TENSOR_RT_SIZE);
  m.state = alloc(<usize>m.nOps << alignof<usize>());
  if (m.rt == 0 || m.state == 0) return fail(ErrorCode.OutOfMemory, "out of memory loading the model");
  memory.fill(m.state, 0, <usize>m.nOps << alignof<usize>());
  r = checkTensors(m);
  if (r < 0) return r;
  // per-tensor facts; activation offsets come from planArena once the graph is known
  for (let t: u32 = 0; t < m.nTensors; t++) {
    const info = rt(m, t);
    let numel: u32 = 1;
    for (let i = 0; i < tRank(m, t); i++) numel *= <u32>tDim(m, t, i);
    info.numel = numel;
    info.elemSize = dtypeSize(tDType(m, t));
    info.producer = -1;
    info.qmult = 0;
    info.pad = 0;
    if (tKind(m, t) == Kind.Const) {
      info.ptr = tDataPtr(m, t);
      info.arenaOff = 0;
    } else {
      info.ptr = 0;
      info.arenaOff = 0;
    }
  }
  r = checkGraph(m);
  if (r < 0) return r;
  for (let o: u32 = 0; o < m.nOps; o++) {
    r = checkOp(m, o);
    if (r < 0) return r;
  }
  for (let o: u32 = 0; o < m.nOps; o++) {
    r = prepareOp(m, o);
    if (r < 0) return r;
  }
  return planArena(m);
}

/** Takes ownership of [buf, buf+len) (from alloc). Returns a handle > 0 or a negated error code. */
export function loadModel(buf: usize, len: u32): i32 {
  clearError();
  let slot: i32 = -1;
  for (let i = 0; i < MAX_MODELS; i++) {
    if (load<u32>(slots + (<usize>i << 2)) == 0) { slot = i; break; }
  }
  if (slot < 0) { free(buf); return fail(ErrorCode.OutOfMemory, "too many models loaded (256)"); }
  let r = checkHeader(buf, len);
  if (r < 0) { free(buf); return r; }
  const mp = alloc(offsetof<Model>());
  if (mp == 0) { free(buf); return fail(ErrorCode.OutOfMemory, "out of memory loading the model"); }
  memory.fill(mp, 0, offsetof<Model>());
  const m = changetype<Model>(mp);
  m.buf = buf;
  m.len = len;
  r = build(m);
  if (r < 0) {
    destroy(m);
    return r;
  }
  store<u32>(slots + (<usize>slot << 2), <u32>mp);
  const gen = (load<u32>(gens + (<usize>slot << 2)) + 1) & 0x3fffff;
  store<u32>(gens + (<usize>slot << 2), gen == 0 ? 1 : gen);
  return <i32>((gen == 0 ? 1 : gen) << 8 | <u32>slot) + 1;
}

/** The model behind a handle, or null (with BadHandle recorded). */
export function modelOf(h: i32): Model | null {
  if (h <= 0) { fail(ErrorCode.BadHandle, "invalid model handle"); return null; }
  const v = <u32>(h - 1);
  const slot = v & 0xff;
  const gen = v >> 8;
  const mp = load<u32>(slots + (<usize>slot << 2));
  if (mp == 0 || load<u32>(gens + (<usize>slot << 2)) != gen) { fail(ErrorCode.BadHandle, "unknown or unloaded model handle"); return null; }
  return changetype<Model>(<usize>mp);
}

export function unloadModel(h: i32): i32 {
  clearError();
  const m = modelOf(h);
  if (m === null) return -ErrorCode.BadHandle;
  const slot = <u32>(h - 1) & 0xff;
  store<u32>(slots + (<usize>slot << 2), 0);
  destroy(m);
  return 0;
}

/** Sizes the arena for `batch` samples and points every activation into it. */
export function prepareBatch(m: Model, batch: i32): i32 {
  if (batch < 1 || batch > 65536) return failAt(ErrorCode.BadArgument, "batch size ", batch, " outside 1..65536");
  if (<u32>batch == m.arenaBatch && m.arena != 0) return 0;
  const bytes = <u64>m.arenaPerSample * <u64>batch;
  if (bytes > 0x7fff0000) return fail(ErrorCode.OutOfMemory, "activations for this batch exceed 2 GiB");
  if (m.arena != 0) { free(m.arena); m.arena = 0; m.arenaBatch = 0; }
  const arena = alloc(<usize>max<u64>(bytes, 16));
  if (arena == 0) return failAt(ErrorCode.OutOfMemory, "out of memory for batch ", batch, "");
  memory.fill(arena, 0, <usize>bytes);
  m.arena = arena;
  m.arenaBatch = <u32>batch;
  for (let t: u32 = 0; t < m.nTensors; t++) {
    if (tKind(m, t) != Kind.Const) {
      const info = rt(m, t);
      info.ptr = arena + <usize>info.arenaOff * <usize>batch;
    }
  }
  return 0;
}

export function runModel(m: Model): i32 {
  if (m.arena == 0) return fail(ErrorCode.NotPrepared, "call prepare(batch) before run");
  const batch = <i32>m.arenaBatch;
  for (let o: u32 = 0; o < m.nOps; o++) runOp(m, o, batch);
  return 0;
}

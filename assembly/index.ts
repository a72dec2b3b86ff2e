// edgeq.wasm ABI (docs/abi.md). Integers and pointers into this instance's memory only; no
// imports, no callbacks. Negative results are negated ErrorCode values; the message of the
// last error is at edgeq_error_ptr() for edgeq_error_len() bytes (ASCII).
import { ErrorCode, Format, TensorField } from "./format/spec";
import { alloc, bytesInUse, free, peakBytesInUse, resetPeak } from "./runtime/alloc";
import { clearError, fail, lastErrorCode, messageLength, messagePtr } from "./runtime/errors";
import { loadModel, modelOf, prepareBatch, runModel, unloadModel } from "./executor";
import { inputId, outputId, rt, trec, tDType, tRank, tScale, tScaleCount, tZeroPoint } from "./model";

const ABI_VERSION: i32 = 1;
import "./runtime/abort"; // referenced by --use abort=...

export function edgeq_abi_version(): i32 { return ABI_VERSION; }
export function edgeq_format_version(): i32 { return Format.Version; }

/** 16-byte aligned block for host data (a model to load, or scratch); 0 when out of memory. */
export function edgeq_alloc(size: u32): usize {
  return alloc(<usize>size);
}
export function edgeq_free(ptr: usize): void { free(ptr); }

/** Takes ownership of the bytes (allocated with edgeq_alloc) whether or not loading succeeds. */
export function edgeq_load(ptr: usize, len: u32): i32 { return loadModel(ptr, len); }
export function edgeq_unload(h: i32): i32 { return unloadModel(h); }

export function edgeq_last_error(): i32 { return lastErrorCode(); }
export function edgeq_error_ptr(): usize { return messagePtr(); }
export function edgeq_error_len(): i32 { return messageLength(); }

export function edgeq_io_count(h: i32, isOutput: i32): i32 {
  clearError();
  const m = modelOf(h);
  if (m === null) return -ErrorCode.BadHandle;
  return <i32>(isOutput ? m.nOut : m.nIn);
}

/**
 * Writes IoInfo (48 bytes) at out: u32 tensorId, u32 dtype, u32 rank, u32 dims[4] (per sample),
 * f32 scale (0 when unscaled), i32 zeroPoint, u32 namePtr, u32 nameLen, u32 reserved.
 */
export function edgeq_io_info(h: i32, isOutput: i32, idx: i32, out: usize): i32 {
  clearError();
  const m = modelOf(h);
  if (m === null) return -ErrorCode.BadHandle;
  const count = isOutput ? m.nOut : m.nIn;
  if (idx < 0 || <u32>idx >= count) return fail(ErrorCode.BadArgument, "input/output index out of range");
  const t = isOutput ? outputId(m, idx) : inputId(m, idx);
  const rec = trec(m, t);
  store<u32>(out, t);
  store<u32>(out, tDType(m, t), 4);
  store<u32>(out, tRank(m, t), 8);
  for (let i = 0; i < Format.MaxRank; i++) store<u32>(out + 12 + (<usize>i << 2), load<u32>(rec + TensorField.Dims + (<usize>i << 2)));
  store<f32>(out, tScaleCount(m, t) > 0 ? tScale(m, t) : 0, 28);
  store<i32>(out, tZeroPoint(m, t), 32);
  store<u32>(out, <u32>(m.buf + <usize>load<u32>(rec, TensorField.NameOff)), 36);
  store<u32>(out, load<u32>(rec, TensorField.NameLen), 40);
  store<u32>(out, 0, 44);
  return 0;
}

/** Sizes activation memory for `batch` samples; input/output pointers are valid after this. */
export function edgeq_prepare(h: i32, batch: i32): i32 {
  clearError();
  const m = modelOf(h);
  if (m === null) return -ErrorCode.BadHandle;
  return prepareBatch(m, batch);
}

/** Address of input/output idx for the prepared batch (batch * per-sample bytes), or 0. */
export function edgeq_io_ptr(h: i32, isOutput: i32, idx: i32): usize {
  clearError();
  const m = modelOf(h);
  if (m === null) return 0;
  if (m.arena == 0) { fail(ErrorCode.NotPrepared, "call edgeq_prepare first"); return 0; }
  const count = isOutput ? m.nOut : m.nIn;
  if (idx < 0 || <u32>idx >= count) { fail(ErrorCode.BadArgument, "input/output index out of range"); return 0; }
  return rt(m, isOutput ? outputId(m, idx) : inputId(m, idx)).ptr;
}

export function edgeq_run(h: i32): i32 {
  clearError();
  const m = modelOf(h);
  if (m === null) return -ErrorCode.BadHandle;
  return runModel(m);
}

export function edgeq_mem_in_use(): usize { return bytesInUse(); }
export function edgeq_mem_peak(): usize { return peakBytesInUse(); }
export function edgeq_mem_reset_peak(): void { resetPeak(); }

// Training kernels (docs/abi.md, "Training kernels").
export {
  edgeq_train_matmul,
  edgeq_train_conv2d_forward,
  edgeq_train_conv2d_backward_input,
  edgeq_train_conv2d_backward_weights,
  edgeq_train_maxpool_forward,
  edgeq_train_maxpool_backward,
  edgeq_train_avgpool_forward,
  edgeq_train_avgpool_backward,
  edgeq_train_relu,
  edgeq_train_relu_backward,
  edgeq_train_bias_add,
  edgeq_train_bias_grad,
} from "./train/api";

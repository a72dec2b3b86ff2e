// The artifact's exports, typed once (docs/abi.md). Nothing else in the host touches raw exports.
export interface EdgeqExports {
  memory: WebAssembly.Memory;
  edgeq_abi_version(): number;
  edgeq_format_version(): number;
  edgeq_alloc(size: number): number;
  edgeq_free(ptr: number): void;
  edgeq_load(ptr: number, len: number): number;
  edgeq_unload(handle: number): number;
  edgeq_last_error(): number;
  edgeq_error_ptr(): number;
  edgeq_error_len(): number;
  edgeq_io_count(handle: number, isOutput: number): number;
  edgeq_io_info(handle: number, isOutput: number, index: number, out: number): number;
  edgeq_prepare(handle: number, batch: number): number;
  edgeq_io_ptr(handle: number, isOutput: number, index: number): number;
  edgeq_run(handle: number): number;
  edgeq_mem_in_use(): number;
  edgeq_mem_peak(): number;
  edgeq_mem_reset_peak(): void;
  // Training kernels: f32 buffers in linear memory; gradients are added to their outputs.
  edgeq_train_matmul(transA: number, transB: number, M: number, N: number, K: number, a: number, b: number, c: number, accumulate: number): number;
  edgeq_train_conv2d_forward(desc: number, x: number, w: number, bias: number, y: number): number;
  edgeq_train_conv2d_backward_input(desc: number, dy: number, w: number, dx: number): number;
  edgeq_train_conv2d_backward_weights(desc: number, x: number, dy: number, dw: number, db: number): number;
  edgeq_train_maxpool_forward(desc: number, x: number, y: number, argmax: number): number;
  edgeq_train_maxpool_backward(desc: number, dy: number, argmax: number, dx: number): number;
  edgeq_train_avgpool_forward(desc: number, x: number, y: number): number;
  edgeq_train_avgpool_backward(desc: number, dy: number, dx: number): number;
  edgeq_train_relu(x: number, y: number, n: number, hi: number): number;
  edgeq_train_relu_backward(x: number, dy: number, dx: number, n: number, hi: number): number;
  edgeq_train_bias_add(y: number, bias: number, rows: number, n: number): number;
  edgeq_train_bias_grad(dy: number, rows: number, n: number, db: number): number;
}

/** The exact export list of the artifact; a test checks the built module against it. */
export const ABI_EXPORTS = [
  "memory",
  "edgeq_abi_version",
  "edgeq_format_version",
  "edgeq_alloc",
  "edgeq_free",
  "edgeq_load",
  "edgeq_unload",
  "edgeq_last_error",
  "edgeq_error_ptr",
  "edgeq_error_len",
  "edgeq_io_count",
  "edgeq_io_info",
  "edgeq_prepare",
  "edgeq_io_ptr",
  "edgeq_run",
  "edgeq_mem_in_use",
  "edgeq_mem_peak",
  "edgeq_mem_reset_peak",
  "edgeq_train_matmul",
  "edgeq_train_conv2d_forward",
  "edgeq_train_conv2d_backward_input",
  "edgeq_train_conv2d_backward_weights",
  "edgeq_train_maxpool_forward",
  "edgeq_train_maxpool_backward",
  "edgeq_train_avgpool_forward",
  "edgeq_train_avgpool_backward",
  "edgeq_train_relu",
  "edgeq_train_relu_backward",
  "edgeq_train_bias_add",
  "edgeq_train_bias_grad",
] as const;

/** Field order of the i32 descriptor records the training kernels read (assembly/train/desc.ts). */
export const CONV_DESC = ["B", "H", "W", "C", "OH", "OW", "Cout", "KH", "KW", "SH", "SW", "PT", "PL", "DH", "DW", "Groups"] as const;
export const POOL_DESC = ["B", "H", "W", "C", "OH", "OW", "KH", "KW", "SH", "SW", "PT", "PL", "CountIncludePad"] as const;

export const ABI_VERSION = 1;
export const IO_INFO_SIZE = 48;

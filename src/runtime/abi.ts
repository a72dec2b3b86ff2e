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
] as const;

export const ABI_VERSION = 1;
export const IO_INFO_SIZE = 48;

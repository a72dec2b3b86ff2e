// The package's entry point ("main" in package.json): the runtime-neutral API. Node helpers that
// read the built artifacts from disk (createEngine, readArtifact) are in src/node.ts.
export { Engine, Model } from "./runtime/engine.ts";
export type { EngineOptions, IoInfo, RunOptions, Tensor, TensorData, WasmSource } from "./runtime/engine.ts";
export { EdgeqError, ErrorCode } from "./runtime/errors.ts";
export type { ErrorName } from "./runtime/errors.ts";
export { GraphBuilder } from "./format/builder.ts";
export type { QuantParams } from "./format/builder.ts";
export { codebook, csr, nm24 } from "./format/encodings.ts";
export { importOnnx, supportedOps, unsupportedNodes, MIN_OPSET, MAX_OPSET } from "./import/onnx.ts";
export type { ImportOptions, ImportResult } from "./import/onnx.ts";
export { quantizeModel } from "./quantize/quantizer.ts";
export type { Mode, QuantizeOptions, QuantizeResult } from "./quantize/quantizer.ts";

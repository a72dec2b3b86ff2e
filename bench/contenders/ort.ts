// onnxruntime-web (wasm backend, one thread) sessions over models from bench/onnx-models.ts.
import * as ort from "onnxruntime-web";

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.logLevel = "error";

export type OrtFeeds = Record<string, { type: "float32" | "int8" | "uint8" | "int32"; data: Float32Array | Int8Array | Uint8Array | Int32Array; dims: number[] }>;

export interface OrtRunner {
  run(): Promise<Float32Array | Int8Array | Uint8Array | Int32Array>;
  release(): Promise<void>;
}

export async function ortRunner(model: Uint8Array, feeds: OrtFeeds, output: string): Promise<OrtRunner> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const tensors: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) tensors[k] = new ort.Tensor(v.type, v.data, v.dims);
  return {
    async run() {
      const out = await session.run(tensors);
      return out[output].data as Float32Array | Int8Array | Uint8Array | Int32Array;
    },
    release: () => session.release(),
  };
}

export const ortVersion = (): string => ort.env.versions?.web ?? "unknown";

// onnxruntime-web as the independent reference for imported/exported models (runs in Node,
// single-threaded so results do not depend on the machine's core count).
import * as ort from "onnxruntime-web";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error"; // unused-initializer warnings are expected in tests

export interface OrtFeed {
  data: Float32Array;
  dims: number[];
}

export async function runOrt(model: Uint8Array, feeds: Record<string, OrtFeed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor("float32", v.data, v.dims);
    const out = await session.run(inputs);
    const res: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: [...v.dims] };
    return res;
  } finally {
    await session.release();
  }
}

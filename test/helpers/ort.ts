// onnxruntime-web as the independent reference for imported/exported models (runs in Node,
// single-threaded so results do not depend on the machine's core count).
import * as ort from "onnxruntime-web";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error"; // unused-initializer warnings are expected in tests

export { ort };

/**
 * A session. onnxruntime's Node init assigns `globalThis.Worker`; @wasmer/sdk (used by other tests
 * in the same process) defines it read-only, so it is made writable for the call and restored.
 */
export async function ortSession(model: Uint8Array): Promise<ort.InferenceSession> {
  const d = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  if (d && !d.writable && d.configurable) Object.defineProperty(globalThis, "Worker", { ...d, writable: true });
  try {
    return await ort.InferenceSession.create(model);
  } finally {
    if (d && d.configurable) Object.defineProperty(globalThis, "Worker", d);
  }
}

export interface OrtFeed {
  data: Float32Array;
  dims: number[];
}

export async function runOrt(model: Uint8Array, feeds: Record<string, OrtFeed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ortSession(model);
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

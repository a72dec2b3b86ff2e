// The Worker: the shared HTTP app (src/serve/app.ts) over models bundled with the script.
// Workers refuse to compile wasm from bytes, so edgeq.wasm arrives as a WebAssembly.Module
// (an imported .wasm module, type CompiledWasm) and each .edgeq model as an ArrayBuffer
// (an imported Data module). One engine and its loaded models live as long as the isolate.
import type { Hono } from "hono";
import { Engine } from "../../../src/runtime/engine.ts";
import { createApp, type ServedModel } from "../../../src/serve/app.ts";

export interface WorkerEnv {
  /** Optional overrides from wrangler.toml [vars]. */
  MAX_BODY_BYTES?: string;
  MAX_BATCH?: string;
}

export function createWorker(wasm: WebAssembly.Module, models: Record<string, ArrayBuffer>) {
  let app: Promise<Hono> | undefined;
  async function init(env: WorkerEnv): Promise<Hono> {
    const engine = await Engine.create(wasm);
    const served: ServedModel[] = Object.entries(models).map(([name, buf]) => ({ name, model: engine.load(new Uint8Array(buf)), bytes: buf.byteLength }));
    return createApp({
      engine,
      models: served,
      maxBodyBytes: env.MAX_BODY_BYTES ? Number(env.MAX_BODY_BYTES) : undefined,
      maxBatch: env.MAX_BATCH ? Number(env.MAX_BATCH) : undefined,
      onServerError: (e) => console.error(e),
    });
  }
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: unknown): Promise<Response> {
      app ??= init(env ?? {}).catch((e) => {
        app = undefined; // let the next request retry instead of caching the failure
        throw e;
      });
      return (await app).fetch(request, env, ctx as never);
    },
  };
}

// The HTTP inference app, one hono app for every JS target: the Node gateway serves it with
// @hono/node-server, the Worker exports its fetch. It only moves bytes between HTTP and Model.run.
//
//   GET  /healthz                  {"ok": true, "models": n}
//   GET  /metrics                  Prometheus text (requests, errors, latency histogram, memory)
//   GET  /v1/models                the loaded models with their inputs and outputs
//   POST /v1/models/:name/infer    JSON or application/x-edgeq-tensors in; same format out
//                                  (binary out also when Accept names the binary type)
// Every failure is a JSON body {"error": {"status", "code", "message"}}.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Engine, IoInfo, Model } from "../runtime/engine.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import { Metrics } from "./metrics.ts";
import { BINARY_TYPE, DTYPE_NAMES, WireError, bindInputs, decodeTensors, encodeTensors, outputsToJson, outputsToWire, parseJsonRequest, typeJsonInputs } from "./wire.ts";

export interface ServedModel {
  name: string;
  model: Model;
  /** Size of the .edgeq container. */
  bytes: number;
}

export interface AppOptions {
  engine: Engine;
  models: ServedModel[];
  /** Largest accepted request body in bytes (default 8 MiB). */
  maxBodyBytes?: number;
  /** Largest batch per request (default 1024). */
  maxBatch?: number;
  metrics?: Metrics;
  /** Extra gauges for /metrics, e.g. process memory on Node. */
  gauges?: () => Record<string, number>;
  /** Called for 5xx errors (logging). */
  onServerError?: (err: unknown) => void;
}

const ioJson = (i: IoInfo) => ({ name: i.name, dtype: DTYPE_NAMES[i.dtype], shape: i.shape, scale: i.scale, zeroPoint: i.zeroPoint });

function errorBody(c: Context, status: number, code: string, message: string) {
  return c.json({ error: { status, code, message } }, status as 400);
}

/** Engine errors caused by the request's data are the client's fault; the rest are ours. */
function statusOf(e: unknown): { status: number; code: string } {
  if (e instanceof WireError) return { status: e.status, code: e.status === 413 ? "PayloadTooLarge" : e.status === 404 ? "NotFound" : "BadRequest" };
  if (e instanceof EdgeqError) return { status: e.code === ErrorCode.BadArgument ? 400 : e.code === ErrorCode.OutOfMemory ? 503 : 500, code: e.codeName };
  return { status: 500, code: "Internal" };
}

export function createApp(opts: AppOptions): Hono {
  const metrics = opts.metrics ?? new Metrics();
  const byName = new Map(opts.models.map((m) => [m.name, m]));
  const maxBody = opts.maxBodyBytes ?? 8 << 20;
  const maxBatch = opts.maxBatch ?? 1024;
  const app = new Hono();

  app.use("*", async (c, next) => {
    const t0 = performance.now();
    await next();
    const route = c.req.routePath && c.req.routePath !== "*" && c.req.routePath !== "/*" ? c.req.routePath : "other";
    metrics.observe(route, c.res.status, (performance.now() - t0) / 1000);
  });

  app.onError((e, c) => {
    const { status, code } = statusOf(e);
    if (status >= 500) opts.onServerError?.(e);
    return errorBody(c, status, code, e instanceof Error ? e.message : String(e));
  });
  app.notFound((c) => errorBody(c, 404, "NotFound", `no route ${c.req.method} ${new URL(c.req.url).pathname}`));

  app.get("/healthz", (c) => c.json({ ok: true, models: byName.size }));

  app.get("/metrics", (c) => {
    const mem = opts.engine.memoryStats();
    const text = metrics.render({ edgeq_wasm_linear_bytes: mem.linear, edgeq_wasm_in_use_bytes: mem.inUse, edgeq_wasm_peak_bytes: mem.peak, edgeq_models_loaded: byName.size, ...opts.gauges?.() });
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4" });
  });

  app.get("/v1/models", (c) =>
    c.json({ models: [...byName.values()].map((m) => ({ name: m.name, bytes: m.bytes, inputs: m.model.inputs.map(ioJson), outputs: m.model.outputs.map(ioJson) })) }),
  );

  app.post(
    "/v1/models/:name/infer",
    bodyLimit({ maxSize: maxBody, onError: (c) => errorBody(c, 413, "PayloadTooLarge", `request body exceeds ${maxBody} bytes`) }),
    async (c) => {
      const served = byName.get(c.req.param("name"));
      if (!served) return errorBody(c, 404, "UnknownModel", `no model "${c.req.param("name")}"; GET /v1/models lists them`);
      const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
      const model = served.model;
      let tensors;
      if (type === BINARY_TYPE) tensors = decodeTensors(new Uint8Array(await c.req.arrayBuffer()));
      else if (type === "application/json" || type === "") tensors = typeJsonInputs(model, parseJsonRequest(await c.req.text()));
      else return errorBody(c, 415, "UnsupportedMediaType", `send application/json or ${BINARY_TYPE}, not ${type}`);
      const { data } = bindInputs(model, tensors, maxBatch);
      const outputs = model.run(data);
      const wantBinary = type === BINARY_TYPE || (c.req.header("accept") ?? "").includes(BINARY_TYPE);
      if (wantBinary) {
        const body = encodeTensors(outputsToWire(outputs));
        return c.body(body.buffer as ArrayBuffer, 200, { "content-type": BINARY_TYPE });
      }
      return c.json({ model: served.name, outputs: outputsToJson(outputs) });
    },
  );

  return app;
}

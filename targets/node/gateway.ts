// Node inference gateway: several .edgeq models behind the shared HTTP app (src/serve/app.ts),
// served by @hono/node-server. `edgeq serve` is the command-line front of this file.
import { createAdaptorServer } from "@hono/node-server";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createApp, type ServedModel } from "../../src/serve/app.ts";
import { Metrics } from "../../src/serve/metrics.ts";
import type { Engine } from "../../src/runtime/engine.ts";
import { createEngine } from "../../src/node.ts";

export interface GatewayOptions {
  /** name → .edgeq path or bytes. */
  models: Record<string, string | Uint8Array>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  maxBatch?: number;
  engine?: Engine;
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  metrics: Metrics;
  engine: Engine;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then frees the models. */
  close(graceMs?: number): Promise<void>;
}

/** "name=path" or "path" (the name is the file name without .edgeq). */
export function parseModelArg(arg: string): [string, string] {
  const eq = arg.indexOf("=");
  if (eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)];
  return [basename(arg).replace(/\.edgeq$/, ""), arg];
}

function processGauges(): Record<string, number> {
  // Started with --expose-gc (the load benchmark does), collect first so the gauges show
  // retained memory rather than garbage not yet collected.
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { process_resident_memory_bytes: m.rss, nodejs_heap_used_bytes: m.heapUsed, nodejs_external_bytes: m.external };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const engine = opts.engine ?? (await createEngine());
  const log = opts.log ?? (() => {});
  const served: ServedModel[] = Object.entries(opts.models).map(([name, src]) => {
    const bytes = typeof src === "string" ? readFileSync(src) : src;
    return { name, model: engine.load(bytes), bytes: bytes.length };
  });
  const metrics = new Metrics();
  const app = createApp({ engine, models: served, maxBodyBytes: opts.maxBodyBytes, maxBatch: opts.maxBatch, metrics, gauges: processGauges, onServerError: (e) => log(`error: ${(e as Error).stack ?? e}`) });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8080, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    metrics,
    engine,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          for (const s of served) s.model.dispose();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

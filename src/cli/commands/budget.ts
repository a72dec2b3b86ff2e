// `edgeq budget`: will this model fit a Cloudflare Worker? Sizes the upload (artifact + model,
// gzip-compressed as Workers measure it) and the memory of a real run (wasm linear memory after
// loading and running a batch, plus the model bytes the isolate keeps as a Data module) against
// the Workers limits. Exits with EXIT.overBudget when a limit is exceeded.
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { DType } from "../../../assembly/format/spec.ts";
import { createEngine, readArtifact } from "../../node.ts";
import { EXIT } from "../errors.ts";

/** Workers platform limits (developers.cloudflare.com/workers/platform/limits). */
export const WORKERS_LIMITS = {
  memoryBytes: 128 * 1024 * 1024,
  scriptGzipBytes: { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 },
} as const;

/** Room left for the JS heap (hono, the engine wrapper, request bodies) inside the isolate. */
const JS_HEADROOM = 16 * 1024 * 1024;

export interface BudgetReport {
  model: string;
  artifactBytes: number;
  modelBytes: number;
  uploadGzipBytes: number;
  scriptLimitBytes: number;
  batch: number;
  linearMemoryBytes: number;
  allocatorPeakBytes: number;
  isolateEstimateBytes: number;
  memoryLimitBytes: number;
  fits: boolean;
}

export async function budget(path: string, batch: number, plan: "free" | "paid"): Promise<BudgetReport> {
  const model = readFileSync(path);
  const artifact = readArtifact();
  const engine = await createEngine();
  engine.resetPeak();
  const m = engine.load(model);
  const inputs = m.inputs.map((i) => {
    const n = batch * i.shape.reduce((a, b) => a * b, 1);
    return i.dtype === DType.F32 ? new Float32Array(n) : i.dtype === DType.I8 ? new Int8Array(n) : new Int32Array(n);
  });
  m.run(inputs);
  const mem = engine.memoryStats();
  m.dispose();
  const uploadGzipBytes = gzipSync(artifact).length + gzipSync(model).length;
  const isolateEstimateBytes = mem.linear + model.length + JS_HEADROOM;
  const scriptLimitBytes = WORKERS_LIMITS.scriptGzipBytes[plan];
  return {
    model: path,
    artifactBytes: artifact.length,
    modelBytes: model.length,
    uploadGzipBytes,
    scriptLimitBytes,
    batch,
    linearMemoryBytes: mem.linear,
    allocatorPeakBytes: mem.peak,
    isolateEstimateBytes,
    memoryLimitBytes: WORKERS_LIMITS.memoryBytes,
    fits: uploadGzipBytes <= scriptLimitBytes && isolateEstimateBytes <= WORKERS_LIMITS.memoryBytes,
  };
}

const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;

export function register(program: Command): void {
  program
    .command("budget")
    .description("Check a model against the Cloudflare Workers limits (script size, 128 MB isolate memory)")
    .argument("<model>", ".edgeq file")
    .option("--batch <n>", "batch size to measure the run with", "1")
    .option("--plan <plan>", "free (3 MiB gzip script) or paid (10 MiB)", "free")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  $ edgeq budget mnist.edgeq --batch 32 --plan paid")
    .action(async (path: string, opts: { batch: string; plan: string; json?: boolean }) => {
      const plan = opts.plan === "paid" ? "paid" : "free";
      const r = await budget(path, Math.max(1, Number(opts.batch) | 0), plan);
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(`artifact          ${r.artifactBytes} bytes`);
        console.log(`model             ${r.modelBytes} bytes`);
        console.log(`upload (gzip)     ${mib(r.uploadGzipBytes)} of ${mib(r.scriptLimitBytes)} (${plan} plan)${r.uploadGzipBytes > r.scriptLimitBytes ? "  OVER" : ""}`);
        console.log(`wasm memory       ${mib(r.linearMemoryBytes)} linear, allocator peak ${mib(r.allocatorPeakBytes)} at batch ${r.batch}`);
        console.log(`isolate estimate  ${mib(r.isolateEstimateBytes)} of ${mib(r.memoryLimitBytes)} (linear + model + ${mib(JS_HEADROOM)} JS headroom)${r.isolateEstimateBytes > r.memoryLimitBytes ? "  OVER" : ""}`);
        console.log(r.fits ? "fits Cloudflare Workers" : "does NOT fit Cloudflare Workers");
      }
      if (!r.fits) process.exitCode = EXIT.overBudget;
    });
}

// `npm run bench [-- --quick] [-- --name <name>]`: edgeq against its peers in one Node process,
// single thread. Every contender's output is checked against a scalar reference before it is
// timed; the relaxed build runs in a child Node with --experimental-wasm-relaxed-simd.
// Prints a table and writes bench/results/<name>.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, platform, arch, release } from "node:os";
import { fileURLToPath } from "node:url";
import { createEngine } from "../src/node.ts";
import type { Ctx, Row } from "./harness.ts";
import { FULL, QUICK } from "./timing.ts";
import { measurePeak, peakSampler } from "./peak.ts";
import { gemmCases } from "./cases/gemm.ts";
import { sparseCases } from "./cases/sparse.ts";
import { modelCases } from "./cases/models.ts";
import { convCases } from "./cases/conv.ts";
import { memoryCases } from "./cases/memory.ts";
import { lenet5Cases } from "./cases/lenet5.ts";
import { ortVersion } from "./contenders/ort.ts";
import { tfReady, tfVersion } from "./contenders/tfjs.ts";
import { summarize, table } from "./report.ts";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const nameIdx = argv.indexOf("--name");
const name = nameIdx >= 0 ? argv[nameIdx + 1] : quick ? "quick" : "latest";
const onlyIdx = argv.indexOf("--only");
const only = onlyIdx >= 0 ? argv[onlyIdx + 1].split(",") : null; // gemm,sparse,models,conv,memory,relaxed
const want = (g: string) => !only || only.includes(g);
const log = (s: string) => process.stderr.write(s + "\n");

const opts = quick ? QUICK : FULL;
const engine = await createEngine();
const rows: Row[] = [];
const ctx: Ctx = { opts, quick, engine, engines: [["edgeq-simd128", engine]], role: "main", rows, pending: [], peakSample: await peakSampler(quick ? 50_000 : 500_000), log };

log("peak ...");
const peakGops = await measurePeak(quick ? 7 : 21, quick ? 200_000 : 2_000_000);
log(`peak ${peakGops.toFixed(1)} GOPS`);
await tfReady().catch((e) => log(`tfjs unavailable: ${e.message}`));
if (want("gemm")) await gemmCases(ctx);
if (want("sparse")) await sparseCases(ctx);
if (want("models")) await modelCases(ctx);
if (want("models")) await lenet5Cases(ctx);
if (want("conv")) await convCases(ctx);
if (want("memory")) await memoryCases(ctx);

if (want("relaxed")) try {
  log("relaxed child ...");
  const child = fileURLToPath(new URL("./relaxed-child.ts", import.meta.url));
  const out = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--no-liftoff", "--import", "tsx", child, ...(quick ? ["--quick"] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  // the child numbers its settle() rounds from 1 too: keep its ids apart from ours
  rows.push(...(JSON.parse(out.trim().split("\n").pop()!) as Row[]).map((r) => ({ ...r, settleId: r.settleId === undefined ? undefined : -r.settleId })));
} catch (e) {
  rows.push({ group: "gemm-int8", case: "*", contender: "edgeq-relaxed", ops: 0, int8: true, status: "error", note: (e as Error).message.slice(0, 160) });
}

const machine = {
  cpu: cpus()[0]?.model, cores: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1), os: `${platform()} ${release()} ${arch()}`,
  node: process.version, v8: process.versions.v8, loadavg: loadavg().map((v) => +v.toFixed(2)),
  ortWeb: ortVersion(), tfjs: tfVersion(), date: new Date().toISOString(),
};
const result = { name, quick, command: `npm run bench${quick ? " -- --quick" : ""}`, machine, timing: opts, peakGops, rows, targets: summarize(rows) };
console.log(table(result));
const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}${name}.json`, JSON.stringify(result, null, 2) + "\n");
log(`wrote bench/results/${name}.json`);
const wrong = rows.filter((r) => r.status === "wrong" && r.contender.startsWith("edgeq"));
if (wrong.length) { log(`edgeq produced wrong results: ${wrong.map((r) => `${r.case} ${r.contender}`).join(", ")}`); process.exitCode = 1; }

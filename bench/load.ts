// `npm run load`: a bounded loopback load test of the Node gateway — a benchmark, not a test.
// Starts `edgeq serve` as a child process with a generated int8 MLP (784→128→10) and an f32 one,
// drives it with autocannon and prints p50/p99 latency, throughput, errors and memory drift
// (RSS, JS heap and wasm linear memory read from /metrics before and after the run).
//
//   npm run load -- [--duration 30] [--connections 64] [--format binary|json|both] [--batch 1]
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Activation, DType, Op } from "../assembly/format/spec.ts";
import { GraphBuilder } from "../src/format/builder.ts";
import { BINARY_TYPE, encodeTensors } from "../src/serve/wire.ts";
import { PACKAGE_ROOT } from "../src/node.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const duration = Number(arg("duration", "30"));
const connections = Number(arg("connections", "64"));
const format = arg("format", "both");
const batch = Number(arg("batch", "1"));

// deterministic weights: the load test measures serving, not accuracy
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;

function mlp(dtype: DType): Uint8Array {
  const g = new GraphBuilder();
  const [K, H, N] = [784, 128, 10];
  if (dtype === DType.I8) {
    const x = g.input("x", DType.I8, [K], { scales: [1 / 255], zeroPoint: -128 });
    const h = g.act("h", DType.I8, [H], { scales: [0.05], zeroPoint: -128 });
    const y = g.act("y", DType.I8, [N], { scales: [0.1], zeroPoint: 0 });
    const w1 = Int8Array.from({ length: H * K }, () => Math.round(rnd() * 127));
    const w2 = Int8Array.from({ length: N * H }, () => Math.round(rnd() * 127));
    g.op(Op.Dense, [x, g.constant("W1", DType.I8, [H, K], w1, { scales: new Array(H).fill(0.002) })], [h], [Activation.Relu]);
    g.op(Op.Dense, [h, g.constant("W2", DType.I8, [N, H], w2, { scales: new Array(N).fill(0.01) })], [y]).output(y);
  } else {
    const x = g.input("x", DType.F32, [K]);
    const h = g.act("h", DType.F32, [H]);
    const y = g.act("y", DType.F32, [N]);
    g.op(Op.Dense, [x, g.constant("W1", DType.F32, [H, K], Float32Array.from({ length: H * K }, () => rnd() * 0.05))], [h], [Activation.Relu]);
    g.op(Op.Dense, [h, g.constant("W2", DType.F32, [N, H], Float32Array.from({ length: N * H }, () => rnd() * 0.1))], [y]).output(y);
  }
  return g.encode();
}

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(\w+) ([\d.e+-]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "edgeq-load-"));
writeFileSync(join(dir, "mlp-i8.edgeq"), mlp(DType.I8));
writeFileSync(join(dir, "mlp-f32.edgeq"), mlp(DType.F32));
const server = spawn(process.execPath, ["--expose-gc", "--import", "tsx", join(PACKAGE_ROOT, "src/cli/main.ts"), "serve", "--port", "0", join(dir, "mlp-i8.edgeq"), join(dir, "mlp-f32.edgeq")], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise<string>((resolve, reject) => {
  server.stdout.on("data", (d: Buffer) => {
    const m = /listening on (\S+)/.exec(d.toString());
    if (m) resolve(m[1]);
  });
  server.once("exit", (c) => reject(new Error(`gateway exited with ${c}`)));
});

const x8 = Int8Array.from({ length: 784 * batch }, () => Math.round(rnd() * 127));
const xf = Float32Array.from({ length: 784 * batch }, () => rnd());
const bodies = {
  binary: { model: "mlp-i8", type: BINARY_TYPE, body: Buffer.from(encodeTensors([{ name: "x", dtype: DType.I8, shape: [batch, 784], data: x8 }])) },
  json: { model: "mlp-f32", type: "application/json", body: JSON.stringify({ inputs: { x: { shape: [batch, 784], data: Array.from(xf) } } }) },
};

console.log(`gateway ${url}, ${connections} connections, ${duration} s per format, batch ${batch}, node ${process.version}`);
const rows: string[] = [];
try {
  for (const fmt of format === "both" ? (["binary", "json"] as const) : [format as "binary" | "json"]) {
    const b = bodies[fmt];
    const target = { url: `${url}/v1/models/${b.model}/infer`, method: "POST" as const, headers: { "content-type": b.type }, body: b.body };
    await autocannon({ ...target, connections: 8, duration: 2 }); // warm-up: JIT, allocator, keep-alive
    const before = await metrics(url);
    const r = await autocannon({ ...target, connections, duration });
    const after = await metrics(url);
    const mib = (k: string) => `${((after[k] - before[k]) / 1048576).toFixed(1)} MiB`;
    if (r.errors + r.non2xx > 0) console.log(`${fmt}: ${r.errors} errors (${r.timeouts} timeouts), ${r.non2xx} non-2xx, status codes ${JSON.stringify(r.statusCodeStats)}`);
    rows.push(
      `| ${fmt} (${b.model}) | ${r.latency.p50} | ${r.latency.p99} | ${Math.round(r.requests.average)} | ${(r.throughput.average / 1048576).toFixed(2)} | ${r.errors + r.non2xx} / ${r.requests.total} | ${mib("process_resident_memory_bytes")} | ${mib("nodejs_heap_used_bytes")} | ${mib("edgeq_wasm_linear_bytes")} |`,
    );
  }
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
console.log("| format | p50 ms | p99 ms | req/s | MiB/s out | errors / requests | RSS drift | heap drift | wasm drift |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);

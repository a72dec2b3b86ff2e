// Smoke test for `npm run bench -- --quick`: the harness runs, every contender is present and
// verified correct against the reference. No timing is asserted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("bench --quick runs every contender and all of them are correct", () => {
  const name = `smoke-${process.pid}`;
  const file = `${root}bench/results/${name}.json`;
  try {
    execFileSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick", "--name", name], { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
    const res = JSON.parse(readFileSync(file, "utf8"));
    const rows = res.rows as { contender: string; case: string; group?: string; status: string; note?: string; medianMs?: number }[];
    const bad = rows.filter((r) => r.status !== "ok").map((r) => `${r.case} ${r.contender}: ${r.status} ${r.note ?? ""}`);
    assert.equal(bad, [], bad.join("\n"));
    for (const c of ["edgeq-simd128 int8", "edgeq-relaxed int8", "edgeq-simd128 (child) int8", "scalar-ts int8", "ort-web MatMulInteger s8s8", "ort-web MatMulInteger u8s8", "ort-web QLinearMatMul s8", "ort-web MatMul f32", "tfjs-wasm matMul f32", "edgeq-simd128 f32"])
      assert.ok(rows.some((r) => r.contender === c), `contender ${c} missing`);
    for (const g of ["sparse-int8", "model", "gemm-int8-w7", "conv-int8", "conv-f32"]) assert.ok(rows.some((r) => r.group === g), `group ${g} missing`);
    assert.ok(res.peakGops > 0 && res.machine.node === process.version);
    assert.ok(rows.filter((r) => r.group !== "memory").every((r) => r.medianMs! > 0));
    assert.ok(rows.some((r) => r.group === "memory"));
  } finally {
    rmSync(file, { force: true });
  }
});

test.run();

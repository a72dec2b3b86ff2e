// `edgeq budget` through the real CLI: a small model fits (exit 0); a batch whose activations
// exceed 128 MB does not (exit 5). The byte counts are checked against the files themselves.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { artifactPath } from "../../src/node.ts";

const dir = mkdtempSync(join(tmpdir(), "edgeq-budget-"));
const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });

function model(K: number, N: number): string {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [K]);
  const y = g.act("y", DType.F32, [N]);
  g.op(Op.Dense, [x, g.constant("W", DType.F32, [N, K], new Float32Array(N * K).fill(0.5))], [y]).output(y);
  const p = join(dir, `m${K}x${N}.edgeq`);
  writeFileSync(p, g.encode());
  return p;
}

test("a small model fits; sizes come from the files", () => {
  const p = model(64, 32);
  const r = cli("budget", p, "--json");
  assert.is(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.is(rep.modelBytes, statSync(p).size);
  assert.is(rep.artifactBytes, statSync(artifactPath()).size);
  assert.ok(rep.linearMemoryBytes >= 65536 && rep.allocatorPeakBytes > 64 * 32 * 4);
  assert.ok(rep.fits);
});

test("a batch whose activations exceed the 128 MB isolate is over budget (exit 5)", () => {
  const p = model(4096, 16);
  const r = cli("budget", p, "--batch", "9000");
  assert.is(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /does NOT fit/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

// `edgeq train` end to end: trains, reports JSON, writes a model edgeq.wasm loads; bad
// arguments exit with the usage/failure codes and write nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { split } from "../../src/data/dataset.ts";
import { loadDigits } from "../../src/data/sklearn.ts";
import { engine } from "../helpers/engine.ts";

const bin = join(import.meta.dirname, "../../bin/edgeq.js");
const edgeq = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

test("edgeq train --json writes a model whose accuracy in edgeq.wasm matches the report", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-train-"));
  try {
    const out = join(dir, "digits.edgeq");
    const r = edgeq("train", "--model", "mlp-digits", "--epochs", "3", "-o", out, "--json");
    assert.is(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.is(res.model, "mlp-digits");
    assert.is(res.epochs, 3);
    assert.ok(res.testAccuracy > 0.85, `accuracy ${res.testAccuracy}`);
    const m = (await engine()).load(new Uint8Array(readFileSync(out)));
    const { test: held } = split(loadDigits(), 0.25);
    const y = m.run({ input: held.x }).logits.data;
    let right = 0;
    for (let i = 0; i < held.n; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (y[i * 10 + c] > y[i * 10 + best]) best = c;
      if (best === held.y[i]) right++;
    }
    assert.ok(Math.abs(right / held.n - res.testAccuracy) < 0.005, `engine ${right / held.n} vs reported ${res.testAccuracy}`);
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("edgeq train refuses unknown models and bad numbers without writing", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-train-"));
  try {
    const out = join(dir, "x.edgeq");
    const a = edgeq("train", "--model", "resnet9000", "-o", out);
    assert.is(a.status, 1);
    assert.match(a.stderr, /unknown model "resnet9000"/);
    const b = edgeq("train", "--model", "mlp-digits", "--epochs", "0", "-o", out);
    assert.is(b.status, 1);
    assert.match(b.stderr, /--epochs must be a positive integer/);
    const c = edgeq("train");
    assert.is(c.status, 2);
    assert.not.ok(existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

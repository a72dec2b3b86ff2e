// `edgeq import` end to end: a supported model is written and loads; an unsupported one exits
// with the bad-model code, names every unsupported op and writes nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floatTensor, model, node, valueInfo } from "../../src/onnx/build.ts";
import { engine } from "../helpers/engine.ts";

const bin = join(import.meta.dirname, "../../bin/edgeq.js");
const edgeq = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

test("edgeq import writes a loadable model and reports its interface; edgeq inspect reads it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-import-"));
  try {
    const src = join(dir, "m.onnx"), out = join(dir, "m.edgeq");
    writeFileSync(src, model({
      inputs: [valueInfo("x", ["N", "K"])],
      outputs: [valueInfo("y", ["N", 3])],
      initializers: [floatTensor("W", [3, 5], new Float32Array(15).fill(0.5)), floatTensor("b", [3], [1, 2, 3])],
      nodes: [node("Gemm", ["x", "W", "b"], ["g"], { transB: 1 }), node("Relu", ["g"], ["y"])],
    }));
    const r = edgeq("import", src, "-o", out, "--input-shape", "x=5", "--json");
    assert.is(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.inputs, [{ name: "x", shape: [5], layout: "plain" }]);
    assert.equal(summary.ops, { Dense: 1 });
    const info = edgeq("inspect", out, "--json");
    assert.is(info.status, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).totals.macs, 15, "5 x 3 multiply-accumulates per sample");
    const m = (await engine()).load(new Uint8Array(readFileSync(out)));
    assert.equal(Array.from(m.run({ x: [1, 1, 1, 1, -12] }).y.data), [0, 0, 0]);
    assert.equal(Array.from(m.run({ x: [1, 1, 1, 1, 1] }).y.data), [3.5, 4.5, 5.5]);
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("edgeq import refuses an unsupported model whole and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-import-"));
  try {
    const src = join(dir, "bad.onnx"), out = join(dir, "bad.edgeq");
    writeFileSync(src, model({
      inputs: [valueInfo("x", ["N", 4])],
      outputs: [valueInfo("y", ["N", 4])],
      nodes: [node("Elu", ["x"], ["a"], {}, "elu_1"), node("Relu", ["a"], ["b"]), node("Celu", ["b"], ["y"], {}, "celu_1")],
    }));
    const r = edgeq("import", src, "-o", out);
    assert.is(r.status, 3);
    assert.match(r.stderr, "Elu (1): elu_1");
    assert.match(r.stderr, "Celu (1): celu_1");
    assert.not.ok(existsSync(out));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test.run();

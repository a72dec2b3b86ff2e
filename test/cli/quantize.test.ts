// The CLI as a user meets it: exit codes, messages that name the problem, and no output file
// after a failure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DType, Op } from "../../assembly/format/spec.ts";
import { take } from "../../src/data/dataset.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { decode } from "../../src/format/reader.ts";
import { randomFeatureMlp } from "../fixtures/mlp.ts";

const BIN = fileURLToPath(new URL("../../bin/edgeq.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "edgeq-cli-"));
const mlp = join(dir, "mlp.edgeq");
writeFileSync(mlp, randomFeatureMlp({ ...take(loadMnist("train"), 300), shape: [784] }, { hidden: 32 }));

function edgeq(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function failsCleanly(args: string[], code: number, message: RegExp) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.edgeq`);
  const r = edgeq(...args, "-o", out);
  assert.is(r.code, code, `exit code for ${args.join(" ")}: ${r.err}`);
  assert.match(r.err, /^error: /m);
  assert.match(r.err, message);
  assert.not.ok(existsSync(out), "no output file after a failure");
}

test("dynamic quantization writes the model and reports it as JSON", () => {
  const out = join(dir, "dyn.edgeq");
  const r = edgeq("quantize", mlp, "--mode", "dynamic", "-o", out, "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.mode, "dynamic");
  assert.equal(j.layers.map((l: { precision: string }) => l.precision), ["int8", "int8"]);
  assert.is(j.bytes, readFileSync(out).length);
  assert.is(decode(new Uint8Array(readFileSync(out))).tensors.find((t) => t.name === "fc1.weight")!.dtype, DType.I8);
});

test("an unknown calibration method is a usage error listing the methods", () => {
  failsCleanly(["quantize", mlp, "--method", "kl", "--calib", "mnist:train:64"], 2, /minmax.*entropy.*mse/s);
});

test("static mode without calibration data says how to give it", () => {
  failsCleanly(["quantize", mlp, "--mode", "static"], 2, /--calib mnist:train:512/);
});

test("calibration data of the wrong shape is a data error", () => {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [10]);
  const W = g.constant("fc.weight", DType.F32, [2, 10], new Float32Array(20).fill(0.5));
  const y = g.act("y", DType.F32, [2]);
  g.op(Op.Dense, [x, W], [y]).output(y);
  const small = join(dir, "small.edgeq");
  writeFileSync(small, g.encode());
  failsCleanly(["quantize", small, "--calib", "mnist:train:16"], 4, /shape \[28,28,1\] but model input "x" expects \[10\]/);
});

test("empty, NaN and Inf calibration files are data errors", () => {
  const empty = join(dir, "empty.f32"), nan = join(dir, "nan.f32"), inf = join(dir, "inf.f32");
  writeFileSync(empty, new Uint8Array(0));
  const a = new Float32Array(784 * 2);
  a[900] = NaN;
  writeFileSync(nan, new Uint8Array(a.buffer));
  const b = new Float32Array(784 * 2);
  b[3] = Infinity;
  writeFileSync(inf, new Uint8Array(b.buffer));
  failsCleanly(["quantize", mlp, "--calib", empty], 4, /empty/);
  failsCleanly(["quantize", mlp, "--calib", nan], 4, /sample 1 holds NaN at position 116/);
  failsCleanly(["quantize", mlp, "--calib", inf], 4, /sample 0 holds Infinity/);
});

test("a model without quantizable layers is a model error", () => {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [4]);
  const y = g.act("y", DType.F32, [4]);
  g.op(Op.Relu, [x], [y]).output(y);
  const relu = join(dir, "relu.edgeq");
  writeFileSync(relu, g.encode());
  failsCleanly(["quantize", relu, "--mode", "dynamic"], 3, /no quantizable layers/);
});

test("unknown --keep-float layer names the layers there are; a missing model file says so", () => {
  failsCleanly(["quantize", mlp, "--mode", "dynamic", "--keep-float", "conv1"], 2, /"conv1"; layers: fc1, fc2/);
  failsCleanly(["quantize", join(dir, "nope.edgeq"), "--mode", "dynamic"], 2, /no such file/);
});

test("eval reports accuracy, per-class accuracy and a confusion matrix that adds up", () => {
  const r = edgeq("eval", mlp, "--data", "mnist:test:200", "--json");
  assert.is(edgeq("eval", mlp, "--data", "mnist:test:0").code, 4);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.n, 200);
  assert.is(j.confusion.flat().reduce((a: number, v: number) => a + v, 0), 200);
  const diag = j.confusion.reduce((a: number, row: number[], c: number) => a + row[c], 0);
  assert.is(j.accuracy, diag / 200);
  assert.is(j.perClass.length, 10);
});

test("run takes a JSON input and prints every output", () => {
  const input = join(dir, "x.json");
  writeFileSync(input, JSON.stringify(Array.from(loadMnist("test").x.subarray(0, 784))));
  const r = edgeq("run", mlp, "--input", input, "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.outputs.logits.shape, [1, 10]);
  assert.is(j.outputs.logits.data.length, 10);
  const bad = edgeq("run", mlp, "--input", join(dir, "missing.json"));
  assert.is(bad.code, 2);
  assert.match(bad.err, /no such file/);
});

test("every subcommand has --help", () => {
  for (const c of ["quantize", "eval", "run", "inspect"]) {
    const r = edgeq(c, "--help");
    assert.is(r.code, 0, c);
    assert.match(r.out, /Example/);
  }
});

test.run();

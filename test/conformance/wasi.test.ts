// The WASI command build (build/edgeq-cli.wasm) on the conformance set under node:wasi and
// @wasmer/sdk, plus its error paths: bad arguments, bad model, wrong input size.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { conformanceCases } from "./cases.ts";
import { runConformance } from "./harness.ts";
import { runCliNode, wasiNodeTarget, wasmerSdkTarget, writeCaseFiles } from "./wasi.ts";

const cases = conformanceCases();
const total = cases.reduce((a, c) => a + c.vectors.length, 0);
const dir = writeCaseFiles(cases);

test("edgeq-cli.wasm under node:wasi matches the reference and the other targets", async () => {
  assert.is(await runConformance(wasiNodeTarget(dir), cases), total);
});

test("edgeq-cli.wasm under @wasmer/sdk matches the reference and the other targets", async () => {
  assert.is(await runConformance(await wasmerSdkTarget(), cases), total);
});

test("edgeq-cli info lists inputs and outputs", async () => {
  const r = await runCliNode(["info", "/m/f32-mlp.edgeq"], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "input  x float32 [40]\noutput y float32 [10]\n");
});

test("edgeq-cli errors: usage 2, corrupt model 3, wrong input size 3, missing file 1", async () => {
  assert.is((await runCliNode([], dir)).code, 2);
  assert.is((await runCliNode(["infer", "/m/f32-mlp.edgeq"], dir)).code, 2);
  const bad = Uint8Array.from(cases[0].bytes);
  bad[bad.length - 1] ^= 0xff;
  writeFileSync(join(dir, "corrupt.edgeq"), bad);
  const corrupt = await runCliNode(["infer", "/m/corrupt.edgeq", "/m/f32-mlp.0.bin"], dir);
  assert.is(corrupt.code, 3);
  assert.match(corrupt.stderr, /Checksum|code 4/);
  writeFileSync(join(dir, "short.bin"), new Uint8Array(7));
  const short = await runCliNode(["infer", "/m/f32-mlp.edgeq", "/m/short.bin"], dir);
  assert.is(short.code, 3);
  assert.match(short.stderr, /7 bytes; expected a positive multiple of 160/);
  assert.is((await runCliNode(["infer", "/m/nope.edgeq", "/m/short.bin"], dir)).code, 1);
  assert.is((await runCliNode(["infer", "/elsewhere/x.edgeq", "/m/short.bin"], dir)).code, 1);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

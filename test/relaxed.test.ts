// The relaxed-SIMD build, in a child Node started with --experimental-wasm-relaxed-simd (Node 20
// refuses relaxed opcodes otherwise): it must be chosen (self-check passed) and exact.
// --no-liftoff: V8 11.3's baseline compiler (Liftoff) computes i32x4.relaxed_dot_i8x16_i7x16_add_s
// wrongly in edgeq's kernels (30 of the self-check's 110 values differ; TurboFan is exact), so
// under Liftoff the Engine's self-check refuses the relaxed build, as it should.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("relaxed build passes the self-check and is bit-identical to SIMD128 and the reference", () => {
  const child = fileURLToPath(new URL("./relaxed/child.ts", import.meta.url));
  const out = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--no-liftoff", "--import", "tsx", child], { encoding: "utf8", timeout: 120_000 });
  const res = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(res.failures, []);
  assert.ok(res.relaxed, "the engine did not choose the relaxed build");
});

test.run();

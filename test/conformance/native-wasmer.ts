// The conformance set through the native Wasmer host (targets/wasmer/host, Rust + Cranelift),
// run by `npm run test:wasmer` after cargo builds it. The host loads build/edgeq.wasm itself and
// answers "infer <model> <input>" lines on stdin (its serve-stdio gateway mode).
// Not a *.test.ts file: `npm test` must not need cargo.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT, artifactPath } from "../../src/node.ts";
import { conformanceCases } from "./cases.ts";
import { checkOutput, runConformance, type Output, type Target, engineTarget } from "./harness.ts";
import { writeCaseFiles } from "./wasi.ts";
import { engine } from "../helpers/engine.ts";

const profile = process.env.EDGEQ_HOST_PROFILE ?? "debug";
const HOST = join(process.env.CARGO_TARGET_DIR ?? join(PACKAGE_ROOT, "targets/wasmer/host/target"), profile, "edgeq-host");
const cases = conformanceCases();
const total = cases.reduce((a, c) => a + c.vectors.length, 0);
const dir = writeCaseFiles(cases);

function stdioHost() {
  const child = spawn(HOST, [artifactPath(), "serve-stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(line: string): Promise<Record<string, unknown>> {
      child.stdin.write(line + "\n");
      const r = await lines.next();
      if (r.done) throw new Error("edgeq-host closed its output");
      return JSON.parse(r.value);
    },
    close() {
      child.stdin.end();
      return new Promise<void>((res) => child.once("exit", () => res()));
    },
  };
}

test("the native host binary was built", () => {
  assert.ok(existsSync(HOST), `${HOST} missing: run cargo build in targets/wasmer/host`);
});

test("native Wasmer (Cranelift) matches the reference and is bit-identical to the JS engine", async () => {
  // the engine in Node runs first, so the bit comparison has a JS baseline in this process
  const e = await engine();
  assert.is(await runConformance(engineTarget(e), cases), total);
  const host = stdioHost();
  try {
    const native: Target = {
      name: "wasmer-native",
      async run(c, _v, vi) {
        const r = (await host.ask(`infer ${join(dir, c.name + ".edgeq")} ${join(dir, `${c.name}.${vi}.bin`)}`)) as { outputs?: Record<string, Output>; error?: unknown };
        if (!r.outputs) throw new Error(`edgeq-host: ${JSON.stringify(r.error)}`);
        return r.outputs.y;
      },
    };
    assert.is(await runConformance(native, cases), total);
  } finally {
    await host.close();
  }
});

test("native host: engine errors are typed and the gateway loop keeps serving", async () => {
  const bad = Uint8Array.from(cases[0].bytes);
  bad[bad.length - 1] ^= 0xff;
  writeFileSync(join(dir, "corrupt.edgeq"), bad);
  writeFileSync(join(dir, "short.bin"), new Uint8Array(7));
  const host = stdioHost();
  try {
    const corrupt = (await host.ask(`infer ${join(dir, "corrupt.edgeq")} ${join(dir, "f32-mlp.0.bin")}`)) as { error: { code: number } };
    assert.is(corrupt.error.code, 4); // Checksum
    const short = (await host.ask(`infer ${join(dir, "f32-mlp.edgeq")} ${join(dir, "short.bin")}`)) as { error: { code: number; message: string } };
    assert.is(short.error.code, 17);
    const garbage = (await host.ask("hello")) as { error: unknown };
    assert.ok(garbage.error);
    const ok = (await host.ask(`infer ${join(dir, "i8-dense.edgeq")} ${join(dir, "i8-dense.0.bin")}`)) as { outputs: Record<string, Output> };
    const c = cases.find((k) => k.name === "i8-dense")!;
    checkOutput("wasmer-native after errors", c, c.vectors[0], 0, ok.outputs.y);
  } finally {
    await host.close();
  }
  const once = spawnSync(HOST, [artifactPath(), "infer", join(dir, "corrupt.edgeq"), join(dir, "f32-mlp.0.bin")], { encoding: "utf8" });
  assert.is(once.status, 3);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();

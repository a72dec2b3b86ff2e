import { test } from "uvu";
import * as assert from "uvu/assert";
import initWabt from "wabt";
import { readArtifact } from "../../src/node.ts";
import { ABI_EXPORTS } from "../../src/runtime/abi.ts";

const wabt = await initWabt();

function inspect(bytes: Uint8Array, relaxed: boolean) {
  const mod = wabt.readWasm(new Uint8Array(bytes), { readDebugNames: false, simd: true, relaxed_simd: relaxed } as never);
  mod.validate(); // throws on an invalid module
  const wat = mod.toText({});
  mod.destroy();
  const imports = [...wat.matchAll(/^\s*\(import "([^"]*)" "([^"]*)"/gm)].map((m) => `${m[1]}.${m[2]}`);
  const exports = [...wat.matchAll(/^\s*\(export "([^"]*)"/gm)].map((m) => m[1]);
  return { imports, exports, wat };
}

test("edgeq.wasm validates, imports nothing and exports exactly the documented ABI", () => {
  const bytes = readArtifact("edgeq.wasm");
  const { imports, exports, wat } = inspect(bytes, false);
  assert.equal(imports, []);
  assert.equal([...exports].sort(), [...ABI_EXPORTS].sort());
  assert.ok(/i32x4\.dot_i16x8_s/.test(wat), "SIMD128 dot product present");
  assert.not.ok(/relaxed/.test(wat), "the portable build has no relaxed-SIMD opcodes");
});

test("edgeq.wasm is at most 150 KB", () => {
  const size = readArtifact("edgeq.wasm").length;
  assert.ok(size <= 150 * 1024, `${size} bytes`);
});

test("edgeq-relaxed.wasm validates with relaxed SIMD, imports nothing, same ABI", () => {
  const { imports, exports } = inspect(readArtifact("edgeq-relaxed.wasm"), true);
  assert.equal(imports, []);
  assert.equal([...exports].sort(), [...ABI_EXPORTS].sort());
});

test("the docs list every export", async () => {
  const { readFileSync } = await import("node:fs");
  const doc = readFileSync(new URL("../../docs/abi.md", import.meta.url), "utf8");
  for (const name of ABI_EXPORTS) if (name !== "memory") assert.ok(doc.includes(`\`${name}\``), `${name} missing from docs/abi.md`);
});

test.run();

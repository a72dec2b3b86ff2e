// `edgeq serve` as users run it: a child process with two model files, answers on the port it
// prints, and exits 0 on SIGTERM after draining.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { conformanceCases } from "../conformance/cases.ts";

test("edgeq serve: several models, JSON inference, SIGTERM exits 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-serve-"));
  const [a, b] = conformanceCases().filter((c) => c.name === "f32-mlp" || c.name === "i8-dense-csr");
  writeFileSync(join(dir, "a.edgeq"), a.bytes);
  writeFileSync(join(dir, "b.edgeq"), b.bytes);
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--port", "0", join(dir, "a.edgeq"), `csr=${join(dir, "b.edgeq")}`], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        const m = /listening on (\S+)/.exec(d.toString());
        if (m) resolve(m[1]);
      });
      child.once("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    const list = (await (await fetch(`${url}/v1/models`)).json()) as { models: { name: string }[] };
    assert.equal(list.models.map((m) => m.name), ["a", "csr"]);
    const v = b.vectors[1];
    const res = await fetch(`${url}/v1/models/csr/infer`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs: [Array.from(v.inputs[0])] }) });
    const y = ((await res.json()) as { outputs: { y: { data: number[] } } }).outputs.y.data;
    y.forEach((got, i) => assert.ok(v.nearTie?.[i] ? Math.abs(got - v.expect[i]) <= 1 : got === v.expect[i], `y[${i}]`));
    child.kill("SIGTERM");
    assert.is(await exited, 0);
  } finally {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

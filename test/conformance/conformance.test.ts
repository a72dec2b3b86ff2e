// The conformance suite on every JS target in `npm test`: the engine in Node, the Node gateway
// over HTTP, and the Worker in real workerd (miniflare). The WASI CLI targets are in
// wasi.test.ts; the native Wasmer host runs in `npm run test:wasmer` (native-wasmer.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { engine } from "../helpers/engine.ts";
import { conformanceCases } from "./cases.ts";
import { runConformance, type Target } from "./harness.ts";
import { httpTarget } from "./http.ts";
import { startGateway } from "../../targets/node/gateway.ts";
import { bundleWorker } from "../../targets/cloudflare/bundle.ts";

const cases = conformanceCases();
const models = Object.fromEntries(cases.map((c) => [c.name, c.bytes]));
const total = cases.reduce((a, c) => a + c.vectors.length, 0);

test("the conformance set covers f32, int8 dense, CSR, 2:4, codebook and conv", () => {
  const names = cases.map((c) => c.name).join(" ");
  for (const k of ["f32-", "i8-dense ", "csr", "2of4", "codebook", "f32-conv", "i8-conv", "dwconv"]) assert.ok((names + " ").includes(k), k);
});

test("node engine matches the reference", async () => {
  const e = await engine();
  const loaded = new Map(cases.map((c) => [c.name, e.load(c.bytes)]));
  const t: Target = {
    name: "node",
    async run(c, v) {
      const y = loaded.get(c.name)!.run(v.inputs).y;
      return { shape: y.shape, data: y.data };
    },
  };
  assert.is(await runConformance(t, cases), total);
  for (const m of loaded.values()) m.dispose();
});

test("node gateway (JSON and binary) is bit-identical to the engine", async () => {
  const gw = await startGateway({ models, port: 0, host: "127.0.0.1" });
  try {
    assert.is(await runConformance(httpTarget("node-gateway", gw.url), cases), total);
  } finally {
    await gw.close();
  }
});

test("Cloudflare Worker in workerd (miniflare) is bit-identical to the engine", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-cf-"));
  const bundle = await bundleWorker(dir, models);
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: bundle.script,
    modulesRoot: bundle.dir,
    modulesRules: [
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "Data", include: ["**/*.edgeq"] },
    ],
    compatibilityDate: "2025-01-01",
  });
  try {
    const url = (await mf.ready).href.replace(/\/$/, "");
    const list = (await (await fetch(`${url}/v1/models`)).json()) as { models: { name: string }[] };
    assert.equal(list.models.map((m) => m.name).sort(), cases.map((c) => c.name).sort());
    assert.is(await runConformance(httpTarget("workerd", url), cases), total);
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

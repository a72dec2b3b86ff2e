// The Worker as deployed: wrangler.toml accepts the bundle (`wrangler deploy --dry-run`, offline),
// and in workerd bad requests get 4xx JSON errors while the Worker keeps serving.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { PACKAGE_ROOT } from "../../src/node.ts";
import { bundleWorker } from "../../targets/cloudflare/bundle.ts";
import { conformanceCases } from "../conformance/cases.ts";

const mlp = conformanceCases().find((c) => c.name === "f32-mlp")!;
const i8 = conformanceCases().find((c) => c.name === "i8-dense")!;

test("wrangler deploy --dry-run accepts wrangler.toml and the bundle (wasm as CompiledWasm, models as Data)", async () => {
  await bundleWorker(join(PACKAGE_ROOT, "build/cloudflare"), { mlp: mlp.bytes, i8: i8.bytes });
  const xdg = mkdtempSync(join(tmpdir(), "edgeq-wrangler-"));
  try {
    const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--config", "targets/cloudflare/wrangler.toml", "--outdir", join(xdg, "out")], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: xdg, CI: "true" },
      timeout: 120_000,
    });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /edgeq\.wasm\s*│\s*compiled-wasm/);
    assert.match(r.stdout, /models\/mlp\.edgeq\s*│\s*buffer/);
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test("workerd: bad requests → 4xx JSON, the Worker keeps serving", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-cf-bad-"));
  const b = await bundleWorker(dir, { mlp: mlp.bytes });
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: b.script,
    modulesRoot: b.dir,
    modulesRules: [
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "Data", include: ["**/*.edgeq"] },
    ],
    compatibilityDate: "2025-01-01",
    bindings: { MAX_BODY_BYTES: "2048" },
  });
  try {
    const url = (await mf.ready).href.replace(/\/$/, "");
    const post = (body: string, model = "mlp") => fetch(`${url}/v1/models/${model}/infer`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const good = JSON.stringify({ inputs: { x: Array.from(mlp.vectors[0].inputs[0]) } });
    const cases: [string, Promise<Response>, number][] = [
      ["malformed", post("{"), 400],
      ["unknown model", post(good, "nope"), 404],
      ["wrong length", post(JSON.stringify({ inputs: { x: [1, 2] } })), 400],
      ["NaN", post(JSON.stringify({ inputs: { x: ["NaN", ...new Array(39).fill(0)] } })), 400],
      ["oversize", post(JSON.stringify({ inputs: { x: new Array(600).fill(0.123456) } })), 413],
    ];
    for (const [what, res, status] of cases) {
      const r = await res;
      assert.is(r.status, status, what);
      assert.is(((await r.json()) as { error: { status: number } }).error.status, status, what);
      const ok = await post(good);
      assert.is(ok.status, 200, `after ${what}`);
      await ok.arrayBuffer();
    }
    assert.equal(await (await fetch(`${url}/healthz`)).json(), { ok: true, models: 1 });
    assert.match(await (await fetch(`${url}/metrics`)).text(), /edgeq_errors_total\{route="\/v1\/models\/:name\/infer",class="4xx"\} 5/);
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

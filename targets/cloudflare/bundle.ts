// Bundles the Worker for workerd: `node --import tsx targets/cloudflare/bundle.ts [--out dir] a.edgeq name=b.edgeq ...`
// writes <out>/worker.js (ES module, esbuild), <out>/edgeq.wasm and <out>/models/<name>.edgeq.
// worker.js imports the .wasm (CompiledWasm) and the models (Data) as modules, so the same
// directory runs in miniflare and deploys with `wrangler deploy` (wrangler.toml, no_bundle).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

export interface BundleResult {
  dir: string;
  script: string;
  scriptBytes: number;
  models: Record<string, string>;
}

/** models: name → .edgeq path (or bytes). */
export async function bundleWorker(outDir: string, models: Record<string, string | Uint8Array>): Promise<BundleResult> {
  const dir = resolve(outDir);
  mkdirSync(join(dir, "models"), { recursive: true });
  copyFileSync(join(root, "build/edgeq.wasm"), join(dir, "edgeq.wasm"));
  const paths: Record<string, string> = {};
  for (const [name, src] of Object.entries(models)) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`model name "${name}" must be [A-Za-z0-9._-]+`);
    const p = join(dir, "models", `${name}.edgeq`);
    writeFileSync(p, typeof src === "string" ? readFileSync(src) : src);
    paths[name] = p;
  }
  const entry = [
    `import wasm from "./edgeq.wasm";`,
    ...Object.keys(paths).map((n, i) => `import m${i} from "./models/${n}.edgeq";`),
    `import { createWorker } from ${JSON.stringify(join(here, "src/worker.ts"))};`,
    `export default createWorker(wasm, { ${Object.keys(paths).map((n, i) => `${JSON.stringify(n)}: m${i}`).join(", ")} });`,
  ].join("\n");
  const script = join(dir, "worker.js");
  await build({
    stdin: { contents: entry, resolveDir: dir, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    external: ["*.wasm", "*.edgeq"],
    outfile: script,
    minify: true,
    logLevel: "warning",
  });
  return { dir, script, scriptBytes: readFileSync(script).length, models: paths };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let out = join(root, "build/cloudflare");
  const models: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") out = args[++i];
    else {
      const eq = args[i].indexOf("=");
      models[eq > 0 ? args[i].slice(0, eq) : basename(args[i]).replace(/\.edgeq$/, "")] = eq > 0 ? args[i].slice(eq + 1) : args[i];
    }
  }
  const r = await bundleWorker(out, models);
  console.log(`${r.script} (${r.scriptBytes} bytes) with ${Object.keys(models).length} model(s) in ${r.dir}`);
}

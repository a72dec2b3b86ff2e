// Child process for the @wasmer/sdk conformance target (see wasmerSdkTarget in wasi.ts): the CLI
// as an in-memory Wasmer package, the case files in the sandbox under /workspace/m (the SDK's
// only guest root), network off. Prints {"<case>#<i>": {code, stdout, stderr}} as JSON.
import { readFileSync } from "node:fs";
import { Wasmer } from "@wasmer/sdk/node";
import { conformanceCases, rawInput } from "./cases.ts";
import { CLI_PATH } from "./wasi.ts";

const cases = conformanceCases();
const wasmer = await Wasmer.create({ cache: false });
const files: Record<string, Uint8Array> = {};
for (const c of cases) {
  files[`/workspace/m/${c.name}.edgeq`] = c.bytes;
  c.vectors.forEach((v, i) => (files[`/workspace/m/${c.name}.${i}.bin`] = rawInput(v)));
}
const pkg = await wasmer.packages.create({ modules: { cli: readFileSync(CLI_PATH) }, commands: { "edgeq-cli": { module: "cli" } } });
const sandbox = await wasmer.sandboxes.create({ packages: [pkg], files, network: { mode: "disabled" } });
const results: Record<string, { code: number; stdout: string; stderr: string }> = {};
for (const c of cases)
  for (let i = 0; i < c.vectors.length; i++) {
    const out = await sandbox.command(pkg.command("edgeq-cli"), ["infer", `/workspace/m/${c.name}.edgeq`, `/workspace/m/${c.name}.${i}.bin`]).run({ check: false });
    results[`${c.name}#${i}`] = { code: out.exitCode, stdout: out.stdout.text(), stderr: out.stderr.text() };
  }
await sandbox.close();
await wasmer.close();
process.stdout.write(JSON.stringify(results));
process.exit(0);

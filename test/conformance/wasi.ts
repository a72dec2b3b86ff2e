// Runs build/edgeq-cli.wasm (the WASI command) in-process with node:wasi, and through
// @wasmer/sdk. Shared by the conformance tests and the CLI tests.
import { WASI } from "node:wasi";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/node.ts";
import { rawInput, type Case, type Vector } from "./cases.ts";
import type { Output, Target } from "./harness.ts";

export const CLI_PATH = join(PACKAGE_ROOT, "build/edgeq-cli.wasm");
let compiled: Promise<WebAssembly.Module> | undefined;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `edgeq-cli` invocation under node:wasi with `dir` preopened as /m. */
export async function runCliNode(args: string[], dir: string): Promise<CliResult> {
  compiled ??= WebAssembly.compile(readFileSync(CLI_PATH));
  const io = mkdtempSync(join(tmpdir(), "edgeq-wasi-io-"));
  const out = openSync(join(io, "out"), "w"), err = openSync(join(io, "err"), "w");
  try {
    const wasi = new WASI({ version: "preview1", args: ["edgeq-cli", ...args], preopens: { "/m": dir }, stdout: out, stderr: err, returnOnExit: true });
    const inst = await WebAssembly.instantiate(await compiled, wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(inst);
    return { code, stdout: readFileSync(join(io, "out"), "utf8"), stderr: readFileSync(join(io, "err"), "utf8") };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(io, { recursive: true, force: true });
  }
}

function parseOutputs(name: string, r: CliResult): Output {
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr}`);
  const y = (JSON.parse(r.stdout) as { outputs: Record<string, Output> }).outputs.y;
  return { shape: y.shape, data: y.data };
}

/** Writes each case's model and vectors to a directory: <case>.edgeq, <case>.<i>.bin. */
export function writeCaseFiles(cases: Case[]): string {
  const dir = mkdtempSync(join(tmpdir(), "edgeq-cases-"));
  for (const c of cases) {
    writeFileSync(join(dir, `${c.name}.edgeq`), c.bytes);
    c.vectors.forEach((v, i) => writeFileSync(join(dir, `${c.name}.${i}.bin`), rawInput(v)));
  }
  return dir;
}

export function wasiNodeTarget(dir: string): Target {
  return {
    name: "wasi-node",
    async run(c: Case, _v: Vector, vi: number) {
      return parseOutputs("wasi-node", await runCliNode(["infer", `/m/${c.name}.edgeq`, `/m/${c.name}.${vi}.bin`], dir));
    },
  };
}

/** @wasmer/sdk: the CLI as an in-memory Wasmer package, case files in the sandbox under /workspace/m (the only writable guest root), network off. */
export async function wasmerSdkTarget(cases: Case[]): Promise<Target> {
  const { Wasmer } = await import("@wasmer/sdk/node");
  const wasmer = await Wasmer.create({ cache: false });
  const files: Record<string, Uint8Array> = {};
  for (const c of cases) {
    files[`/workspace/m/${c.name}.edgeq`] = c.bytes;
    c.vectors.forEach((v, i) => (files[`/workspace/m/${c.name}.${i}.bin`] = rawInput(v)));
  }
  const pkg = await wasmer.packages.create({ modules: { cli: readFileSync(CLI_PATH) }, commands: { "edgeq-cli": { module: "cli" } } });
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg], files, network: { mode: "disabled" } });
  return {
    name: "wasmer-sdk",
    async run(c: Case, _v: Vector, vi: number) {
      const out = await sandbox.command(pkg.command("edgeq-cli"), ["infer", `/workspace/m/${c.name}.edgeq`, `/workspace/m/${c.name}.${vi}.bin`]).run({ check: false });
      return parseOutputs("wasmer-sdk", { code: out.exitCode, stdout: out.stdout.text(), stderr: out.stderr.text() });
    },
    async close() {
      await sandbox.close();
      await wasmer.close();
    },
  };
}

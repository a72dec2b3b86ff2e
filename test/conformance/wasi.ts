// Runs build/edgeq-cli.wasm (the WASI command) in-process with node:wasi, and through
// @wasmer/sdk. Shared by the conformance tests and the CLI tests.
import { WASI } from "node:wasi";
import { spawnSync } from "node:child_process";
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

/**
 * @wasmer/sdk: runs wasmer-sdk-child.ts in its own process (the SDK installs a read-only global
 * `Worker`, which breaks other WebAssembly libraries sharing the test process), which answers
 * every vector at once; the target then hands those outputs to the harness one by one.
 */
export async function wasmerSdkTarget(): Promise<Target> {
  const child = spawnSync(process.execPath, ["--import", "tsx", join(PACKAGE_ROOT, "test/conformance/wasmer-sdk-child.ts")], { encoding: "utf8", maxBuffer: 64 << 20, timeout: 300_000 });
  if (child.status !== 0) throw new Error(`wasmer-sdk child exited ${child.status}: ${child.stderr}`);
  const results = JSON.parse(child.stdout) as Record<string, CliResult>;
  return {
    name: "wasmer-sdk",
    async run(c: Case, _v: Vector, vi: number) {
      const r = results[`${c.name}#${vi}`];
      if (!r) throw new Error(`wasmer-sdk: no result for ${c.name}#${vi}`);
      return parseOutputs("wasmer-sdk", r);
    },
  };
}

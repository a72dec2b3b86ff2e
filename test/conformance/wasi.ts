// Runs build/edgeq-cli.wasm (the WASI command) under node:wasi (one process per call), and through
// @wasmer/sdk. Shared by the conformance tests and the CLI tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/node.ts";
import { rawInput, type Case, type Vector } from "./cases.ts";
import type { Output, Target } from "./harness.ts";

export const CLI_PATH = join(PACKAGE_ROOT, "build/edgeq-cli.wasm");
const RUN_NODE = join(PACKAGE_ROOT, "targets/wasmer/run-node.mjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One `edgeq-cli` invocation under node:wasi with `dir` preopened as /m, in its own Node process
 * through targets/wasmer/run-node.mjs (the way a user runs it; see that file for why).
 */
export async function runCliNode(args: string[], dir: string): Promise<CliResult> {
  const r = spawnSync(process.execPath, ["--no-warnings", RUN_NODE, "--mapdir", `/m:${dir}`, "--", ...args], { encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.status === null) throw new Error(`node:wasi process ended by ${r.signal ?? r.error?.message}: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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

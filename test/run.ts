// `npm test`: every test/**/*.test.ts, each file in its own Node process (so no test can leak
// globals, wasm instances or peers' state into another), as many at once as there are cores.
// Prints each file's uvu report in order, then one aggregate Total/Passed/Skipped block.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
// optional filter: a regex matched against test file paths
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "node_modules" ? [] : walk(p);
    return /\.test\.ts$/.test(name) ? [p] : [];
  });
}

const files = walk(root).filter((f) => !filter || filter.test(f));
const totals = { total: 0, passed: 0, skipped: 0 };
let crashed = 0;

interface FileRun {
  out: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function spawnFile(file: string): Promise<FileRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "helpers", "run-one.ts"), file], { env: { ...process.env, FORCE_COLOR: "0" } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code, signal) => resolve({ out, code, signal }));
  });
}

async function runFile(file: string): Promise<string> {
  let { out, code, signal } = await spawnFile(file);
  // A process ended by a signal (not by a failed assertion) is run once more and reported as
  // such: a crash that repeats still fails the run.
  if (signal) {
    const again = await spawnFile(file);
    out = `  (first run ended by ${signal} with no report; ran again)\n${again.out}`;
    ({ code, signal } = again);
  }
  const num = (label: string) => Number(out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m"))?.[1] ?? 0);
  const total = num("Total");
  if (total === 0 || (code !== 0 && num("Passed") === total)) {
    crashed++;
    out += `\n  (process exited with code ${code}${signal ? ` (signal ${signal})` : ""} before reporting all results)\n`;
  }
  totals.total += Math.max(total, 1);
  totals.passed += num("Passed");
  totals.skipped += num("Skipped");
  return out.replace(/^\s*(Total|Passed|Skipped|Duration):.*$/gm, "").replace(/\n{3,}/g, "\n\n");
}

const t0 = performance.now();
const outputs: Promise<string>[] = new Array(files.length);
let next = 0;
const workers = Array.from({ length: Math.max(1, Math.min(availableParallelism(), 4)) }, async () => {
  while (next < files.length) {
    const i = next++;
    outputs[i] = runFile(files[i]);
    await outputs[i];
  }
});
let printed = 0;
const printer = (async () => {
  while (printed < files.length) {
    while (outputs[printed] === undefined) await new Promise((r) => setTimeout(r, 20));
    process.stdout.write(`${(await outputs[printed]).trim()}\n\n`);
    printed++;
  }
})();
await Promise.all(workers);
await printer;
console.log(`  Total:     ${totals.total}`);
console.log(`  Passed:    ${totals.passed}`);
console.log(`  Skipped:   ${totals.skipped}`);
console.log(`  Duration:  ${((performance.now() - t0) / 1000).toFixed(1)}s`);
if (totals.passed + totals.skipped !== totals.total || crashed > 0) process.exitCode = 1;

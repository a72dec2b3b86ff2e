// File helpers shared by subcommands: read a model, write an output atomically (so a failed run
// leaves no partial file behind).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { CliError, EXIT } from "./errors.ts";

export function readModelFile(path: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`cannot read "${path}": no such file (give the path of an .edgeq model)`, EXIT.usage);
  return new Uint8Array(readFileSync(path));
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

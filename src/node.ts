// Node conveniences: locate the built artifacts next to this package and create an Engine.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Engine, type EngineOptions } from "./runtime/engine.ts";
import { EdgeqError, ErrorCode } from "./runtime/errors.ts";

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export function artifactPath(name: "edgeq.wasm" | "edgeq-relaxed.wasm" = "edgeq.wasm"): string {
  return join(PACKAGE_ROOT, "build", name);
}

export function readArtifact(name: "edgeq.wasm" | "edgeq-relaxed.wasm" = "edgeq.wasm"): Uint8Array {
  const p = artifactPath(name);
  if (!existsSync(p)) throw new EdgeqError(ErrorCode.BadArgument, `${p} is missing; run \`npm run build\` first`);
  return readFileSync(p);
}

/** An engine over build/edgeq.wasm; with `relaxed: true` the relaxed build is used when this Node allows it. */
export async function createEngine(options: { relaxed?: boolean } = {}): Promise<Engine> {
  const opts: EngineOptions = {};
  if (options.relaxed) {
    opts.relaxed = readArtifact("edgeq-relaxed.wasm");
    opts.allowRelaxed = true;
  }
  return Engine.create(readArtifact("edgeq.wasm"), opts);
}

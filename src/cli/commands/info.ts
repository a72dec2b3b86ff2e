// `edgeq info`: the artifact and host this CLI runs on.
import type { Command } from "commander";
import { createEngine, artifactPath } from "../../node.ts";
import { hasRelaxedSimd, hasSimd } from "../../runtime/probe.ts";
import { statSync } from "node:fs";

export function register(program: Command): void {
  program
    .command("info")
    .description("Show the artifact, its size and the WebAssembly features of this host")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  $ edgeq info --json")
    .action(async (opts: { json?: boolean }) => {
      const engine = await createEngine();
      const result = {
        artifact: artifactPath(),
        bytes: statSync(artifactPath()).size,
        simd128: hasSimd(),
        relaxedSimd: hasRelaxedSimd(),
        memory: engine.memoryStats(),
      };
      if (opts.json) console.log(JSON.stringify(result, null, 2));
      else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(12)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
    });
}

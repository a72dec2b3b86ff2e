// `edgeq` command line: main only dispatches; each subcommand lives in commands/<name>.ts and
// exports `register(program)` declaring its options, help (with examples) and action.
import { Command, CommanderError } from "commander";
import * as info from "./commands/info.ts";
import * as importCmd from "./commands/import.ts";
import * as inspect from "./commands/inspect.ts";
import * as exportCmd from "./commands/export.ts";
import * as serve from "./commands/serve.ts";
import * as budget from "./commands/budget.ts";
import * as quantize from "./commands/quantize.ts";
import * as evalCmd from "./commands/eval.ts";
import * as run from "./commands/run.ts";
import { EXIT, exitCodeFor } from "./errors.ts";
import * as train from "./commands/train.ts";

export { EXIT };

// `edgeq ... | head` closes stdout early: that is not an error
process.stdout.on("error", (e: NodeJS.ErrnoException) => process.exit(e.code === "EPIPE" ? 0 : 1));

const program = new Command("edgeq")
  .description("Compress and run neural networks in one WebAssembly artifact (edgeq.wasm).")
  .showHelpAfterError()
  .exitOverride();

for (const cmd of [info, importCmd, inspect, exportCmd, train, quantize, evalCmd, run, serve, budget]) cmd.register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT.usage);
  console.error(`error: ${(e as Error).message}`);
  for (let c = (e as Error).cause; c instanceof Error; c = c.cause) console.error(`  caused by: ${c.message}`);
  process.exit(exitCodeFor(e));
}

// `edgeq` command line: main only dispatches; each subcommand lives in commands/<name>.ts and
// exports `register(program)` declaring its options, help (with examples) and action.
import { Command, CommanderError } from "commander";
import { EdgeqError } from "../runtime/errors.ts";
import * as info from "./commands/info.ts";
import * as importCmd from "./commands/import.ts";
import * as inspect from "./commands/inspect.ts";
import * as exportCmd from "./commands/export.ts";
import * as train from "./commands/train.ts";

export const EXIT = { ok: 0, failure: 1, usage: 2, badModel: 3, badData: 4, overBudget: 5 } as const;

const program = new Command("edgeq")
  .description("Compress and run neural networks in one WebAssembly artifact (edgeq.wasm).")
  .showHelpAfterError()
  .exitOverride();

for (const cmd of [info, importCmd, inspect, exportCmd, train]) cmd.register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT.usage);
  if (e instanceof EdgeqError) {
    console.error(`error: ${e.message}`);
    process.exit(EXIT.badModel);
  }
  console.error(`error: ${(e as Error).message}`);
  for (let c = (e as Error).cause; c instanceof Error; c = c.cause) console.error(`  caused by: ${c.message}`);
  process.exit(EXIT.failure);
}

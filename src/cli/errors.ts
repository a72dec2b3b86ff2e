// CLI failures and their exit codes: one mapping, used by main.
import { DatasetMissingError } from "../data/dataset.ts";
import { DataError } from "../data/errors.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

export const EXIT = { ok: 0, failure: 1, usage: 2, badModel: 3, badData: 4, overBudget: 5 } as const;

/** A failure with a chosen exit code and a message that says what to do. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = "CliError";
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof DataError || e instanceof DatasetMissingError) return EXIT.badData;
  if (e instanceof EdgeqError) return e.code === ErrorCode.BadArgument ? EXIT.usage : EXIT.badModel;
  return EXIT.failure;
}

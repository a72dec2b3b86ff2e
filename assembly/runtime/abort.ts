// Replaces env.abort (--use abort=...): an assertion failure records ErrorCode.Aborted and the
// instance traps with `unreachable`. The host sees a RuntimeError, reads the code, and the
// instance stays usable because every entry point re-establishes its own state.
import { ErrorCode } from "../format/spec";
import { fail } from "./errors";

export function onAbort(msg: string | null, file: string | null, line: u32, column: u32): void {
  fail(ErrorCode.Aborted, "internal assertion failed");
  unreachable();
}

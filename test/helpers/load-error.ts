import * as assert from "uvu/assert";
import { ErrorCode } from "../../assembly/format/spec.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "./engine.ts";

/** Loading `bytes` must fail with exactly `code`. */
export async function expectLoadError(bytes: Uint8Array, code: ErrorCode, what: string): Promise<void> {
  const e = await engine();
  try {
    e.load(bytes).dispose();
  } catch (err) {
    assert.ok(err instanceof EdgeqError, `${what}: not an EdgeqError: ${err}`);
    assert.is((err as EdgeqError).codeName, ErrorCode[code], `${what}: ${(err as Error).message}`);
    return;
  }
  assert.unreachable(`${what}: loaded without error`);
}

import { ErrorCode } from "../../assembly/format/spec.ts";

export type ErrorName = keyof typeof ErrorCode;

/** Every failure from the artifact or the host API: a stable code, its name and a message. */
export class EdgeqError extends Error {
  readonly code: number;
  readonly codeName: string;
  constructor(code: number, message: string) {
    const name = ErrorCode[code] ?? "Unknown";
    super(`${name}: ${message}`);
    this.name = "EdgeqError";
    this.code = code;
    this.codeName = name;
  }
}

export { ErrorCode };

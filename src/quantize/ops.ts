// What the artifact can run in int8, as the quantizer needs to know it. One table, so a new int8
// op is one line here (the artifact itself stays the judge: every result is loaded before use).
import { Op } from "../../assembly/format/spec.ts";

/** Ops with constant f32 weights [N, ...] (input 1) and an optional bias (input 2), with f32, int8 and dynamic paths. */
export const WEIGHTED: ReadonlySet<number> = new Set([Op.Dense, Op.Conv2d]);

/** int8 ops whose output must carry exactly the input's quantization (max commutes with it; reshapes move bytes). */
export const SAME_QPARAMS: ReadonlySet<number> = new Set([Op.MaxPool, Op.Reshape, Op.Transpose]);

/** int8 ops that requantize into their own output scale. */
export const REQUANTIZING: ReadonlySet<number> = new Set([Op.AvgPool, Op.GlobalAvgPool]);

export function opName(code: number): string {
  return Op[code] ?? `op${code}`;
}

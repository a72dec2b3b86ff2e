// What the artifact can run in int8, as the quantizer needs to know it. One table, so a new int8
// op is one line here (the artifact itself stays the judge: every result is loaded before use).
import { Op } from "../../assembly/format/spec.ts";

/** Ops with constant f32 weights [N, ...] (input 1) and an optional bias (input 2), with f32, int8 and dynamic paths. */
export const WEIGHTED: ReadonlySet<number> = new Set([Op.Dense, Op.Conv2d]);

/** int8 ops whose output must carry exactly the input's quantization (max commutes with it; reshapes move bytes). */
export const SAME_QPARAMS: ReadonlySet<number> = new Set([Op.MaxPool, Op.Reshape, Op.Transpose]);

/** int8 ops that requantize into their own output scale (run int8 only when every input is an int8 activation). */
export const REQUANTIZING: ReadonlySet<number> = new Set([Op.AvgPool, Op.GlobalAvgPool, Op.Add, Op.Concat]);

/** Ops with a fused-activation attribute [0] that a following Relu / Clip(0, 6) can fold into. */
export const FUSES_ACTIVATION: ReadonlySet<number> = new Set([Op.Dense, Op.Conv2d, Op.Add]);

export function opName(code: number): string {
  return Op[code] ?? `op${code}`;
}

// Numeric self-check for an artifact before the Engine trusts it (used for the relaxed-SIMD
// build, whose dot product is only exact while one operand stays within 7 bits). A tiny int8
// Dense model with extreme values is run and its int32 output compared bit for bit with an
// integer reference computed here. Runs anywhere: no Node APIs.
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../format/builder.ts";

export interface SelfCheckCase {
  model: Uint8Array;
  x: Int8Array;
  expected: Int32Array;
}

/**
 * 5 rows (one 4-row GEMM block plus a GEMV row) x K = 37 (vector body plus tail) x N = 11.
 * Two weight tensors: one within 128 consecutive values (takes the relaxed 7-bit path), one
 * full range (takes the fallback); activations include -128 and 127 so any saturation or
 * signedness slip changes the result.
 */
export function selfCheckCase(): SelfCheckCase {
  const R = 5, K = 37, N = 11, zx = -3;
  let s = 0x2545f491;
  const next = () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const x = Int8Array.from({ length: R * K }, (_, i) => (i % 9 === 0 ? -128 : i % 7 === 0 ? 127 : Math.floor(next() * 256) - 128));
  const w7 = Int8Array.from({ length: N * K }, (_, i) => (i % 5 === 0 ? -100 : i % 3 === 0 ? 27 : Math.floor(next() * 128) - 100));
  const w8 = Int8Array.from({ length: N * K }, (_, i) => (i % 4 === 0 ? -128 : i % 6 === 0 ? 127 : Math.floor(next() * 256) - 128));
  const g = new GraphBuilder();
  const xi = g.input("x", DType.I8, [K], { zeroPoint: zx });
  const a = g.constant("W7", DType.I8, [N, K], w7);
  const b = g.constant("W8", DType.I8, [N, K], w8);
  const y7 = g.act("y7", DType.I32, [N]);
  const y8 = g.act("y8", DType.I32, [N]);
  g.op(Op.Dense, [xi, a], [y7]).op(Op.Dense, [xi, b], [y8]).output(y7, y8);
  const expected = new Int32Array(2 * R * N);
  [w7, w8].forEach((w, t) => {
    for (let r = 0; r < R; r++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (x[r * K + k] - zx) * w[n * K + k];
        expected[t * R * N + r * N + n] = acc;
      }
  });
  return { model: g.encode(), x, expected };
}

/** True when `run` (model bytes, input) returns exactly the expected int32 values (y7 then y8). */
export function passesSelfCheck(run: (model: Uint8Array, x: Int8Array) => Int32Array): boolean {
  const c = selfCheckCase();
  try {
    const out = run(c.model, c.x);
    return out.length === c.expected.length && out.every((v, i) => v === c.expected[i]);
  } catch {
    return false;
  }
}

// Runs edgeq's int8 cases on build/edgeq-relaxed.wasm. Started by bench/run.ts as
// `node --experimental-wasm-relaxed-simd` (Node 20 refuses relaxed opcodes without the flag);
// prints its rows as one JSON line.
import { createEngine } from "../src/node.ts";
import type { Ctx, Row } from "./harness.ts";
import { FULL, QUICK } from "./timing.ts";
import { gemmCases } from "./cases/gemm.ts";
import { sparseCases } from "./cases/sparse.ts";
import { modelCases } from "./cases/models.ts";

const quick = process.argv.includes("--quick");
const engine = await createEngine({ relaxed: true });
const rows: Row[] = [];
if (!engine.relaxed) {
  rows.push({ group: "gemm-int8", case: "*", contender: "edgeq-relaxed", ops: 0, int8: true, status: "unavailable", note: "relaxed build refused (no relaxed SIMD or self-check failed)" });
} else {
  const ctx: Ctx = { opts: quick ? QUICK : FULL, quick, engine, role: "relaxed", rows, log: (s) => process.stderr.write(s + "\n") };
  await gemmCases(ctx);
  await sparseCases(ctx);
  await modelCases(ctx);
}
process.stdout.write(JSON.stringify(rows) + "\n");

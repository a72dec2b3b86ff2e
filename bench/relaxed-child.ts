// Runs edgeq's int8 cases on build/edgeq-relaxed.wasm. Started by bench/run.ts as
// `node --experimental-wasm-relaxed-simd` (Node 20 refuses relaxed opcodes without the flag);
// prints its rows as one JSON line.
import { createEngine } from "../src/node.ts";
import type { Ctx, Row } from "./harness.ts";
import { FULL, QUICK } from "./timing.ts";
import { peakSampler } from "./peak.ts";
import { gemmCases } from "./cases/gemm.ts";
import { sparseCases } from "./cases/sparse.ts";
import { modelCases } from "./cases/models.ts";
import { convCases } from "./cases/conv.ts";
import { lenet5Cases } from "./cases/lenet5.ts";

const quick = process.argv.includes("--quick");
const engine = await createEngine({ relaxed: true });
const plain = await createEngine();
const rows: Row[] = [];
if (!engine.relaxed) {
  rows.push({ group: "gemm-int8", case: "*", contender: "edgeq-relaxed", ops: 0, int8: true, status: "unavailable", note: "relaxed build refused (no relaxed SIMD or self-check failed)" });
} else {
  // the SIMD128 build runs again here, interleaved with the relaxed one, so their ratio is fair
  const engines: [string, typeof engine][] = [["edgeq-simd128 (child)", plain], ["edgeq-relaxed", engine]];
  const ctx: Ctx = { opts: quick ? QUICK : FULL, quick, engine, engines, role: "relaxed", rows, pending: [], peakSample: await peakSampler(quick ? 50_000 : 500_000), log: (s) => process.stderr.write(s + "\n") };
  await gemmCases(ctx);
  await sparseCases(ctx);
  await modelCases(ctx);
  await lenet5Cases(ctx);
  await convCases(ctx);
}
process.stdout.write(JSON.stringify(rows) + "\n");

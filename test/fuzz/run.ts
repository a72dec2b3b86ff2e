// `npm run fuzz -- [runs] [seed]`: as many mutants as asked (default 1 000 000).
import { createEngine } from "../../src/node.ts";
import { fuzz } from "./harness.ts";

const runs = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 100000);
const engine = await createEngine();
const t0 = performance.now();
const stats = fuzz(engine, runs, seed, (done) => {
  if (done % 50000 === 0) console.log(`${done} / ${runs}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
});
console.log(JSON.stringify({ seed, runs: stats.runs, loaded: stats.loaded, rejected: stats.rejected, crashes: stats.crashes.length }, null, 2));
for (const c of stats.crashes.slice(0, 10)) console.log(`crash seed ${c.seed}: ${c.error}`);
process.exit(stats.crashes.length ? 1 : 0);

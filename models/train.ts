// Trains zoo models (src/train/zoo.ts) with their fixed seeds and writes models/<name>.edgeq plus
// models/<name>.json (recipe, accuracy, times). Usage: node --import tsx models/train.ts [name...]
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine } from "../src/node.ts";
import { Backend } from "../src/train/backend.ts";
import { toEdgeq } from "../src/train/export.ts";
import { runRecipe } from "../src/train/recipe.ts";
import { ZOO } from "../src/train/zoo.ts";

const here = dirname(fileURLToPath(import.meta.url));
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ZOO);
const be = new Backend(await createEngine());
for (const name of names) {
  const r = ZOO[name];
  if (!r) throw new Error(`unknown zoo model ${name}; known: ${Object.keys(ZOO).join(", ")}`);
  console.log(`${name}: ${r.data}, ${r.epochs} epochs, batch ${r.batchSize}`);
  const res = runRecipe(be, r, {
    evalEachEpoch: true,
    onEpoch: (e) => console.log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)} train ${(e.accuracy * 100).toFixed(2)}% test ${((e.testAccuracy ?? 0) * 100).toFixed(2)}% (${e.seconds.toFixed(1)} s)`),
  });
  const bytes = toEdgeq(res.model);
  writeFileSync(join(here, `${name}.edgeq`), bytes);
  const meta = {
    name, data: r.data, testAccuracy: res.testAccuracy, target: r.target, parameters: res.model.parameterCount(), bytes: bytes.length,
    wallSeconds: +res.seconds.toFixed(1), cpuSeconds: +res.cpuSeconds.toFixed(1), epochs: res.epochs, recipe: r,
    node: process.version, date: new Date().toISOString(),
  };
  writeFileSync(join(here, `${name}.json`), JSON.stringify(meta, null, 2) + "\n");
  console.log(`${name}: test accuracy ${(res.testAccuracy * 100).toFixed(2)}% (target ${r.target * 100}%), ${res.seconds.toFixed(0)} s wall, ${res.cpuSeconds.toFixed(0)} s cpu, ${bytes.length} bytes`);
  res.model.dispose();
}

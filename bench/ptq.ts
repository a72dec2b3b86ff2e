// `node --import tsx bench/ptq.ts [--quick] [name...]`: post-training quantization targets for the
// zoo's MNIST models (docs/performance.md): static int8 accuracy drop per calibrator on the 10 000
// test images, calibration time on 512 images (median of 3), int8 bytes against f32.
// Uses models/<name>.edgeq; a missing model is trained with its zoo recipe (--quick: 1 epoch on
// 20 000 images, for a smoke run only). Writes bench/results/ptq.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMnist } from "../src/data/mnist.ts";
import { evaluate } from "../src/eval/accuracy.ts";
import { createEngine, PACKAGE_ROOT } from "../src/node.ts";
import { METHODS } from "../src/quantize/observers/index.ts";
import { quantizeModel } from "../src/quantize/quantizer.ts";
import type { Engine } from "../src/runtime/engine.ts";
import { Backend } from "../src/train/backend.ts";
import { toEdgeq } from "../src/train/export.ts";
import { runRecipe } from "../src/train/recipe.ts";
import { ZOO } from "../src/train/zoo.ts";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const names = argv.filter((a) => !a.startsWith("--"));
const log = (s: string) => process.stderr.write(s + "\n");
const engine = await createEngine();
const calib = loadMnist("train", 512);
const test = loadMnist("test");

function model(name: string): { bytes: Uint8Array; origin: string } {
  const file = join(PACKAGE_ROOT, "models", `${name}.edgeq`);
  if (existsSync(file)) return { bytes: new Uint8Array(readFileSync(file)), origin: `models/${name}.edgeq` };
  const r = quick ? { ...ZOO[name], epochs: 1 } : ZOO[name];
  log(`${name}: models/${name}.edgeq missing, training (${r.epochs} epochs${quick ? " on 20 000 images" : ""})`);
  const res = runRecipe(new Backend(engine), r, quick ? { data: { train: loadMnist("train", 20000), test: loadMnist("test", 1000) } } : {});
  const bytes = toEdgeq(res.model);
  res.model.dispose();
  return { bytes, origin: `trained by bench/ptq.ts (${r.epochs} epoch(s)${quick ? ", 20 000 images" : ""})` };
}

function accuracy(e: Engine, bytes: Uint8Array): number {
  const m = e.load(bytes);
  try {
    return evaluate(m, test).accuracy;
  } finally {
    m.dispose();
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const results = [];
for (const name of names.length ? names : ["lenet5", "lenet-300-100"]) {
  const { bytes, origin } = model(name);
  const float = accuracy(engine, bytes);
  const variants = [];
  const dyn = quantizeModel(engine, bytes, undefined, { mode: "dynamic" });
  variants.push({ variant: "dynamic", accuracy: accuracy(engine, dyn.bytes), bytes: dyn.bytes.length });
  for (const method of METHODS) {
    const runs = [0, 1, 2].map(() => quantizeModel(engine, bytes, calib.x, { mode: "static", method }));
    variants.push({ variant: `static ${method}`, method, accuracy: accuracy(engine, runs[0].bytes), bytes: runs[0].bytes.length, calibrationMs: median(runs.map((r) => r.calibrationMs)) });
  }
  const rows = variants.map((v) => ({ ...v, dropPP: (float - v.accuracy) * 100, ratio: v.bytes / bytes.length }));
  const best = rows.filter((r) => r.variant.startsWith("static")).reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  results.push({ model: name, origin, floatAccuracy: float, floatBytes: bytes.length, bestCalibrator: best.method, bestDropPP: best.dropPP, variants: rows });
  console.log(`\n### ${name} (${origin}): f32 ${(float * 100).toFixed(2)} %, ${bytes.length} bytes\n`);
  console.log("| variant | test accuracy | drop (pp) | bytes | × f32 | calibration, 512 images (ms) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.variant} | ${(r.accuracy * 100).toFixed(2)} % | ${r.dropPP.toFixed(2)} | ${r.bytes} | ${r.ratio.toFixed(3)} | ${r.calibrationMs === undefined ? "—" : r.calibrationMs.toFixed(0)} |`);
  console.log(`\nbest calibrator: ${best.method} (${best.dropPP.toFixed(2)} pp)`);
}
mkdirSync(join(PACKAGE_ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(PACKAGE_ROOT, "bench", "results", quick ? "ptq-quick.json" : "ptq.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, results }, null, 2) + "\n");

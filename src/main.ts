// `npm start`: the main job. Takes the zoo's float LeNet-5 (models/lenet5.edgeq), quantizes it
// post-training (dynamic, and static with every calibrator) and compares all variants on the
// 10 000 MNIST test images in edgeq.wasm: accuracy, worst-class accuracy, bytes, batch-1
// latency. Writes report/index.html (Vega-Lite charts rendered to SVG) and report/report.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { take } from "./data/dataset.ts";
import { loadMnist } from "./data/mnist.ts";
import { evaluate, type Accuracy } from "./eval/accuracy.ts";
import { artifactPath, createEngine, PACKAGE_ROOT } from "./node.ts";
import { METHODS, type QParams } from "./quantize/observers/index.ts";
import { prepareFloat, quantizeModel, type QuantizeOptions } from "./quantize/quantizer.ts";
import { sensitivity } from "./quantize/sensitivity.ts";
import { dropChart, perClassChart, tradeoffChart } from "./report/charts.ts";
import { htmlTable, renderHtml } from "./report/html.ts";
import { latency } from "./report/latency.ts";
import { zooModel } from "./report/zoo-model.ts";

const CALIB_SAMPLES = 512;
const t0 = performance.now();
const log = (s: string) => console.log(s);
const engine = await createEngine();
const zoo = zooModel(engine, log);
const calib = loadMnist("train", CALIB_SAMPLES);
const test = loadMnist("test");
log(`edgeq — post-training quantization of ${zoo.name} (${zoo.origin}) on MNIST, ${test.n} test images, ${CALIB_SAMPLES} calibration images\n`);

interface Row {
  variant: string;
  mode: "f32" | "dynamic" | "static";
  method?: string;
  bytes: number;
  calibrationMs?: number;
  result: Accuracy;
  latencyUs: number;
}

function measure(variant: string, mode: Row["mode"], bytes: Uint8Array, extra: Partial<Row> = {}): Row {
  const m = engine.load(bytes);
  try {
    const result = evaluate(m, test);
    const lat = latency(m, test.x.subarray(0, 784));
    return { variant, mode, bytes: bytes.length, result, latencyUs: lat.medianUs, ...extra };
  } finally {
    m.dispose();
  }
}

const rows: Row[] = [measure("f32", "f32", zoo.bytes)];
const dyn = quantizeModel(engine, zoo.bytes, undefined, { mode: "dynamic" });
rows.push(measure("int8 dynamic", "dynamic", dyn.bytes));
const staticParams = new Map<string, Map<string, QParams>>();
for (const method of METHODS) {
  const opts: QuantizeOptions = { mode: "static", method };
  const q = quantizeModel(engine, zoo.bytes, calib.x, opts);
  staticParams.set(method, q.qparams!);
  rows.push(measure(`int8 static ${method}`, "static", q.bytes, { method, calibrationMs: q.calibrationMs }));
}

const f32 = rows[0];
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const dropPP = (r: Row) => (f32.result.accuracy - r.result.accuracy) * 100;
const head = ["variant", "accuracy", "drop (pp)", "worst class", "bytes", "× f32", "latency (µs)", "calib (ms)"];
const table = rows.map((r) => [
  r.variant,
  pct(r.result.accuracy),
  r === f32 ? "—" : dropPP(r).toFixed(2),
  `${pct(r.result.worstAccuracy)} (${test.classes[r.result.worstClass]})`,
  r.bytes,
  (r.bytes / f32.bytes).toFixed(3),
  r.latencyUs.toFixed(1),
  r.calibrationMs === undefined ? "—" : r.calibrationMs.toFixed(0),
]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => String(row[i]).length)));
log(head.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join("  "));
for (const row of table) log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  "));

const statics = rows.filter((r) => r.mode === "static");
const best = statics.reduce((a, b) => (b.result.accuracy > a.result.accuracy ? b : a));
log(`\nbest calibrator: ${best.method} (static int8 ${pct(best.result.accuracy)}, ${dropPP(best).toFixed(2)} pp vs f32); int8 size ${(best.bytes / f32.bytes).toFixed(3)}× f32`);

// sensitivity of the best static model's layers, measured on held-out training images (not the test set)
const val = take(loadMnist("train", 12000), 2000, 10000);
const sens = sensitivity(engine, prepareFloat(zoo.bytes), val, { mode: "static", method: best.method }, staticParams.get(best.method!));
log(`\nper-layer sensitivity (${best.method}; only that layer int8; ${val.n} held-out training images):`);
for (const r of sens.rows) log(`  ${r.layer.padEnd(12)} ${r.type.padEnd(8)} ${pct(r.accuracy)}  ${r.dropPP >= 0 ? " " : ""}${r.dropPP.toFixed(2)} pp`);

// report
const outDir = join(PACKAGE_ROOT, "report");
mkdirSync(outDir, { recursive: true });
const points = rows.map((r) => ({ variant: r.variant, mode: r.mode, accuracy: r.result.accuracy, worstClassAccuracy: r.result.worstAccuracy, bytes: r.bytes, latencyUs: r.latencyUs }));
const [tradeoff, perClass, drops, sensSvg] = await Promise.all([
  tradeoffChart(points),
  perClassChart(rows.map((r) => ({ variant: r.variant, perClass: r.result.perClass })), test.classes),
  dropChart(rows.slice(1).map((r) => ({ variant: r.variant, dropPP: dropPP(r) })), "accuracy drop against f32"),
  dropChart(sens.rows.map((r) => ({ variant: r.layer, dropPP: r.dropPP })), `only one layer int8 (${best.method})`),
]);
const seconds = (performance.now() - t0) / 1000;
const report = {
  model: zoo.name,
  origin: zoo.origin,
  dataset: "mnist",
  testSamples: test.n,
  calibrationSamples: CALIB_SAMPLES,
  artifact: { path: "build/edgeq.wasm", bytes: readFileSync(artifactPath()).length },
  node: process.version,
  date: new Date().toISOString(),
  seconds,
  bestCalibrator: best.method,
  variants: rows.map((r) => ({
    variant: r.variant, mode: r.mode, method: r.method, bytes: r.bytes, ratio: r.bytes / f32.bytes, latencyUs: r.latencyUs,
    calibrationMs: r.calibrationMs, accuracy: r.result.accuracy, dropPP: dropPP(r), worstClass: r.result.worstClass,
    worstClassAccuracy: r.result.worstAccuracy, perClass: r.result.perClass, confusion: r.result.confusion,
  })),
  sensitivity: sens,
};
writeFileSync(join(outDir, "report.json"), JSON.stringify(report, null, 2));
writeFileSync(join(outDir, "index.html"), renderHtml({
  title: `edgeq: post-training quantization of ${zoo.name} on MNIST`,
  intro: `${zoo.name} (${zoo.origin}) as f32, int8 with dynamic activation quantization, and int8 static with each calibrator (${CALIB_SAMPLES} training images). Accuracy on the ${test.n} MNIST test images, run in edgeq.wasm (Node ${process.version}); latency is the median of batch-1 runs.`,
  table: { head, rows: table },
  sections: [
    { title: "Accuracy against size and latency", svg: tradeoff },
    { title: "Accuracy drop against f32", svg: drops },
    { title: "Per-class accuracy", svg: perClass },
    { title: "Layer sensitivity", svg: sensSvg, note: `Accuracy drop when only that layer runs int8 (${best.method} calibration), on ${val.n} held-out training images. Layers at the top are the first candidates for --keep-float.`, html: htmlTable(["layer", "type", "accuracy", "drop (pp)"], sens.rows.map((r) => [r.layer, r.type, pct(r.accuracy), r.dropPP.toFixed(2)])) },
  ],
  footer: `Generated by npm start in ${seconds.toFixed(1)} s on ${report.date}. Data: report.json.`,
}));
log(`\nwrote report/index.html and report/report.json in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// `edgeq quantize`: post-training quantization of a float model (PTDQ or PTSQ), optionally with
// an accuracy check, a per-layer sensitivity report and automatic mixed precision.
import { Command, Option } from "commander";
import { isDataSpec, loadDataSpec, DATA_SPEC_HELP } from "../../data/source.ts";
import type { Dataset } from "../../data/dataset.ts";
import { readInput } from "./run.ts";
import { createEngine } from "../../node.ts";
import { METHODS } from "../../quantize/observers/index.ts";
import { checkMethod, convert, prepareFloat, quantizeModel, type QuantizeOptions, type QuantizeResult } from "../../quantize/quantizer.ts";
import { chooseKeepFloat, sensitivity, type SensitivityReport } from "../../quantize/sensitivity.ts";
import { evaluate } from "../../eval/accuracy.ts";
import { encode } from "../../format/writer.ts";
import { decode } from "../../format/reader.ts";
import { datasetSamples } from "../../quantize/calibration.ts";
import { numel } from "../../quantize/graph.ts";
import { CliError, EXIT } from "../errors.ts";
import { pct, readModelFile, writeFileAtomic } from "../io.ts";
import { progress } from "../progress.ts";

interface Opts {
  mode: "static" | "dynamic";
  method: string;
  calib?: string;
  percentile?: string;
  perTensor?: boolean;
  symmetric?: boolean;
  keepFloat: string[];
  eval?: string;
  sensitivity?: boolean;
  autoKeepFloat?: string;
  output: string;
  json?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

export function register(program: Command): void {
  program
    .command("quantize")
    .description("Quantize a float .edgeq model to int8 (post-training, dynamic or static with calibration)")
    .argument("<model>", "float .edgeq model")
    .addOption(new Option("--mode <mode>", "dynamic: int8 weights, activations quantized at run time; static: int8 activations from calibration").choices(["static", "dynamic"]).default("static"))
    .addOption(new Option("--method <method>", "static: calibration method").choices([...METHODS]).default("minmax"))
    .option("--calib <data>", `static: calibration samples, ${DATA_SPEC_HELP}, or a .npy / raw f32 file`)
    .option("--percentile <p>", "percentile method: kept percentile (default 99.99)")
    .option("--per-tensor", "one weight scale per tensor instead of per output channel")
    .option("--symmetric", "symmetric activations (zero point 0) instead of asymmetric")
    .option("--keep-float <layers>", "keep these layers in f32 (comma-separated or repeated)", collect, [] as string[])
    .option("--eval <data>", `also report float and quantized accuracy on ${DATA_SPEC_HELP}`)
    .option("--sensitivity", "with --eval: accuracy drop of quantizing each layer alone")
    .option("--auto-keep-float <pp>", "with --eval: keep the most sensitive layers in f32 until the drop is at most <pp> points")
    .requiredOption("-o, --output <file>", "where to write the quantized model")
    .option("--json", "machine-readable output")
    .addHelpText("after", `
Examples:
  $ edgeq quantize lenet5.edgeq --mode static --method entropy --calib mnist:train:512 -o lenet5.int8.edgeq
  $ edgeq quantize mlp.edgeq --mode dynamic -o mlp.dyn.edgeq
  $ edgeq quantize lenet5.edgeq --calib mnist:train:512 --keep-float conv1 --eval mnist:test -o mixed.edgeq
  $ edgeq quantize lenet5.edgeq --calib mnist:train:512 --eval mnist:test:2000 --sensitivity --auto-keep-float 0.2 -o auto.edgeq

Nothing is written unless quantization succeeds and the artifact accepts the result.
Exit codes: 0 ok, 2 bad usage or options, 3 bad model, 4 bad data.`)
    .action(async (path: string, opts: Opts) => run(path, opts));
}

/** A dataset spec (shape known, checked against the model) or a file of raw samples. */
function loadCalibration(spec: string): { name: string; x: Float32Array; n?: number; shape?: number[] } {
  if (isDataSpec(spec)) return loadDataSpec(spec);
  const x = readInput(spec);
  if (!(x instanceof Float32Array)) throw new CliError(`--calib ${spec}: give a flat array of samples (or a dataset such as mnist:train:512)`, EXIT.usage);
  return { name: spec, x };
}

function options(opts: Opts, onProgress?: QuantizeOptions["onProgress"]): QuantizeOptions {
  const q: QuantizeOptions = { mode: opts.mode, method: opts.method, perChannel: !opts.perTensor, symmetricActivations: !!opts.symmetric, keepFloat: opts.keepFloat, onProgress };
  if (opts.percentile !== undefined) {
    const p = Number(opts.percentile);
    if (!Number.isFinite(p)) throw new CliError(`--percentile must be a number such as 99.99, got "${opts.percentile}"`, EXIT.usage);
    q.observer = { percentile: p };
  }
  return q;
}

async function run(path: string, opts: Opts): Promise<void> {
  if (opts.mode === "static" && !opts.calib) throw new CliError("static quantization needs calibration data: add --calib mnist:train:512 (or use --mode dynamic)", EXIT.usage);
  if ((opts.sensitivity || opts.autoKeepFloat !== undefined) && !opts.eval) throw new CliError("--sensitivity and --auto-keep-float need --eval <data> to measure accuracy", EXIT.usage);
  const maxDrop = opts.autoKeepFloat === undefined ? undefined : Number(opts.autoKeepFloat);
  if (maxDrop !== undefined && !(maxDrop >= 0)) throw new CliError(`--auto-keep-float takes a drop in percentage points (>= 0), got "${opts.autoKeepFloat}"`, EXIT.usage);
  if (opts.mode === "static") checkMethod(opts.method);
  const bytes = readModelFile(path);
  const floatSpec = decode(bytes);
  const calib = opts.mode === "static" ? loadCalibration(opts.calib!) : undefined;
  const evalData = opts.eval ? loadDataSpec(opts.eval) : undefined;
  const engine = await createEngine();
  const bar = progress("calibrating", !opts.json);
  const qo = options(opts, (d, t) => bar.update(d, t));
  let result: QuantizeResult;
  try {
    result = quantizeModel(engine, bytes, calib && (calib.shape ? datasetSamples(floatSpec, calib as Dataset) : calib.x), qo);
  } finally {
    bar.stop();
  }
  let report: SensitivityReport | undefined;
  let autoKept: string[] | undefined;
  if (evalData && (opts.sensitivity || maxDrop !== undefined)) {
    const g = prepareFloat(bytes);
    const sbar = progress("sensitivity", !opts.json);
    try {
      report = sensitivity(engine, g, evalData, qo, result.qparams, (d, t) => sbar.update(d, t));
    } finally {
      sbar.stop();
    }
    if (maxDrop !== undefined) {
      autoKept = chooseKeepFloat(engine, g, evalData, { ...qo, keepFloat: opts.keepFloat }, report, maxDrop, result.qparams);
      const keepFloat = [...new Set([...opts.keepFloat, ...autoKept])];
      const spec = convert(g, { ...qo, keepFloat }, result.qparams);
      result = { ...result, spec, bytes: encode(spec), layers: result.layers.map((l) => ({ ...l, quantized: !keepFloat.includes(l.name) })) };
    }
  }
  let accuracy: { float: number; quantized: number } | undefined;
  if (evalData) {
    const ebar = progress("evaluating", !opts.json);
    const f = engine.load(bytes), q = engine.load(result.bytes);
    try {
      accuracy = { float: evaluate(f, evalData).accuracy, quantized: evaluate(q, evalData, { onProgress: (d, t) => ebar.update(d, t) }).accuracy };
    } finally {
      f.dispose();
      q.dispose();
      ebar.stop();
    }
  }
  writeFileAtomic(opts.output, result.bytes);
  const summary = {
    output: opts.output,
    mode: opts.mode,
    method: opts.mode === "static" ? opts.method : undefined,
    weights: opts.perTensor ? "per-tensor" : "per-channel",
    activations: opts.mode === "static" ? (opts.symmetric ? "symmetric" : "asymmetric") : "dynamic",
    layers: result.layers.map((l) => ({ name: l.name, type: l.type, precision: l.quantized ? "int8" : "f32" })),
    floatBytes: bytes.length,
    bytes: result.bytes.length,
    ratio: result.bytes.length / bytes.length,
    calibrationMs: opts.mode === "static" ? Math.round(result.calibrationMs) : undefined,
    calibrationSamples: calib ? calib.x.length / numel(floatSpec.tensors[floatSpec.inputs[0]].shape) : undefined,
    accuracy,
    sensitivity: report,
    autoKeptFloat: autoKept,
  };
  if (opts.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(`wrote ${opts.output}: ${summary.bytes} bytes (${(summary.ratio * 100).toFixed(1)}% of ${summary.floatBytes})`);
  console.log(`mode ${opts.mode}${summary.method ? `, ${summary.method} calibration on ${summary.calibrationSamples ?? "the given"} samples in ${summary.calibrationMs} ms` : ""}, ${summary.weights} weights, ${summary.activations} activations`);
  console.log(`layers: ${summary.layers.map((l) => `${l.name} ${l.precision}`).join(", ")}`);
  if (accuracy) console.log(`accuracy on ${evalData!.name}: float ${pct(accuracy.float)}, quantized ${pct(accuracy.quantized)} (${((accuracy.quantized - accuracy.float) * 100).toFixed(2)} pp)`);
  if (report) {
    console.log("\nsensitivity (only this layer int8):");
    console.log(`  ${"layer".padEnd(16)} ${"type".padEnd(8)} accuracy   drop`);
    for (const r of report.rows) console.log(`  ${r.layer.padEnd(16)} ${r.type.padEnd(8)} ${pct(r.accuracy).padStart(8)} ${r.dropPP.toFixed(2).padStart(6)} pp`);
  }
  if (autoKept) console.log(`auto mixed precision kept in f32: ${autoKept.length ? autoKept.join(", ") : "(none needed)"}`);
}

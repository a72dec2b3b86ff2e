// Post-training quantization of a float .edgeq model: PTDQ (dynamic) and PTSQ (static, calibrated),
// per-channel or per-tensor weights, symmetric or asymmetric activations, and layers kept in f32.
// The same model, data and options always give the same bytes.
import { DType } from "../../assembly/format/spec.ts";
import { decode } from "../format/reader.ts";
import { encode, type GraphSpec } from "../format/writer.ts";
import type { Engine } from "../runtime/engine.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import { calibrate, checkSamples, type SampleInputs } from "./calibration.ts";
import { checkKeep, convertDynamic, convertStatic } from "./convert.ts";
import { fuseActivations, isQuantizable, layerAliases, layerName } from "./graph.ts";
import { createObserver, type ObserverSettings, type QParams } from "./observers/index.ts";
import { opName } from "./ops.ts";

export type Mode = "static" | "dynamic";

export interface QuantizeOptions {
  mode: Mode;
  /** static: calibration method (minmax, moving-average, percentile, entropy, mse); default minmax */
  method?: string;
  /** default true: one weight scale per output channel */
  perChannel?: boolean;
  /** default false: asymmetric activations (zero point chosen to fit the range) */
  symmetricActivations?: boolean;
  /** layer names (see `layers()`) kept in f32 */
  keepFloat?: string[];
  observer?: ObserverSettings;
  /** calibration samples per artifact run; default 64 */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface LayerInfo {
  /** op index in the (activation-fused) float graph */
  op: number;
  name: string;
  type: string;
  quantized: boolean;
}

export interface QuantizeResult {
  bytes: Uint8Array;
  spec: GraphSpec;
  layers: LayerInfo[];
  /** static mode: time spent calibrating */
  calibrationMs: number;
  /** static mode: activation parameters by tensor name */
  qparams?: Map<string, QParams>;
}

/** Decodes and checks a float model, then fuses standalone ReLUs into their layers. */
export function prepareFloat(model: Uint8Array | GraphSpec): GraphSpec {
  const g = model instanceof Uint8Array ? decode(model) : model;
  for (const t of g.tensors) {
    if (t.dtype !== DType.F32 && !(t.dtype === DType.I32 && t.kind === 0)) {
      throw new EdgeqError(ErrorCode.BadArgument, `tensor "${t.name}" is already ${DType[t.dtype]}; quantize the float model instead`);
    }
  }
  return fuseActivations(g);
}

export function quantizableLayers(g: GraphSpec): LayerInfo[] {
  return g.ops.flatMap((op, o) => (isQuantizable(g, op) ? [{ op: o, name: layerName(g, o), type: opName(op.op), quantized: true }] : []));
}

/** Layer op indices for user-given names (layer, weight or output tensor names). */
export function resolveLayers(g: GraphSpec, names: string[]): Set<number> {
  const layers = quantizableLayers(g);
  const keep = new Set<number>();
  for (const n of names) {
    const hit = layers.find((l) => layerAliases(g, l.op).includes(n));
    if (!hit) throw new EdgeqError(ErrorCode.BadArgument, `no quantizable layer is called "${n}"; layers: ${layers.map((l) => l.name).join(", ") || "(none)"}`);
    keep.add(hit.op);
  }
  return keep;
}

export function checkMethod(method: string): void {
  createObserver(method, { symmetric: false }); // throws a typed error naming the valid methods
}

/** Activation parameters for every activation of the prepared float graph. */
export function calibrateFloat(engine: Engine, g: GraphSpec, data: SampleInputs, opts: QuantizeOptions): Map<string, QParams> {
  const samples = checkSamples(g, data);
  return calibrate(engine, g, samples, {
    method: opts.method ?? "minmax",
    scheme: { symmetric: opts.symmetricActivations ?? false },
    observer: opts.observer,
    batchSize: opts.batchSize,
    onProgress: opts.onProgress,
  });
}

/** Builds the quantized graph from a prepared float graph (and, static, its calibration). */
export function convert(g: GraphSpec, opts: QuantizeOptions, qparams?: Map<string, QParams>): GraphSpec {
  const keep = resolveLayers(g, opts.keepFloat ?? []);
  const c = { keep, perChannel: opts.perChannel ?? true };
  if (opts.mode === "dynamic") return convertDynamic(g, c);
  if (!qparams) throw new EdgeqError(ErrorCode.BadArgument, "static quantization needs calibration data");
  return convertStatic(g, qparams, c);
}

/** Loads bytes into the artifact once so a model it would refuse never leaves the quantizer. */
function verify(engine: Engine, bytes: Uint8Array): void {
  try {
    engine.load(bytes).dispose();
  } catch (e) {
    throw new EdgeqError(ErrorCode.Internal, `the artifact refused the quantized model (${(e as Error).message}); keep the offending layer in f32 with --keep-float`);
  }
}

export function quantizeModel(engine: Engine, model: Uint8Array | GraphSpec, calib: SampleInputs | undefined, opts: QuantizeOptions): QuantizeResult {
  if (opts.mode !== "static" && opts.mode !== "dynamic") throw new EdgeqError(ErrorCode.BadArgument, `unknown mode "${opts.mode}"; use static or dynamic`);
  const g = prepareFloat(model);
  const keep = resolveLayers(g, opts.keepFloat ?? []);
  checkKeep(g, keep); // model problems fail before any time goes into calibration
  let qparams: Map<string, QParams> | undefined;
  let calibrationMs = 0;
  if (opts.mode === "static") {
    checkMethod(opts.method ?? "minmax");
    if (!calib) throw new EdgeqError(ErrorCode.BadArgument, "static quantization needs calibration data (e.g. --calib mnist:train:512)");
    const t0 = performance.now();
    qparams = calibrateFloat(engine, g, calib, opts);
    calibrationMs = performance.now() - t0;
  }
  const spec = convert(g, opts, qparams);
  const bytes = encode(spec);
  verify(engine, bytes);
  const layers = quantizableLayers(g).map((l) => ({ ...l, quantized: !keep.has(l.op) }));
  return { bytes, spec, layers, calibrationMs, qparams };
}

// Calibration: run the float model in the artifact over sample inputs and feed every activation
// to its observer. The artifact, not a host re-implementation, computes the activations: the
// model is re-encoded with every activation listed as an output (at most 4096 per pass; bigger
// graphs take several passes).
import { DType } from "../../assembly/format/spec.ts";
import { encode, type GraphSpec } from "../format/writer.ts";
import type { Engine } from "../runtime/engine.ts";
import { DataError } from "../data/errors.ts";
import { isActivation, numel } from "./graph.ts";
import { createObserver, type ObserverSettings, type QParams, type QScheme } from "./observers/index.ts";

/** The container's output limit (docs/format.md), which bounds the activations seen per pass. */
const MAX_OUTPUTS = 4096;


/** Samples for each model input, by input name; a bare array serves a single-input model. */
export type SampleInputs = Float32Array | Record<string, Float32Array>;

export interface Samples {
  inputs: Record<string, Float32Array>;
  n: number;
}

/** Checks samples against the model's inputs: present, whole samples, non-empty, finite. */
export function checkSamples(g: GraphSpec, data: SampleInputs, what = "calibration data"): Samples {
  const names = g.inputs.map((i) => g.tensors[i].name);
  let inputs: Record<string, Float32Array>;
  if (data instanceof Float32Array) {
    if (names.length !== 1) throw new DataError(`${what}: the model has ${names.length} inputs (${names.join(", ")}); give one array per input name`);
    inputs = { [names[0]]: data };
  } else inputs = data;
  let n = -1;
  for (const id of g.inputs) {
    const t = g.tensors[id];
    const x = inputs[t.name];
    if (!x) throw new DataError(`${what}: nothing given for model input "${t.name}"`);
    if (!(x instanceof Float32Array)) throw new DataError(`${what}: input "${t.name}" must be a Float32Array`);
    if (t.dtype !== DType.F32) throw new DataError(`model input "${t.name}" is not f32; quantize a float model`);
    const per = numel(t.shape);
    if (x.length === 0) throw new DataError(`${what} is empty; give at least one sample of shape [${t.shape}]`);
    if (x.length % per !== 0) throw new DataError(`${what}: input "${t.name}" has ${x.length} values, not a whole number of samples of shape [${t.shape}] (${per} values each)`);
    const count = x.length / per;
    if (n >= 0 && count !== n) throw new DataError(`${what}: inputs hold different sample counts (${n} and ${count})`);
    n = count;
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new DataError(`${what}: input "${t.name}" sample ${Math.floor(i / per)} holds ${x[i]} at position ${i % per}; remove or repair non-finite samples`);
    }
  }
  for (const k of Object.keys(inputs)) if (!names.includes(k)) throw new DataError(`${what}: the model has no input "${k}" (inputs: ${names.join(", ")})`);
  return { inputs, n };
}

/** A labelled dataset as samples for a single-input model, refusing per-sample shapes that do not fit. */
export function datasetSamples(g: GraphSpec, ds: { name: string; x: Float32Array; shape: number[] }): Float32Array {
  if (g.inputs.length !== 1) throw new DataError(`the model has ${g.inputs.length} inputs; a dataset feeds one`);
  const t = g.tensors[g.inputs[0]];
  if (numel(t.shape) !== numel(ds.shape)) throw new DataError(`${ds.name} samples have shape [${ds.shape}] but model input "${t.name}" expects [${t.shape}]`);
  return ds.x;
}

export interface CalibrateOptions {
  method: string;
  scheme: QScheme;
  observer?: ObserverSettings;
  /** samples per artifact run; default 64 */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Quantization parameters of every activation of `g` (a float graph), by tensor name. */
export function calibrate(engine: Engine, g: GraphSpec, samples: Samples, opts: CalibrateOptions): Map<string, QParams> {
  const acts = g.tensors.map((t, i) => i).filter((i) => isActivation(g.tensors[i]));
  const observers = new Map(acts.map((i) => [i, createObserver(opts.method, opts.scheme, opts.observer)]));
  const batch = Math.max(1, Math.min(opts.batchSize ?? 64, samples.n));
  const batches = Math.ceil(samples.n / batch);
  const produced = acts.filter((i) => !g.inputs.includes(i));
  const passes: number[][] = [];
  for (let i = 0; i < produced.length; i += MAX_OUTPUTS) passes.push(produced.slice(i, i + MAX_OUTPUTS));
  const total = batches * Math.max(1, passes.length);
  let done = 0;
  const slice = (name: string, b: number) => {
    const t = g.tensors[g.inputs.find((i) => g.tensors[i].name === name)!];
    const per = numel(t.shape);
    return samples.inputs[name].subarray(b * batch * per, Math.min(samples.n, (b + 1) * batch) * per);
  };
  for (const id of g.inputs) {
    const name = g.tensors[id].name;
    for (let b = 0; b < batches; b++) observers.get(id)!.observe(slice(name, b));
  }
  for (const outs of passes) {
    const model = engine.load(encode({ ...g, outputs: outs }));
    try {
      for (let b = 0; b < batches; b++) {
        const feed: Record<string, Float32Array> = {};
        for (const id of g.inputs) feed[g.tensors[id].name] = slice(g.tensors[id].name, b);
        const result = model.run(feed);
        for (const id of outs) observers.get(id)!.observe(result[g.tensors[id].name].data);
        opts.onProgress?.(++done, total);
      }
    } finally {
      model.dispose();
    }
  }
  const params = new Map<string, QParams>();
  for (const [id, o] of observers) params.set(g.tensors[id].name, o.computeQParams());
  return params;
}

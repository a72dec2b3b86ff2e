// ONNX -> edgeq import for float models (opsets 9-17, and 6-8 for the same ops). The graph is translated node by node with
// static shapes: shape arithmetic folds to constants, BatchNormalization/activations/per-channel
// affine ops fold into the Conv or Dense before them, Pad folds into the next Conv.
//
// Layout: edgeq images are NHWC, ONNX images NCHW. By default the model keeps ONNX's interface:
// inputs and outputs are NCHW exactly as onnxruntime takes them, and the importer inserts
// Transposes where the layout changes. `inputLayout: "nhwc"` makes image inputs NHWC instead
// (no transpose at the input: cheaper when the caller produces NHWC pixels anyway).
// The batch is the first ONNX dim of every input; edgeq shapes are per sample.
import { Op } from "../../assembly/format/spec.ts";
import type { GraphSpec } from "../format/writer.ts";
import { attributes, decodeModel, type ModelProto, type NodeProto, type OnnxTensor, opsetVersion, tensorFromProto, typeName, valueInfoDims, OnnxType } from "../onnx/proto.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import { Graph, nodeLabel, type Value } from "./onnx-graph.ts";
import { HANDLERS } from "./onnx-ops.ts";
import { fuseHardSwish } from "./onnx-patterns.ts";

export interface ImportOptions {
  /** Per-sample ONNX shapes (without the batch dim) for inputs with symbolic dims. */
  inputShapes?: Record<string, number[]>;
  /** Layout of 4-D (image) inputs as the caller passes them: "nchw" (default, as ONNX) or "nhwc". */
  inputLayout?: "nchw" | "nhwc";
  /** Graph inputs to bind to constant values (e.g. weights fed as inputs in conformance tests). */
  constants?: Record<string, OnnxTensor>;
}

export interface ImportResult {
  spec: GraphSpec;
  opset: number;
  /** Inputs as the imported model takes them: name, per-sample shape, layout. */
  inputs: { name: string; shape: number[]; layout: "nchw" | "nhwc" | "plain" }[];
}

// 9-17 is the target; 6-8 (as in pytorch-converted conformance data) import too because every
// op handled here kept its semantics since opset 6 apart from attributes the handlers check.
export const MIN_OPSET = 6;
export const MAX_OPSET = 17;
/** Ops whose opset-1 definition computes what the handlers implement (models declaring opset < 6). */
const UNCHANGED_SINCE_OPSET_1 = new Set(["GlobalAveragePool", "Conv", "MaxPool", "Flatten", "Transpose", "Identity", "MatMul", "Softmax"]);

export function supportedOps(): string[] {
  return Object.keys(HANDLERS).sort();
}

/** Every node whose op type has no translation, grouped by type. Empty when all are supported. */
export function unsupportedNodes(m: ModelProto): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of m.graph?.node ?? []) {
    const known = (!n.domain || n.domain === "ai.onnx") && HANDLERS[n.opType ?? ""] !== undefined;
    if (known) continue;
    const key = n.domain && n.domain !== "ai.onnx" ? `${n.domain}.${n.opType}` : n.opType ?? "?";
    const list = out.get(key) ?? [];
    list.push(n.name || n.output?.[0] || "?");
    out.set(key, list);
  }
  return out;
}

export function importOnnx(input: Uint8Array | ModelProto, options: ImportOptions = {}): ImportResult {
  const m = input instanceof Uint8Array ? decodeModel(input) : input;
  const graph = m.graph;
  if (!graph) throw new EdgeqError(ErrorCode.BadGraph, "the ONNX model has no graph");
  const opset = opsetVersion(m);
  const timeless = opset >= 1 && (graph.node ?? []).every((n) => UNCHANGED_SINCE_OPSET_1.has(n.opType ?? ""));
  if ((opset < MIN_OPSET && !timeless) || opset > MAX_OPSET) throw new EdgeqError(ErrorCode.BadVersion, `ONNX opset ${opset} is not supported (${MIN_OPSET}-${MAX_OPSET})`);
  const missing = unsupportedNodes(m);
  if (missing.size > 0) {
    const list = [...missing].map(([op, names]) => `  ${op} (${names.length}): ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""}`).join("\n");
    throw new EdgeqError(ErrorCode.UnknownOp, `the model uses ${missing.size} unsupported op type${missing.size > 1 ? "s" : ""}; nothing was imported:\n${list}`);
  }
  const nodes = fuseHardSwish(graph.node ?? [], graph.initializer ?? []);
  const G = new Graph(opset);
  for (const n of nodes) for (const i of n.input ?? []) if (i) G.uses.set(i, (G.uses.get(i) ?? 0) + 1);
  for (const o of graph.output ?? []) G.uses.set(o.name!, (G.uses.get(o.name!) ?? 0) + 1);

  // weights: initializers (unused ones are tolerated and dropped) and bound inputs
  for (const t of graph.initializer ?? []) G.values.set(t.name!, { kind: "const", t: tensorFromProto(t) });
  for (const [name, t] of Object.entries(options.constants ?? {})) G.values.set(name, { kind: "const", t });

  const inputs: ImportResult["inputs"] = [];
  for (const vi of graph.input ?? []) {
    const name = vi.name!;
    if (G.values.has(name)) continue;
    const info = valueInfoDims(vi);
    if (!info) throw new EdgeqError(ErrorCode.BadShape, `input "${name}" is not a tensor`);
    if (info.type !== OnnxType.FLOAT) throw new EdgeqError(ErrorCode.BadOp, `input "${name}" is ${typeName(info.type)}; only float inputs are supported`);
    let shape = info.dims.slice(1);
    const given = options.inputShapes?.[name];
    if (given) {
      if (given.length !== shape.length || given.some((d, i) => shape[i] !== -1 && shape[i] !== d))
        throw new EdgeqError(ErrorCode.BadShape, `input "${name}": shape [${given}] does not fit the model's [${info.dims.slice(1).map((d) => (d < 0 ? "?" : d))}]`);
      shape = given;
    }
    if (info.dims.length < 2 || shape.some((d) => d < 1))
      throw new EdgeqError(ErrorCode.BadShape, `input "${name}" has shape [${info.dims.map((d) => (d < 0 ? "?" : d))}]: the first dim is the batch; give the per-sample shape with --input-shape ${name}=${shape.map((d) => (d < 0 ? "?" : d)).join(",")}`);
    const nhwc = options.inputLayout === "nhwc" && shape.length === 3;
    const v = G.newAct(name, shape, nhwc);
    G.g.spec.inputs.push(v.id);
    G.values.set(name, v);
    inputs.push({ name, shape: G.edgeqShape(shape, nhwc), layout: shape.length === 3 ? (nhwc ? "nhwc" : "nchw") : "plain" });
  }

  for (const n of nodes) translate(G, n);

  for (const o of graph.output ?? []) {
    const name = o.name!;
    const v = G.values.get(name);
    if (!v) throw new EdgeqError(ErrorCode.BadGraph, `output "${name}" is never computed`);
    if (v.kind !== "act") throw new EdgeqError(ErrorCode.BadGraph, `output "${name}" is a constant; edgeq models compute their outputs`);
    let out = G.nchw(v);
    if (G.g.spec.inputs.includes(out.id) || G.g.spec.outputs.includes(out.id)) {
      // an input passed straight through (Identity, Dropout) or a repeated output: copy it
      const copy = G.newAct(`${name}/copy`, out.shape, false);
      G.emit(Op.Reshape, [out.id], [copy.id]);
      out = copy;
    }
    G.rename(out.id, name);
    G.g.spec.outputs.push(out.id);
  }
  return { spec: prune(G.g.spec), opset, inputs };
}

function translate(G: Graph, n: NodeProto): void {
  const h = HANDLERS[n.opType!];
  const ins: (Value | undefined)[] = (n.input ?? []).map((name) => {
    if (!name) return undefined;
    const v = G.values.get(name);
    if (!v) throw new EdgeqError(ErrorCode.BadGraph, `${nodeLabel(n)}: input "${name}" is not defined before use`);
    return v;
  });
  let outs: Value[];
  try {
    outs = h({ G, node: n, ins, attrs: attributes(n) });
  } catch (e) {
    if (e instanceof EdgeqError) throw e;
    throw new EdgeqError(ErrorCode.BadOp, `${nodeLabel(n)}: ${(e as Error).message}`);
  }
  outs.forEach((v, i) => { const name = n.output?.[i]; if (name) G.values.set(name, v); });
}

/** Drops constants no op reads (folded or unused weights). Ids are renumbered. */
function prune(spec: GraphSpec): GraphSpec {
  const used = new Set<number>([...spec.inputs, ...spec.outputs]);
  for (const op of spec.ops) { for (const i of op.inputs) if (i !== null) used.add(i); for (const o of op.outputs) used.add(o); }
  const map = new Map<number, number>();
  const tensors = spec.tensors.filter((_, i) => used.has(i));
  spec.tensors.forEach((_, i) => { if (used.has(i)) map.set(i, map.size); });
  const id = (i: number) => map.get(i)!;
  return {
    tensors,
    ops: spec.ops.map((op) => ({ ...op, inputs: op.inputs.map((i) => (i === null ? null : id(i))), outputs: op.outputs.map(id) })),
    inputs: spec.inputs.map(id),
    outputs: spec.outputs.map(id),
  };
}

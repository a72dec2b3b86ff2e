// What a model contains: its graph, parameters, bytes per tensor and encoding, and estimated
// multiply-accumulates. Works on .edgeq containers and (through the importer) on ONNX files.
import { DType, Encoding, Kind, Op } from "../../assembly/format/spec.ts";
import { storedBytes } from "../format/dense-weights.ts";
import { decode } from "../format/reader.ts";
import type { GraphSpec } from "../format/writer.ts";
import { importOnnx, unsupportedNodes, type ImportOptions } from "../import/onnx.ts";
import { decodeModel, opsetVersion, tensorFromProto } from "../onnx/proto.ts";

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

export interface TensorReport { name: string; dtype: string; shape: number[]; encoding: string; params: number; bytes: number; quant?: string }
export interface OpReport { index: number; op: string; inputs: string[]; outputs: string[]; attrs: number[]; macs: number }
export interface GraphReport {
  format: "edgeq" | "onnx";
  inputs: { name: string; dtype: string; shape: number[] }[];
  outputs: { name: string; dtype: string; shape: number[] }[];
  ops: OpReport[];
  weights: TensorReport[];
  totals: { ops: number; params: number; weightBytes: number; macs: number; byEncoding: Record<string, { tensors: number; params: number; bytes: number }> };
  onnx?: { opset: number; producer: string; nodes: Record<string, number>; initializers: number; initializerParams: number; unsupported: Record<string, string[]>; importError?: string };
}

/** Per-sample multiply-accumulates of one op (dense-equivalent for compressed weights). */
export function opMacs(g: GraphSpec, i: number): number {
  const op = g.ops[i];
  const t = (j: number | null) => (j === null ? null : g.tensors[j]);
  const w = t(op.inputs[1] ?? null), y = g.tensors[op.outputs[0]];
  if (op.op === Op.Dense && w) return numel(y.shape) * w.shape[1];
  if (op.op === Op.Conv2d && w) return numel(y.shape) * numel(w.shape.slice(1));
  return 0;
}

function describe(g: GraphSpec, format: "edgeq" | "onnx"): GraphReport {
  const name = (j: number | null) => (j === null ? "-" : g.tensors[j].name);
  const io = (ids: number[]) => ids.map((j) => ({ name: g.tensors[j].name, dtype: DType[g.tensors[j].dtype], shape: g.tensors[j].shape }));
  const ops = g.ops.map((op, i) => ({ index: i, op: Op[op.op] ?? `op${op.op}`, inputs: op.inputs.map(name), outputs: op.outputs.map(name), attrs: op.attrs ?? [], macs: opMacs(g, i) }));
  const weights: TensorReport[] = g.tensors.filter((t) => t.kind === Kind.Const).map((t) => ({
    name: t.name, dtype: DType[t.dtype], shape: t.shape, encoding: Encoding[t.encoding ?? Encoding.Dense], params: numel(t.shape), bytes: storedBytes(t),
    ...(t.scales ? { quant: `${t.scales.length === 1 ? "per-tensor" : `per-channel (${t.scales.length})`} scale, zero point ${t.zeroPoint ?? 0}` } : {}),
  }));
  const byEncoding: GraphReport["totals"]["byEncoding"] = {};
  for (const w of weights) {
    const k = `${w.dtype}/${w.encoding}`;
    const e = (byEncoding[k] ??= { tensors: 0, params: 0, bytes: 0 });
    e.tensors++; e.params += w.params; e.bytes += w.bytes;
  }
  return {
    format, inputs: io(g.inputs), outputs: io(g.outputs), ops, weights,
    totals: { ops: ops.length, params: weights.reduce((s, w) => s + w.params, 0), weightBytes: weights.reduce((s, w) => s + w.bytes, 0), macs: ops.reduce((s, o) => s + o.macs, 0), byEncoding },
  };
}

export function inspectEdgeq(bytes: Uint8Array): GraphReport {
  return describe(decode(bytes), "edgeq");
}

/** ONNX-level facts always; the edgeq view when the model imports. */
export function inspectOnnx(bytes: Uint8Array, options: ImportOptions = {}): GraphReport {
  const m = decodeModel(bytes);
  const nodes: Record<string, number> = {};
  for (const n of m.graph?.node ?? []) nodes[n.opType ?? "?"] = (nodes[n.opType ?? "?"] ?? 0) + 1;
  const inits = m.graph?.initializer ?? [];
  const onnx = {
    opset: opsetVersion(m), producer: `${m.producerName ?? ""} ${m.producerVersion ?? ""}`.trim(), nodes, initializers: inits.length,
    initializerParams: inits.reduce((s, t) => s + numel(tensorFromProto(t).dims), 0),
    unsupported: Object.fromEntries(unsupportedNodes(m)),
  } as NonNullable<GraphReport["onnx"]>;
  let report: GraphReport;
  try {
    report = describe(importOnnx(m, options).spec, "onnx");
  } catch (e) {
    onnx.importError = (e as Error).message;
    report = describe({ tensors: [], ops: [], inputs: [], outputs: [] }, "onnx");
  }
  report.onnx = onnx;
  return report;
}

const fmt = (n: number) => n.toLocaleString("en-US");

export function formatReport(r: GraphReport): string {
  const lines: string[] = [];
  if (r.onnx) {
    lines.push(`ONNX opset ${r.onnx.opset}${r.onnx.producer ? `, from ${r.onnx.producer}` : ""}: ${Object.values(r.onnx.nodes).reduce((a, b) => a + b, 0)} nodes, ${r.onnx.initializers} initializers (${fmt(r.onnx.initializerParams)} values)`);
    lines.push(`  nodes: ${Object.entries(r.onnx.nodes).map(([k, v]) => `${k}×${v}`).join(" ")}`);
    for (const [op, names] of Object.entries(r.onnx.unsupported)) lines.push(`  unsupported: ${op} (${names.length}): ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", ..." : ""}`);
    if (r.onnx.importError) { lines.push(`  not importable: ${r.onnx.importError}`); return lines.join("\n"); }
    lines.push("as imported into edgeq:");
  }
  for (const i of r.inputs) lines.push(`input   ${i.name} ${i.dtype}[${i.shape}]`);
  for (const o of r.outputs) lines.push(`output  ${o.name} ${o.dtype}[${o.shape}]`);
  lines.push("graph:");
  for (const o of r.ops) lines.push(`  ${String(o.index).padStart(3)} ${o.op.padEnd(14)} ${o.inputs.join(", ")} -> ${o.outputs.join(", ")}${o.attrs.length ? `  [${o.attrs}]` : ""}${o.macs ? `  ${fmt(o.macs)} MACs` : ""}`);
  lines.push("weights:");
  for (const w of r.weights) lines.push(`  ${w.name.padEnd(28)} ${w.dtype.padEnd(3)} [${w.shape}] ${w.encoding}, ${fmt(w.params)} params, ${fmt(w.bytes)} bytes${w.quant ? `, ${w.quant}` : ""}`);
  lines.push(`totals: ${r.totals.ops} ops, ${fmt(r.totals.params)} params, ${fmt(r.totals.weightBytes)} weight bytes, ${fmt(r.totals.macs)} MACs per sample`);
  for (const [k, e] of Object.entries(r.totals.byEncoding)) lines.push(`  ${k}: ${e.tensors} tensors, ${fmt(e.params)} params, ${fmt(e.bytes)} bytes`);
  return lines.join("\n");
}

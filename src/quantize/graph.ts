// Graph-level helpers for the quantizer: copies, consumers, layer names, activation fusion and
// dropping tensors nothing refers to. All work on GraphSpec (src/format/writer.ts).
import { Activation, Kind, Op } from "../../assembly/format/spec.ts";
import type { GraphSpec, OpSpec, TensorSpec } from "../format/writer.ts";
import { WEIGHTED } from "./ops.ts";

export function cloneSpec(g: GraphSpec): GraphSpec {
  return {
    tensors: g.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    ops: g.ops.map((o) => ({ ...o, inputs: [...o.inputs], outputs: [...o.outputs], attrs: [...(o.attrs ?? [])] })),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
  };
}

/** Tensor id -> indices of the ops reading it. */
export function consumers(g: GraphSpec): Map<number, number[]> {
  const m = new Map<number, number[]>();
  g.ops.forEach((op, o) => {
    for (const t of op.inputs) if (t !== null) (m.get(t) ?? m.set(t, []).get(t)!).push(o);
  });
  return m;
}

export const isActivation = (t: TensorSpec) => t.kind === Kind.Act;

/** A weighted op whose weights are a plain f32 constant: what the quantizer can turn into int8. */
export function isQuantizable(g: GraphSpec, op: OpSpec): boolean {
  if (!WEIGHTED.has(op.op)) return false;
  const w = op.inputs[1];
  if (w === null || w === undefined) return false;
  const t = g.tensors[w];
  return t.kind === Kind.Const && t.dtype === 1 && (t.encoding ?? 0) === 0 && t.data instanceof Float32Array;
}

/**
 * A layer's user-facing name: its weight tensor's name without a trailing ".weight"/".W"/"/W"
 * style suffix (so "conv1.weight" is layer "conv1"); the output tensor's name otherwise.
 */
export function layerName(g: GraphSpec, o: number): string {
  const op = g.ops[o];
  const w = op.inputs[1];
  if (WEIGHTED.has(op.op) && w !== null && w !== undefined) {
    return g.tensors[w].name.replace(/[./_:](weight|weights|kernel|W|w)$/, "");
  }
  return g.tensors[op.outputs[0]].name;
}

/** Names a user may use for layer o: the layer name, its weight tensor and its output tensor. */
export function layerAliases(g: GraphSpec, o: number): string[] {
  const op = g.ops[o];
  const names = [layerName(g, o), g.tensors[op.outputs[0]].name];
  if (op.inputs[1] !== null && op.inputs[1] !== undefined) names.push(g.tensors[op.inputs[1]].name);
  return names;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
function bitsToF32(bits: number): number {
  i32[0] = bits;
  return f32[0];
}

/** The fused-activation code a standalone op amounts to, or -1. */
function fusibleActivation(op: OpSpec): number {
  if (op.op === Op.Relu) return Activation.Relu;
  if (op.op === Op.Clip) {
    const lo = bitsToF32(op.attrs?.[0] ?? 0), hi = bitsToF32(op.attrs?.[1] ?? 0);
    if (lo === 0 && hi === 6) return Activation.Relu6;
    if (lo === 0 && hi === Infinity) return Activation.Relu;
  }
  return -1;
}

/**
 * Folds Relu / Clip(0, 6) into the preceding Dense or Conv2d when that op's output feeds nothing
 * else: the math is unchanged, and in int8 the activation then costs nothing and its output range
 * starts at 0 (all 256 levels for the positive side).
 */
export function fuseActivations(g: GraphSpec): GraphSpec {
  const out = cloneSpec(g);
  const uses = consumers(out);
  const removed = new Set<number>();
  out.ops.forEach((op, o) => {
    const act = fusibleActivation(op);
    if (act < 0) return;
    const x = op.inputs[0];
    if (x === null) return;
    const prod = out.ops.findIndex((p) => p.outputs.includes(x));
    if (prod < 0 || !WEIGHTED.has(out.ops[prod].op) || removed.has(prod)) return;
    const p = out.ops[prod];
    if ((p.attrs?.[0] ?? 0) !== Activation.None || (uses.get(x)?.length ?? 0) !== 1 || out.outputs.includes(x)) return;
    const attrs = [...(p.attrs ?? [])];
    attrs[0] = act;
    p.attrs = attrs;
    p.outputs = [op.outputs[0]];
    removed.add(o);
  });
  out.ops = out.ops.filter((_, o) => !removed.has(o));
  return compact(out);
}

/** Drops tensors no op and no graph io refers to, renumbering the rest in their original order. */
export function compact(g: GraphSpec): GraphSpec {
  const used = new Set<number>([...g.inputs, ...g.outputs]);
  for (const op of g.ops) {
    for (const t of op.inputs) if (t !== null) used.add(t);
    for (const t of op.outputs) used.add(t);
  }
  const map = new Map<number, number>();
  const tensors: TensorSpec[] = [];
  g.tensors.forEach((t, i) => {
    if (used.has(i)) { map.set(i, tensors.length); tensors.push(t); }
  });
  const re = (i: number) => map.get(i)!;
  return {
    tensors,
    ops: g.ops.map((op) => ({ ...op, inputs: op.inputs.map((t) => (t === null ? null : re(t))), outputs: op.outputs.map(re) })),
    inputs: g.inputs.map(re),
    outputs: g.outputs.map(re),
  };
}

export const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

// The importer's working state: what each ONNX value became (a folded constant or an edgeq
// activation), layout conversions between ONNX NCHW and edgeq NHWC, and the bookkeeping that lets
// BatchNormalization, activations and per-channel Add/Mul fold into the Conv/Dense before them.
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../format/builder.ts";
import type { OpSpec } from "../format/writer.ts";
import type { OnnxTensor } from "../onnx/proto.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

/** What a Conv2d/Dense producer exposes so later nodes can fold into its weights. */
export interface Foldable {
  op: OpSpec;
  kind: "conv" | "dense";
  weight: number; // tensor id, f32 [Cout, ...]
  bias: number | null; // tensor id, f32 [Cout]
  channels: number;
}

export interface ActValue {
  kind: "act";
  id: number; // edgeq tensor id
  /** Per-sample shape in ONNX (NCHW) terms. */
  shape: number[];
  /** The edgeq tensor stores [H, W, C] for ONNX [C, H, W]. */
  nhwc: boolean;
  fold?: Foldable;
}

export interface ConstValue {
  kind: "const";
  t: OnnxTensor;
}

/** A Pad waiting to be folded into the Conv that consumes it. */
export interface PadValue {
  kind: "pad";
  src: ActValue;
  pads: [number, number, number, number]; // top, left, bottom, right
}

export type Value = ActValue | ConstValue | PadValue;

export const TO_NHWC = [1, 2, 0];
export const TO_NCHW = [2, 0, 1];

export function nodeLabel(n: { name?: string | null; opType?: string | null; output?: string[] | null }): string {
  return `${n.opType} "${n.name || n.output?.[0] || "?"}"`;
}

export class Graph {
  readonly g = new GraphBuilder();
  readonly values = new Map<string, Value>();
  /** How many node inputs and graph outputs read each ONNX value. */
  readonly uses = new Map<string, number>();
  private readonly names = new Set<string>();
  private readonly converted = new Map<number, ActValue>();

  constructor(readonly opset: number) {}

  uniq(base: string): string {
    let name = base || "t", i = 1;
    while (this.names.has(name)) name = `${base}#${i++}`;
    this.names.add(name);
    return name;
  }

  /** Gives tensor `id` the name `name`, moving a tensor that holds it aside (graph outputs keep ONNX names). */
  rename(id: number, name: string): void {
    const tensors = this.g.spec.tensors;
    if (tensors[id].name === name) return;
    const holder = tensors.findIndex((t) => t.name === name);
    if (holder >= 0) tensors[holder].name = this.uniq(`${name}/internal`);
    this.names.delete(tensors[id].name);
    this.names.add(name);
    tensors[id].name = name;
  }

  edgeqShape(shape: number[], nhwc: boolean): number[] {
    return nhwc ? TO_NHWC.map((p) => shape[p]) : shape;
  }

  newAct(name: string, shape: number[], nhwc: boolean): ActValue {
    const id = this.g.act(this.uniq(name), DType.F32, this.edgeqShape(shape, nhwc));
    return { kind: "act", id, shape, nhwc };
  }

  constF32(name: string, shape: number[], data: ArrayLike<number>): number {
    return this.g.constant(this.uniq(name), DType.F32, shape, Float32Array.from(data));
  }

  emit(op: Op, inputs: (number | null)[], outputs: number[], attrs: number[] = []): OpSpec {
    this.g.op(op, inputs, outputs, attrs);
    return this.g.spec.ops[this.g.spec.ops.length - 1];
  }

  /** The same value laid out as edgeq NHWC (ONNX [C, H, W] per sample). */
  nhwc(v: ActValue): ActValue {
    if (v.nhwc) return v;
    if (v.shape.length !== 3) throw new EdgeqError(ErrorCode.BadShape, `expected an image (NCHW) value, got per-sample shape [${v.shape}]`);
    return this.relayout(v, true);
  }

  /** The same value in ONNX memory order. */
  nchw(v: ActValue): ActValue {
    if (!v.nhwc) return v;
    return this.relayout(v, false);
  }

  /** True when NHWC and NCHW orders are the same bytes (C == 1 or H·W == 1). */
  sameOrder(v: ActValue): boolean {
    return v.shape.length === 3 && (v.shape[0] === 1 || v.shape[1] * v.shape[2] === 1);
  }

  private relayout(v: ActValue, toNhwc: boolean): ActValue {
    const cached = this.converted.get(v.id);
    if (cached) return cached;
    const name = this.g.spec.tensors[v.id].name + (toNhwc ? "/nhwc" : "/nchw");
    const out = this.newAct(name, v.shape, toNhwc);
    if (this.sameOrder(v)) this.emit(Op.Reshape, [v.id], [out.id]);
    else this.emit(Op.Transpose, [v.id], [out.id], toNhwc ? TO_NHWC : TO_NCHW);
    this.converted.set(v.id, out);
    this.converted.set(out.id, v);
    return out;
  }

  /** A value a later node may fold into: produced by Conv/Dense, read once, no activation fused. */
  foldTarget(name: string, v: Value | undefined): ActValue | null {
    if (!v || v.kind !== "act" || !v.fold) return null;
    if ((this.uses.get(name) ?? 0) !== 1) return null;
    if ((v.fold.op.attrs?.[0] ?? 0) !== Activation.None) return null;
    return v;
  }

  /** y = x * s[c] + t[c] folded into the producer's weights and bias. */
  foldAffine(v: ActValue, s: Float64Array | null, t: Float64Array | null): ActValue {
    const f = v.fold!;
    const W = this.g.spec.tensors[f.weight].data as Float32Array;
    const per = W.length / f.channels;
    if (s) for (let c = 0; c < f.channels; c++) for (let k = 0; k < per; k++) W[c * per + k] = Math.fround(W[c * per + k] * s[c]);
    let bias = f.bias;
    if (bias === null) {
      bias = this.constF32(this.g.spec.tensors[f.weight].name + "/bias", [f.channels], new Float32Array(f.channels));
      f.op.inputs[2] = bias;
      f.bias = bias;
    }
    const B = this.g.spec.tensors[bias].data as Float32Array;
    for (let c = 0; c < f.channels; c++) B[c] = Math.fround(B[c] * (s ? s[c] : 1) + (t ? t[c] : 0));
    return v;
  }

  setActivation(v: ActValue, act: Activation): void {
    const attrs = v.fold!.op.attrs ?? [];
    attrs[0] = act;
    v.fold!.op.attrs = attrs;
  }
}

// Rewrites a float graph into its quantized form, given the layers to keep in f32 and (static
// mode) the calibrated activation parameters. Pure data in, data out: no engine, no I/O.
//
// Static plan: a weighted layer runs int8 unless kept; max-pool/reshape-like ops follow their
// input into int8 with the same parameters; average pools requantize. f32 -> int8 edges get a
// Quantize op, int8 -> f32 edges a Dequantize op (graph inputs and outputs stay f32 under their
// own names). A weighted int8 layer whose output only feeds f32 consumers writes f32 directly
// (the artifact's dequantizing path), skipping a needless rounding of e.g. the logits.
import { DType, Kind, Op } from "../../assembly/format/spec.ts";
import type { GraphSpec, OpSpec, TensorSpec } from "../format/writer.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import { cloneSpec, compact, consumers, isQuantizable } from "./graph.ts";
import type { QParams } from "./observers/index.ts";
import { REQUANTIZING, SAME_QPARAMS, WEIGHTED } from "./ops.ts";
import { quantizeBias, quantizeWeights, type QuantizedWeights } from "./weights.ts";

export interface ConvertOptions {
  /** op indices (in the float graph) kept in f32 */
  keep: ReadonlySet<number>;
  /** one weight scale per output channel (default) or per tensor */
  perChannel: boolean;
}

class Rewriter {
  readonly out: GraphSpec;
  private readonly names: Set<string>;
  private readonly uses: Map<number, number[]>;

  constructor(readonly g: GraphSpec) {
    this.out = cloneSpec(g);
    this.out.ops = [];
    this.names = new Set(g.tensors.map((t) => t.name));
    this.uses = consumers(g);
  }

  unique(base: string): string {
    let n = base;
    for (let i = 1; this.names.has(n); i++) n = `${base}${i}`;
    this.names.add(n);
    return n;
  }

  add(t: TensorSpec): number {
    this.out.tensors.push(t);
    return this.out.tensors.length - 1;
  }

  /** Replaces a constant for one op: in place when that op is its only reader, as a copy otherwise. */
  replaceConst(id: number, t: Omit<TensorSpec, "name" | "kind">): number {
    const old = this.out.tensors[id];
    if ((this.uses.get(id)?.length ?? 0) <= 1) {
      this.out.tensors[id] = { ...t, name: old.name, kind: Kind.Const };
      return id;
    }
    return this.add({ ...t, name: this.unique(`${old.name}.q`), kind: Kind.Const });
  }

  weights(op: OpSpec, perChannel: boolean): QuantizedWeights {
    const w = this.g.tensors[op.inputs[1]!];
    const wq = quantizeWeights(w.data as Float32Array, w.shape[0], perChannel);
    op.inputs[1] = this.replaceConst(op.inputs[1]!, { dtype: DType.I8, shape: [...w.shape], encoding: 0, data: wq.q, scales: wq.scales });
    return wq;
  }
}

export function checkKeep(g: GraphSpec, keep: ReadonlySet<number>): void {
  const candidates = g.ops.map((op, o) => o).filter((o) => isQuantizable(g, g.ops[o]));
  if (candidates.length === 0) throw new EdgeqError(ErrorCode.BadGraph, "no quantizable layers: the model has no Dense or Conv2d op with f32 constant weights");
  if (candidates.every((o) => keep.has(o))) throw new EdgeqError(ErrorCode.BadArgument, "every quantizable layer is kept in f32: nothing to quantize; drop some --keep-float names");
}

/** PTDQ: int8 weights; activations stay f32 and are quantized per sample inside the artifact. */
export function convertDynamic(g: GraphSpec, opts: ConvertOptions): GraphSpec {
  checkKeep(g, opts.keep);
  const rw = new Rewriter(g);
  g.ops.forEach((src, o) => {
    const op = { ...src, inputs: [...src.inputs], outputs: [...src.outputs] };
    if (isQuantizable(g, src) && !opts.keep.has(o)) rw.weights(op, opts.perChannel);
    rw.out.ops.push(op);
  });
  return compact(rw.out);
}

/** PTSQ: int8 activations with the calibrated parameters (by tensor name). */
export function convertStatic(g: GraphSpec, qparams: ReadonlyMap<string, QParams>, opts: ConvertOptions): GraphSpec {
  checkKeep(g, opts.keep);
  const uses = consumers(g);
  const int8Op = g.ops.map(() => false);
  const int8 = new Set<number>();
  const sameAs = new Map<number, number>();
  g.ops.forEach((op, o) => {
    const x = op.inputs[0];
    if (isQuantizable(g, op)) int8Op[o] = !opts.keep.has(o);
    else if ((SAME_QPARAMS.has(op.op) || REQUANTIZING.has(op.op)) && x !== null && int8.has(x)) int8Op[o] = true;
    if (!int8Op[o]) return;
    for (const y of op.outputs) int8.add(y);
    if (SAME_QPARAMS.has(op.op)) sameAs.set(op.outputs[0], x!);
  });
  const direct = new Set<number>();
  g.ops.forEach((op, o) => {
    const y = op.outputs[0];
    if (int8Op[o] && WEIGHTED.has(op.op) && !(uses.get(y) ?? []).some((c) => int8Op[c])) {
      direct.add(o);
      int8.delete(y);
    }
  });
  const paramsOf = (t: number): QParams => {
    while (sameAs.has(t)) t = sameAs.get(t)!;
    const q = qparams.get(g.tensors[t].name);
    if (!q) throw new EdgeqError(ErrorCode.Internal, `no calibration result for tensor "${g.tensors[t].name}"`);
    return q;
  };

  const rw = new Rewriter(g);
  for (const t of int8) {
    const q = paramsOf(t);
    rw.out.tensors[t] = { ...rw.out.tensors[t], dtype: DType.I8, scales: [q.scale], zeroPoint: q.zeroPoint };
  }
  // int8 graph outputs are renamed; their f32 version (a Dequantize) takes the original name
  const f32Name = new Map<number, string>();
  for (const t of new Set(g.outputs)) {
    if (!int8.has(t)) continue;
    f32Name.set(t, g.tensors[t].name);
    rw.out.tensors[t] = { ...rw.out.tensors[t], name: rw.unique(`${g.tensors[t].name}.q`) };
  }
  const quantized = new Map<number, number>(), dequantized = new Map<number, number>();
  const int8Of = (t: number): number => {
    if (int8.has(t)) return t;
    let id = quantized.get(t);
    if (id === undefined) {
      const src = g.tensors[t], q = qparams.get(src.name);
      if (!q) throw new EdgeqError(ErrorCode.Internal, `no calibration result for tensor "${src.name}"`);
      id = rw.add({ name: rw.unique(`${src.name}.q`), dtype: DType.I8, shape: [...src.shape], kind: Kind.Act, scales: [q.scale], zeroPoint: q.zeroPoint });
      rw.out.ops.push({ op: Op.Quantize, inputs: [t], outputs: [id], attrs: [] });
      quantized.set(t, id);
    }
    return id;
  };
  const f32Of = (t: number): number => {
    if (!int8.has(t)) return t;
    let id = dequantized.get(t);
    if (id === undefined) {
      const src = g.tensors[t];
      id = rw.add({ name: f32Name.get(t) ?? rw.unique(`${src.name}.f32`), dtype: DType.F32, shape: [...src.shape], kind: Kind.Act });
      rw.out.ops.push({ op: Op.Dequantize, inputs: [t], outputs: [id], attrs: [] });
      dequantized.set(t, id);
    }
    return id;
  };
  const isAct = (t: number | null): t is number => t !== null && g.tensors[t].kind === Kind.Act;

  g.ops.forEach((src, o) => {
    const op: OpSpec = { ...src, inputs: [...src.inputs], outputs: [...src.outputs], attrs: [...(src.attrs ?? [])] };
    op.inputs = op.inputs.map((t) => (isAct(t) ? (int8Op[o] ? int8Of(t) : f32Of(t)) : t));
    if (int8Op[o] && WEIGHTED.has(op.op)) {
      const wq = rw.weights(op, opts.perChannel);
      const b = op.inputs[2];
      if (b !== null && b !== undefined) {
        const sx = rw.out.tensors[op.inputs[0]!].scales![0];
        const bias = g.tensors[b];
        op.inputs[2] = rw.replaceConst(b, { dtype: DType.I32, shape: [...bias.shape], encoding: 0, data: quantizeBias(bias.data as Float32Array, sx, wq) });
      }
    }
    rw.out.ops.push(op);
  });
  rw.out.outputs = g.outputs.map(f32Of);
  return compact(rw.out);
}

// One translation function per supported ONNX op type. Each receives the node's input values and
// attributes and returns its output values (edgeq activations it emitted, or folded constants).
import { Activation, Op } from "../../assembly/format/spec.ts";
import { f32bits } from "../format/writer.ts";
import { OnnxType, type AttrValue, type NodeProto, type OnnxTensor } from "../onnx/proto.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import {
  BATCH, broadcastShape, broadcastTo, concat, constOf, elementwise, gather, isFloatType, numel, perChannel, permute,
  reshapeDims, slice, squeezeDims, unsqueezeDims,
} from "./onnx-const.ts";
import { type ActValue, type ConstValue, Graph, nodeLabel, TO_NHWC, type Value } from "./onnx-graph.ts";

export interface Ctx {
  G: Graph;
  node: NodeProto;
  ins: (Value | undefined)[]; // undefined for omitted optional inputs
  attrs: Map<string, AttrValue>;
}

type Handler = (c: Ctx) => Value[];

function bad(c: Ctx, msg: string, code = ErrorCode.BadOp): never {
  throw new EdgeqError(code, `${nodeLabel(c.node)}: ${msg}`);
}

const int = (c: Ctx, name: string, dflt: number) => (c.attrs.has(name) ? (c.attrs.get(name) as number) : dflt);
const ints = (c: Ctx, name: string, dflt: number[] | null = null) => (c.attrs.has(name) ? (c.attrs.get(name) as number[]) : dflt);
const float = (c: Ctx, name: string, dflt: number) => (c.attrs.has(name) ? (c.attrs.get(name) as number) : dflt);
const str = (c: Ctx, name: string, dflt: string) => (c.attrs.has(name) ? (c.attrs.get(name) as string) : dflt);

function act(c: Ctx, i: number): ActValue {
  const v = c.ins[i];
  if (!v) bad(c, `input ${i} is missing`);
  if (v.kind === "pad") bad(c, "a Pad is only supported directly before Conv");
  if (v.kind !== "act") bad(c, `input ${i} must be computed at run time, not a constant`);
  return v;
}

function konst(c: Ctx, i: number): OnnxTensor {
  const v = c.ins[i];
  if (!v) bad(c, `input ${i} is missing`);
  if (v.kind !== "const") bad(c, `input ${i} must be a constant (initializer or Constant node)`);
  return v.t;
}

const optConst = (c: Ctx, i: number): OnnxTensor | null => (c.ins[i] ? konst(c, i) : null);
const K = (t: OnnxTensor): ConstValue => ({ kind: "const", t });
const outName = (c: Ctx, i = 0) => c.node.output?.[i] || c.node.name || c.node.opType || "y";
const allConst = (c: Ctx) => c.ins.every((v) => !v || v.kind === "const");

/** ONNX axis over the full rank (batch first) -> per-sample axis. */
function sampleAxis(c: Ctx, axis: number, perSampleRank: number): number {
  const a = axis < 0 ? axis + perSampleRank + 1 : axis;
  if (a === 0) bad(c, "operating along the batch axis is not supported");
  if (a < 0 || a > perSampleRank) bad(c, `axis ${axis} out of range`);
  return a - 1;
}

// ---- linear ops ---------------------------------------------------------------------------

function conv(c: Ctx): Value[] {
  const G = c.G;
  let x = c.ins[0];
  let extra: [number, number, number, number] = [0, 0, 0, 0];
  if (x?.kind === "pad") { extra = x.pads; x = x.src; c.ins[0] = x; }
  const xv = G.nhwc(act(c, 0));
  const w = konst(c, 1), b = optConst(c, 2);
  if (w.dims.length !== 4) bad(c, "only 2-D convolutions are supported", ErrorCode.BadShape);
  const [Cout, Cg, KH, KW] = w.dims;
  const [C, H, W] = xv.shape;
  const groups = int(c, "group", 1);
  if (C !== Cg * groups || Cout % groups !== 0) bad(c, `channels ${C} do not match weights [${w.dims}] with group ${groups}`, ErrorCode.BadShape);
  const ks = ints(c, "kernel_shape");
  if (ks && (ks[0] !== KH || ks[1] !== KW)) bad(c, "kernel_shape differs from the weights");
  const [sh, sw] = ints(c, "strides", [1, 1])!;
  const [dh, dw] = ints(c, "dilations", [1, 1])!;
  const pads = resolvePads(c, [H, W], [KH, KW], [sh, sw], [dh, dw]);
  const [pt, pl, pb, pr] = pads.map((p, i) => p + extra[i]);
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  if (OH < 1 || OW < 1) bad(c, "output would be empty", ErrorCode.BadShape);
  // ONNX [Cout, Cin/g, KH, KW] -> edgeq [Cout, KH, KW, Cin/g]
  const wt = G.constF32(w.name || `${outName(c)}/W`, [Cout, KH, KW, Cg], permute(w.data, w.dims, [0, 2, 3, 1]));
  const bt = b ? G.constF32(b.name || `${outName(c)}/b`, [Cout], b.data) : null;
  const y = G.newAct(outName(c), [Cout, OH, OW], true);
  const op = G.emit(Op.Conv2d, [xv.id, wt, bt], [y.id], [Activation.None, sh, sw, pt, pl, pb, pr, dh, dw, groups]);
  y.fold = { op, kind: "conv", weight: wt, bias: bt, channels: Cout };
  return [y];
}

/** Explicit [top, left, bottom, right] pads from `pads` or `auto_pad`. */
function resolvePads(c: Ctx, hw: number[], k: number[], s: number[], d: number[]): [number, number, number, number] {
  const auto = str(c, "auto_pad", "NOTSET");
  if (auto === "NOTSET") {
    const p = ints(c, "pads", [0, 0, 0, 0])!;
    if (p.length !== 4) bad(c, "pads must have 4 values for 2-D");
    return [p[0], p[1], p[2], p[3]];
  }
  if (auto === "VALID") return [0, 0, 0, 0];
  const out: number[] = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    const o = Math.ceil(hw[i] / s[i]);
    const total = Math.max(0, (o - 1) * s[i] + (k[i] - 1) * d[i] + 1 - hw[i]);
    const small = Math.floor(total / 2), big = total - small;
    out[i] = auto === "SAME_UPPER" ? small : big;
    out[i + 2] = auto === "SAME_UPPER" ? big : small;
  }
  return out as [number, number, number, number];
}

function dense(c: Ctx, x: ActValue, Wnk: Float64Array | Float32Array, N: number, Kd: number, bias: ArrayLike<number> | null, wname: string): ActValue {
  const G = c.G;
  const xv = G.nchw(x);
  if (xv.shape[xv.shape.length - 1] !== Kd) bad(c, `input [${xv.shape}] does not match K = ${Kd}`, ErrorCode.BadShape);
  const wt = G.constF32(wname, [N, Kd], Wnk);
  const bt = bias ? G.constF32(`${wname}/bias`, [N], bias) : null;
  const y = G.newAct(outName(c), [...xv.shape.slice(0, -1), N], false);
  const op = G.emit(Op.Dense, [xv.id, wt, bt], [y.id], [Activation.None]);
  y.fold = { op, kind: "dense", weight: wt, bias: bt, channels: N };
  return y;
}

function gemm(c: Ctx): Value[] {
  if (int(c, "transA", 0) !== 0) bad(c, "transA is not supported");
  const x = act(c, 0), B = konst(c, 1), C = optConst(c, 2);
  if (x.shape.length !== 1 || B.dims.length !== 2) bad(c, "Gemm takes a 2-D input and 2-D weights", ErrorCode.BadShape);
  const alpha = float(c, "alpha", 1), beta = float(c, "beta", 1);
  if (C && c.G.opset < 7 && int(c, "broadcast", 0) === 0 && C.dims.length !== 2) bad(c, "C must be [M, N] without broadcast");
  const transB = int(c, "transB", 0) !== 0;
  const [Kd, N] = transB ? [B.dims[1], B.dims[0]] : B.dims;
  const W = transB ? Float64Array.from(B.data) : permute(B.data, B.dims, [1, 0]);
  if (alpha !== 1) W.forEach((v, i) => (W[i] = v * alpha));
  let bias: Float64Array | null = null;
  if (C) {
    const pc = perChannel(C, 2, 1, N);
    if (!pc) bad(c, `bias C [${C.dims}] must broadcast along N`, ErrorCode.BadShape);
    bias = pc.map((v) => v * beta);
  }
  return [dense(c, x, W, N, Kd, bias, B.name || `${outName(c)}/W`)];
}

function matmul(c: Ctx): Value[] {
  const x = act(c, 0), B = konst(c, 1);
  if (B.dims.length !== 2) bad(c, "MatMul weights must be 2-D [K, N]", ErrorCode.BadShape);
  const [Kd, N] = B.dims;
  return [dense(c, x, permute(B.data, B.dims, [1, 0]), N, Kd, null, B.name || `${outName(c)}/W`)];
}

function batchNorm(c: Ctx): Value[] {
  const G = c.G;
  const x = act(c, 0);
  const [scale, bias, mean, vr] = [1, 2, 3, 4].map((i) => konst(c, i));
  const eps = float(c, "epsilon", 1e-5);
  if (int(c, "spatial", 1) !== 1) bad(c, "BatchNormalization with spatial=0 (opset < 9) is not supported");
  if (int(c, "training_mode", 0) !== 0 || (c.node.output?.length ?? 1) > 1) bad(c, "training-mode BatchNormalization is not supported");
  const C = x.shape[0];
  if (x.shape.length !== 1 && x.shape.length !== 3) bad(c, "BatchNormalization needs [N, C] or [N, C, H, W]", ErrorCode.BadShape);
  const s = Float64Array.from({ length: C }, (_, i) => scale.data[i] / Math.sqrt(vr.data[i] + eps));
  const t = Float64Array.from({ length: C }, (_, i) => bias.data[i] - mean.data[i] * s[i]);
  const target = G.foldTarget(c.node.input![0], x);
  if (target) return [G.foldAffine(target, s, t)];
  return [channelAffine(c, x, s, t)];
}

/** y[c] = x[c] * s[c] + t[c] as a depthwise 1x1 conv (images) or a diagonal dense (vectors). */
function channelAffine(c: Ctx, x: ActValue, s: Float64Array, t: Float64Array): ActValue {
  const G = c.G, C = s.length;
  if (x.shape.length === 3) {
    const xv = G.nhwc(x);
    const wt = G.constF32(`${outName(c)}/scale`, [C, 1, 1, 1], s), bt = G.constF32(`${outName(c)}/shift`, [C], t);
    const y = G.newAct(outName(c), x.shape, true);
    const op = G.emit(Op.Conv2d, [xv.id, wt, bt], [y.id], [Activation.None, 1, 1, 0, 0, 0, 0, 1, 1, C]);
    y.fold = { op, kind: "conv", weight: wt, bias: bt, channels: C };
    return y;
  }
  const diag = new Float64Array(C * C);
  for (let i = 0; i < C; i++) diag[i * C + i] = s[i];
  return dense(c, x, diag, C, C, t, `${outName(c)}/scale`);
}

// ---- activations --------------------------------------------------------------------------

function unary(op: Op, attrs: (c: Ctx) => number[] = () => []): Handler {
  return (c) => {
    const x = act(c, 0);
    const y = c.G.newAct(outName(c), x.shape, x.nhwc);
    c.G.emit(op, [x.id], [y.id], attrs(c));
    return [y];
  };
}

function fused(c: Ctx, a: Activation): Value[] | null {
  const target = c.G.foldTarget(c.node.input![0], c.ins[0]);
  if (!target) return null;
  c.G.setActivation(target, a);
  return [target];
}

const relu: Handler = (c) => fused(c, Activation.Relu) ?? unary(Op.Relu)(c);

function clipBounds(c: Ctx): [number, number] {
  if (c.G.opset < 11) return [float(c, "min", -Infinity), float(c, "max", Infinity)];
  const lo = optConst(c, 1), hi = optConst(c, 2);
  return [lo ? lo.data[0] : -Infinity, hi ? hi.data[0] : Infinity];
}

const clip: Handler = (c) => {
  const [lo, hi] = clipBounds(c);
  if (lo === 0 && hi === 6) { const f = fused(c, Activation.Relu6); if (f) return f; }
  if (lo === 0 && hi === Infinity) return relu(c);
  return unary(Op.Clip, () => [f32bits(Math.max(lo, -3.4e38)), f32bits(Math.min(hi, 3.4e38))])(c);
};

// ---- pooling ------------------------------------------------------------------------------

function pool(op: Op.MaxPool | Op.AvgPool): Handler {
  return (c) => {
    const G = c.G;
    if (c.node.output!.length > 1 && c.node.output![1]) bad(c, "MaxPool Indices output is not supported");
    const x = G.nhwc(act(c, 0));
    const [C, H, W] = x.shape;
    const k = ints(c, "kernel_shape")!;
    if (!k || k.length !== 2) bad(c, "only 2-D pooling is supported");
    const s = ints(c, "strides", [1, 1])!;
    const d = ints(c, "dilations", [1, 1])!;
    if (d[0] !== 1 || d[1] !== 1) bad(c, "dilated pooling is not supported");
    if (int(c, "storage_order", 0) !== 0) bad(c, "storage_order 1 is not supported");
    const [pt, pl, pb0, pr0] = resolvePads(c, [H, W], k, s, [1, 1]);
    const countPad = int(c, "count_include_pad", 0);
    let pb = pb0, pr = pr0;
    const out = (n: number, p: number, kk: number, ss: number, ceil: boolean) => (ceil ? Math.ceil : Math.floor)((n + p - kk) / ss) + 1;
    let OH = out(H, pt + pb, k[0], s[0], false), OW = out(W, pl + pr, k[1], s[1], false);
    if (int(c, "ceil_mode", 0) === 1) {
      // ceil mode adds windows that start inside the input; extra bottom/right padding gives them
      let CH = out(H, pt + pb, k[0], s[0], true), CW = out(W, pl + pr, k[1], s[1], true);
      if ((CH - 1) * s[0] >= H + pt) CH--;
      if ((CW - 1) * s[1] >= W + pl) CW--;
      if ((CH !== OH || CW !== OW) && op === Op.AvgPool && countPad) bad(c, "ceil_mode with count_include_pad is not supported");
      // just enough bottom/right padding for the last window to fit (at most kernel - 1)
      pb = Math.max(pb, (CH - 1) * s[0] + k[0] - H - pt);
      pr = Math.max(pr, (CW - 1) * s[1] + k[1] - W - pl);
      OH = CH;
      OW = CW;
    }
    const y = G.newAct(outName(c), [C, OH, OW], true);
    const attrs = [k[0], k[1], s[0], s[1], pt, pl, pb, pr];
    if (op === Op.AvgPool) attrs.push(countPad);
    G.emit(op, [x.id], [y.id], attrs);
    return [y];
  };
}

const globalAvgPool: Handler = (c) => {
  const x = c.G.nhwc(act(c, 0));
  const y = c.G.newAct(outName(c), [x.shape[0], 1, 1], true);
  c.G.emit(Op.GlobalAvgPool, [x.id], [y.id]);
  return [y];
};

// ---- elementwise --------------------------------------------------------------------------

/** A constant operand laid out like `x` (per-sample, in x's layout), for Add/Mul ops. */
function expandConst(c: Ctx, x: ActValue, k: OnnxTensor): number {
  const full = [1, ...x.shape];
  const shape = broadcastShape(full, k.dims);
  if (!shape || shape.length !== full.length || shape.some((d, i) => d !== full[i])) bad(c, `constant [${k.dims}] does not broadcast to the input [N,${x.shape}]`, ErrorCode.BadShape);
  let data: ArrayLike<number> = broadcastTo(k.data, k.dims, full);
  if (x.nhwc) data = permute(data, x.shape, TO_NHWC);
  return c.G.constF32(`${outName(c)}/const`, c.G.edgeqShape(x.shape, x.nhwc), data);
}

/** x (op) constant: fold per-channel into the producer when possible, else an Add/Mul op. */
function withConst(c: Ctx, x: ActValue, xName: string, k: OnnxTensor, kind: "add" | "mul"): Value[] {
  const G = c.G;
  const target = G.foldTarget(xName, x);
  if (target) {
    const rank = target.shape.length + 1;
    const axis = target.fold!.kind === "conv" ? 1 : rank - 1;
    const pc = perChannel(k, rank, axis, target.fold!.channels);
    if (pc) return [kind === "add" ? G.foldAffine(target, null, pc) : G.foldAffine(target, pc, null)];
  }
  const kid = expandConst(c, x, k);
  const y = G.newAct(outName(c), x.shape, x.nhwc);
  G.emit(kind === "add" ? Op.Add : Op.Mul, [x.id, kid], [y.id]);
  return [y];
}

function binary(kind: "add" | "sub" | "mul" | "div"): Handler {
  const fold = { add: (a: number, b: number) => a + b, sub: (a: number, b: number) => a - b, mul: (a: number, b: number) => a * b, div: (a: number, b: number) => a / b }[kind];
  return (c) => {
    const [a, b] = [c.ins[0], c.ins[1]];
    if (allConst(c)) return [K(elementwise(konst(c, 0), konst(c, 1), fold))];
    const names = c.node.input!;
    if (b?.kind === "const") {
      const k = b.t;
      if (kind === "sub") return withConst(c, act(c, 0), names[0], { ...k, data: k.data.map((v) => -v) as Float32Array }, "add");
      if (kind === "div") return withConst(c, act(c, 0), names[0], { ...k, data: k.data.map((v) => 1 / v) as Float32Array }, "mul");
      return withConst(c, act(c, 0), names[0], k, kind);
    }
    if (a?.kind === "const") {
      if (kind === "add" || kind === "mul") return withConst(c, act(c, 1), names[1], a.t, kind);
      bad(c, `constant ${kind === "sub" ? "minus" : "divided by"} an activation is not supported`);
    }
    if (kind !== "add" && kind !== "mul") bad(c, `${c.node.opType} of two activations is not supported`);
    const G = c.G;
    let x = act(c, 0), z = act(c, 1);
    if (x.nhwc !== z.nhwc) {
      if (x.shape.length === 3 && z.shape.length === 3) { x = G.nhwc(x); z = G.nhwc(z); } else { x = G.nchw(x); z = G.nchw(z); }
    }
    const shape = broadcastShape(x.shape, z.shape);
    if (!shape) bad(c, `shapes [${x.shape}] and [${z.shape}] do not broadcast`, ErrorCode.BadShape);
    if (numel(x.shape) < numel(z.shape)) [x, z] = [z, x]; // edgeq broadcasts the second operand; both ops commute
    if (x.shape.length !== z.shape.length) bad(c, "broadcasting between different ranks is not supported", ErrorCode.BadShape);
    const y = G.newAct(outName(c), shape, x.nhwc);
    G.emit(kind === "add" ? Op.Add : Op.Mul, [x.id, z.id], [y.id]);
    return [y];
  };
}

// ---- shape ops ----------------------------------------------------------------------------

function reshapeTo(c: Ctx, x: ActValue, shape: number[]): ActValue {
  const G = c.G;
  if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
  const src = G.sameOrder(x) && x.nhwc ? x : G.nchw(x);
  const y = G.newAct(outName(c), shape, false);
  G.emit(Op.Reshape, [src.id], [y.id]);
  return y;
}

const reshape: Handler = (c) => {
  if (allConst(c)) {
    const x = konst(c, 0), s = konst(c, 1);
    return [K({ ...x, dims: reshapeDims(x.dims, Array.from(s.data), int(c, "allowzero", 0) === 1) })];
  }
  const x = act(c, 0);
  const target = Array.from(konst(c, 1).data);
  if (target.length === 0) bad(c, "reshape to a scalar drops the batch axis");
  const first = target[0];
  const rest = target.slice(1).map((d) => (d === BATCH ? bad(c, "the batch size may only be the first dim") : d));
  if (first !== BATCH && first !== 0 && first !== -1) bad(c, `the first dim ${first} must stay the batch (0, -1 or the input's batch size)`, ErrorCode.BadShape);
  if (first === -1 && rest.includes(-1)) bad(c, "two inferred dims", ErrorCode.BadShape);
  const shape = reshapeDims(x.shape, rest.map((d, i) => (d === 0 ? x.shape[i] ?? bad(c, "0 beyond the input rank") : d)));
  return [reshapeTo(c, x, shape)];
};

const flatten: Handler = (c) => {
  const x = act(c, 0);
  const axis = int(c, "axis", 1);
  const a = axis < 0 ? axis + x.shape.length + 1 : axis;
  if (a !== 1) bad(c, `Flatten at axis ${axis} merges the batch with other dims`);
  return [reshapeTo(c, x, [numel(x.shape)])];
};

const transpose: Handler = (c) => {
  if (allConst(c)) {
    const x = konst(c, 0);
    const perm = ints(c, "perm", x.dims.map((_, i) => x.dims.length - 1 - i))!;
    return [K(constOf(x.type, perm.map((p) => x.dims[p]), permute(x.data, x.dims, perm)))];
  }
  const G = c.G;
  const x = act(c, 0);
  const perm = ints(c, "perm", null) ?? bad(c, "a Transpose without perm would move the batch axis");
  if (perm[0] !== 0) bad(c, "a Transpose that moves the batch axis is not supported");
  const p = perm.slice(1).map((v) => v - 1);
  if (p.every((v, i) => v === i)) return [x];
  // NCHW -> NHWC of a value already stored NHWC: the bytes are already in the requested order
  if (x.nhwc && p.length === 3 && p.join() === TO_NHWC.join()) return [{ kind: "act", id: x.id, shape: G.edgeqShape(x.shape, true), nhwc: false }];
  const src = G.nchw(x);
  const y = G.newAct(outName(c), p.map((i) => src.shape[i]), false);
  G.emit(Op.Transpose, [src.id], [y.id], p);
  return [y];
};

const concatOp: Handler = (c) => {
  const axis = int(c, "axis", 0);
  if (allConst(c)) return [K(concat(c.ins.map((_, i) => konst(c, i)), axis))];
  const G = c.G;
  let xs = c.ins.map((_, i) => act(c, i));
  const rank = xs[0].shape.length;
  const a = sampleAxis(c, axis, rank);
  const nhwc = xs.every((x) => x.nhwc);
  if (!nhwc) xs = xs.map((x) => G.nchw(x));
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  for (const x of xs) if (x.shape.length !== rank || x.shape.some((d, i) => i !== a && d !== shape[i])) bad(c, "inputs differ outside the concat axis", ErrorCode.BadShape);
  const y = G.newAct(outName(c), shape, nhwc);
  // per-sample axis in edgeq's layout: ONNX channel axis 0 is last in NHWC
  const edgeqAxis = nhwc ? [2, 0, 1][a] : a;
  G.emit(Op.Concat, xs.map((x) => x.id), [y.id], [edgeqAxis]);
  return [y];
};

const softmax: Handler = (c) => {
  const G = c.G;
  const x = act(c, 0);
  const rank = x.shape.length;
  const legacy = G.opset < 13;
  const a = sampleAxis(c, int(c, "axis", legacy ? 1 : -1), rank);
  if (!legacy && x.nhwc && a === 0) {
    const y = G.newAct(outName(c), x.shape, true);
    G.emit(Op.Softmax, [x.id], [y.id]);
    return [y];
  }
  if (!legacy && a !== rank - 1) {
    // edgeq normalises the last axis: move axis a there and back
    const perm = [...Array(rank).keys()].filter((i) => i !== a).concat(a);
    const inv = perm.map((_, i) => perm.indexOf(i));
    const src = G.nchw(x);
    const moved = G.newAct(`${outName(c)}/moved`, perm.map((i) => src.shape[i]), false);
    G.emit(Op.Transpose, [src.id], [moved.id], perm);
    const sm = G.newAct(`${outName(c)}/softmax`, moved.shape, false);
    G.emit(Op.Softmax, [moved.id], [sm.id]);
    const y = G.newAct(outName(c), src.shape, false);
    G.emit(Op.Transpose, [sm.id], [y.id], inv);
    return [y];
  }
  // opset < 13 normalises over all dims from the axis on: flatten them into the last axis
  const tail = numel(x.shape.slice(a));
  const flat = a === rank - 1 ? G.nchw(x) : reshapeTo(c, x, [...x.shape.slice(0, a), tail]);
  const y = G.newAct(outName(c) + (flat.shape.length === rank ? "" : "/flat"), flat.shape, false);
  G.emit(Op.Softmax, [flat.id], [y.id]);
  return [flat.shape.length === rank ? y : reshapeTo(c, y, x.shape)];
};

const pad: Handler = (c) => {
  const legacy = c.G.opset < 11;
  const mode = str(c, "mode", "constant");
  const pads = legacy ? ints(c, "pads", [])! : Array.from(konst(c, 1).data);
  const value = legacy ? float(c, "value", 0) : (optConst(c, 2)?.data[0] ?? 0);
  const x = act(c, 0);
  if (c.ins[3]) bad(c, "Pad with axes is not supported");
  if (mode !== "constant" || value !== 0) bad(c, "only zero constant padding is supported (folded into the next Conv)");
  const r = x.shape.length + 1;
  if (r !== 4 || pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5]) bad(c, "only spatial padding of NCHW images is supported");
  if (pads.some((p) => p < 0)) bad(c, "negative padding is not supported");
  return [{ kind: "pad", src: x, pads: [pads[2], pads[3], pads[6], pads[7]] }];
};

// ---- constant-only ops --------------------------------------------------------------------

function constantNode(c: Ctx): Value[] {
  const a = c.attrs;
  if (a.get("value")) return [K(a.get("value") as OnnxTensor)];
  if (a.has("value_float")) return [K(constOf(OnnxType.FLOAT, [], [a.get("value_float") as number]))];
  if (a.has("value_floats")) { const v = a.get("value_floats") as number[]; return [K(constOf(OnnxType.FLOAT, [v.length], v))]; }
  if (a.has("value_int")) return [K(constOf(OnnxType.INT64, [], [a.get("value_int") as number]))];
  if (a.has("value_ints")) { const v = a.get("value_ints") as number[]; return [K(constOf(OnnxType.INT64, [v.length], v))]; }
  bad(c, "unsupported Constant payload");
}

const constantOfShape: Handler = (c) => {
  const shape = Array.from(konst(c, 0).data);
  if (shape.includes(BATCH)) bad(c, "a constant the size of the batch is not supported");
  const v = c.attrs.get("value") as OnnxTensor | undefined;
  return [K(constOf(v?.type ?? OnnxType.FLOAT, shape, new Float64Array(numel(shape)).fill(v ? v.data[0] : 0)))];
};

const shapeOp: Handler = (c) => {
  const v = c.ins[0];
  if (!v) bad(c, "missing input");
  const dims = v.kind === "const" ? v.t.dims : v.kind === "act" ? [BATCH, ...v.shape] : [BATCH, ...v.src.shape];
  const start = int(c, "start", 0), end = int(c, "end", dims.length);
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + dims.length : i, 0), dims.length);
  const s = dims.slice(norm(start), norm(end));
  return [K(constOf(OnnxType.INT64, [s.length], s))];
};

function constOnly(f: (c: Ctx) => OnnxTensor): Handler {
  return (c) => {
    if (!allConst(c)) bad(c, "supported only on constants (static shape arithmetic)");
    return [K(f(c))];
  };
}

const gatherOp = constOnly((c) => gather(konst(c, 0), konst(c, 1), int(c, "axis", 0)));
const castOp = constOnly((c) => {
  const x = konst(c, 0), to = int(c, "to", OnnxType.FLOAT);
  const data = isFloatType(to) ? x.data : Array.from(x.data, (v) => (v === BATCH ? v : Math.trunc(v)));
  return constOf(to, x.dims, data);
});
const sliceOp = constOnly((c) => {
  const x = konst(c, 0);
  if (c.G.opset < 10) {
    const starts = ints(c, "starts")!, ends = ints(c, "ends")!;
    return slice(x, starts, ends, ints(c, "axes", starts.map((_, i) => i))!, starts.map(() => 1));
  }
  const starts = Array.from(konst(c, 1).data), ends = Array.from(konst(c, 2).data);
  const axes = c.ins[3] ? Array.from(konst(c, 3).data) : starts.map((_, i) => i);
  const steps = c.ins[4] ? Array.from(konst(c, 4).data) : starts.map(() => 1);
  return slice(x, starts, ends, axes, steps);
});
const unsqueezeOp: Handler = (c) => {
  const axes = c.G.opset < 13 ? ints(c, "axes")! : Array.from(konst(c, 1).data);
  if (c.ins[0]?.kind === "act") {
    const x = act(c, 0);
    const dims = unsqueezeDims([1, ...x.shape], axes);
    if (dims[0] !== 1 || axes.some((a) => a === 0)) bad(c, "unsqueezing before the batch axis is not supported");
    return [reshapeTo(c, x, dims.slice(1))];
  }
  const x = konst(c, 0);
  return [K({ ...x, dims: unsqueezeDims(x.dims, axes) })];
};
const squeezeOp: Handler = (c) => {
  const axes = c.G.opset < 13 ? ints(c, "axes", null) : c.ins[1] ? Array.from(konst(c, 1).data) : null;
  if (c.ins[0]?.kind === "act") {
    const x = act(c, 0);
    if (!axes) bad(c, "Squeeze without axes would drop a batch of 1");
    if (axes.some((a) => a === 0 || a === -(x.shape.length + 1))) bad(c, "squeezing the batch axis is not supported");
    return [reshapeTo(c, x, squeezeDims([1, ...x.shape], axes).slice(1))];
  }
  const x = konst(c, 0);
  return [K({ ...x, dims: squeezeDims(x.dims, axes) })];
};

const identity: Handler = (c) => {
  const v = c.ins[0];
  if (!v) bad(c, "missing input");
  return [v];
};

const dropout: Handler = (c) => {
  if (c.node.output!.length > 1 && c.node.output![1] && (c.G.uses.get(c.node.output![1]) ?? 0) > 0) bad(c, "the Dropout mask output is not supported");
  return identity(c);
};

const hardSigmoidAttrs = (c: Ctx) => [f32bits(float(c, "alpha", 0.2)), f32bits(float(c, "beta", 0.5))];

export const HANDLERS: Record<string, Handler> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  BatchNormalization: batchNorm,
  Relu: relu,
  Clip: clip,
  Sigmoid: unary(Op.Sigmoid),
  Tanh: unary(Op.Tanh),
  HardSigmoid: unary(Op.HardSigmoid, hardSigmoidAttrs),
  HardSwish: unary(Op.HardSwish),
  MaxPool: pool(Op.MaxPool),
  AveragePool: pool(Op.AvgPool),
  GlobalAveragePool: globalAvgPool,
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Concat: concatOp,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Softmax: softmax,
  Pad: pad,
  Identity: identity,
  Dropout: dropout,
  Constant: constantNode,
  ConstantOfShape: constantOfShape,
  Shape: shapeOp,
  Gather: gatherOp,
  Cast: castOp,
  Slice: sliceOp,
  Unsqueeze: unsqueezeOp,
  Squeeze: squeezeOp,
};

// A trained Sequential to a float .edgeq container (src/format/builder.ts) and back.
// Export runs in inference form: weights pass through their transforms (masks, fake
// quantization), dropout disappears, batch norm is folded into the preceding dense/conv layer,
// a ReLU/ReLU6 right after dense/conv becomes its fused activation.
// Import rebuilds a Sequential whose eval-mode outputs equal the exported model's.
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../format/builder.ts";
import { decode } from "../format/reader.ts";
import { f32bits } from "../format/writer.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";
import type { Backend } from "./backend.ts";
import { type Layer, type LayerSpec, Sequential } from "./model.ts";
import type { Param } from "./param.ts";
import { Tape } from "./tensor.ts";

interface Folded {
  layer: Layer;
  w?: Float32Array;
  b?: Float32Array;
  act: Activation;
}

/** The weights as the forward pass sees them: masks and fake quantization applied. */
function effective(p: Param): Float32Array {
  const t = new Tape(p.be, false);
  try {
    return p.use(t).toArray();
  } finally {
    t.dispose();
  }
}

/** Folds batch norm and activations into dense/conv layers (eval-mode semantics). */
function fold(model: Sequential): Folded[] {
  const out: Folded[] = [];
  for (const l of model.layers) {
    const prev = out[out.length - 1];
    const t = l.spec.type;
    if (t === "dropout") continue;
    if (t === "batchnorm") {
      if (!prev || !prev.w || prev.act !== Activation.None) throw new EdgeqError(ErrorCode.BadArgument, "export folds batch norm only directly after a dense or conv layer");
      const [gamma, beta] = l.params.map((p) => p.value.toArray());
      const s = l.state!;
      const C = gamma.length, per = prev.w.length / C;
      const b = prev.b ?? new Float32Array(C);
      for (let c = 0; c < C; c++) {
        const k = gamma[c] / Math.sqrt(s.variance[c] + s.eps);
        for (let i = 0; i < per; i++) prev.w[c * per + i] *= k;
        b[c] = (b[c] - s.mean[c]) * k + beta[c];
      }
      prev.b = b;
      continue;
    }
    if ((t === "relu" || t === "relu6") && prev?.w && prev.act === Activation.None) {
      prev.act = t === "relu" ? Activation.Relu : Activation.Relu6;
      continue;
    }
    const f: Folded = { layer: l, act: Activation.None };
    if (t === "dense" || t === "conv2d") {
      f.w = effective(l.params[0]);
      f.b = l.params[1] ? effective(l.params[1]) : undefined;
    }
    out.push(f);
  }
  return out;
}

export function toEdgeq(model: Sequential, opts: { inputName?: string; outputName?: string } = {}): Uint8Array {
  const g = new GraphBuilder();
  let x = g.input(opts.inputName ?? "input", DType.F32, model.inputShape);
  const layers = fold(model);
  layers.forEach((f, i) => {
    const l = f.layer, last = i === layers.length - 1;
    const y = g.act(last ? (opts.outputName ?? "logits") : `t${i}`, DType.F32, l.outShape);
    const name = `${i}.${l.spec.type}`;
    switch (l.spec.type) {
      case "dense": {
        const W = g.constant(`${name}.weight`, DType.F32, l.params[0].shape, f.w!);
        const B = f.b ? g.constant(`${name}.bias`, DType.F32, [f.b.length], f.b) : null;
        g.op(Op.Dense, [x, W, B], [y], [f.act]);
        break;
      }
      case "conv2d": {
        const c = l.conv!;
        const W = g.constant(`${name}.weight`, DType.F32, l.params[0].shape, f.w!);
        const B = f.b ? g.constant(`${name}.bias`, DType.F32, [f.b.length], f.b) : null;
        const [pt, pl, pb, pr] = c.pads!;
        g.op(Op.Conv2d, [x, W, B], [y], [f.act, c.stride![0], c.stride![1], pt, pl, pb, pr, c.dilation![0], c.dilation![1], c.groups!]);
        break;
      }
      case "maxpool":
      case "avgpool": {
        const p = l.pool!;
        const [pt, pl, pb, pr] = p.pads ?? [0, 0, 0, 0];
        const attrs = [p.kernel[0], p.kernel[1], p.stride![0], p.stride![1], pt, pl, pb, pr];
        g.op(l.spec.type === "maxpool" ? Op.MaxPool : Op.AvgPool, [x], [y], l.spec.type === "avgpool" ? [...attrs, 0] : attrs);
        break;
      }
      case "relu": g.op(Op.Relu, [x], [y]); break;
      case "relu6": g.op(Op.Clip, [x], [y], [f32bits(0), f32bits(6)]); break;
      case "sigmoid": g.op(Op.Sigmoid, [x], [y]); break;
      case "tanh": g.op(Op.Tanh, [x], [y]); break;
      case "softmax": g.op(Op.Softmax, [x], [y]); break;
      case "flatten": g.op(Op.Reshape, [x], [y]); break;
      default: throw new EdgeqError(ErrorCode.BadArgument, `cannot export layer ${l.spec.type}`);
    }
    x = y;
  });
  g.output(x);
  return g.encode();
}

const bitsF32 = (v: number) => new Float32Array(new Int32Array([v]).buffer)[0];

/** Rebuilds a Sequential from a float container written by toEdgeq (or any graph of the same ops). */
export function fromEdgeq(be: Backend, bytes: Uint8Array): Sequential {
  const spec = decode(bytes);
  const specs: LayerSpec[] = [];
  const weights: Float32Array[] = [];
  const act = (a: number) => {
    if (a === Activation.Relu) specs.push({ type: "relu" });
    else if (a === Activation.Relu6) specs.push({ type: "relu6" });
  };
  const constant = (id: number | null) => (id === null ? undefined : (spec.tensors[id].data as Float32Array));
  for (const op of spec.ops) {
    const a = op.attrs ?? [];
    const [x, wId, bId] = op.inputs;
    void x;
    switch (op.op) {
      case Op.Dense: {
        const W = spec.tensors[wId!];
        const b = constant(bId ?? null);
        specs.push({ type: "dense", units: W.shape[0], bias: !!b });
        weights.push(W.data as Float32Array, ...(b ? [b] : []));
        act(a[0] ?? 0);
        break;
      }
      case Op.Conv2d: {
        const W = spec.tensors[wId!];
        const b = constant(bId ?? null);
        const [, KH, KW] = W.shape;
        specs.push({ type: "conv2d", filters: W.shape[0], kernel: [KH, KW], stride: [a[1] || 1, a[2] || 1], padding: [a[3] ?? 0, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0], dilation: [a[7] || 1, a[8] || 1], groups: a[9] || 1, bias: !!b });
        weights.push(W.data as Float32Array, ...(b ? [b] : []));
        act(a[0] ?? 0);
        break;
      }
      case Op.MaxPool:
      case Op.AvgPool:
        if (op.op === Op.AvgPool && a[8]) throw new EdgeqError(ErrorCode.BadOp, "avgpool with countIncludePad is not supported by the trainer");
        specs.push({ type: op.op === Op.MaxPool ? "maxpool" : "avgpool", kernel: [a[0], a[1]], stride: [a[2], a[3]], padding: [a[4] ?? 0, a[5] ?? 0, a[6] ?? 0, a[7] ?? 0] });
        break;
      case Op.Relu: specs.push({ type: "relu" }); break;
      case Op.Clip:
        if (bitsF32(a[0] ?? 0) !== 0 || bitsF32(a[1] ?? 0) !== 6) throw new EdgeqError(ErrorCode.BadOp, "only Clip(0, 6) maps to a training layer");
        specs.push({ type: "relu6" });
        break;
      case Op.Sigmoid: specs.push({ type: "sigmoid" }); break;
      case Op.Tanh: specs.push({ type: "tanh" }); break;
      case Op.Softmax: specs.push({ type: "softmax" }); break;
      case Op.Reshape:
        if (spec.tensors[op.outputs[0]].shape.length !== 1) throw new EdgeqError(ErrorCode.BadOp, "only a reshape to a vector (flatten) maps to a training layer");
        specs.push({ type: "flatten" });
        break;
      default:
        throw new EdgeqError(ErrorCode.UnknownOp, `op ${op.op} has no training layer`);
    }
  }
  const model = new Sequential(be, spec.tensors[spec.inputs[0]].shape, specs, 0);
  const params = model.params;
  if (params.length !== weights.length) throw new EdgeqError(ErrorCode.Internal, "parameter count mismatch on import");
  params.forEach((p, i) => {
    if (weights[i].length !== p.value.size) throw new EdgeqError(ErrorCode.BadShape, `${p.name}: ${weights[i].length} values for [${p.shape}]`);
    p.value.data.set(weights[i]);
  });
  return model;
}

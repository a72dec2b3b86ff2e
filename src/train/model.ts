// Sequential models described as data (LayerSpec[]), built with seeded initialization. The same
// specs drive training, export to .edgeq and the model zoo.
import type { Backend } from "./backend.ts";
import * as ops from "./ops.ts";
import { Param } from "./param.ts";
import { Random } from "./rng.ts";
import type { Tape, Tensor } from "./tensor.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

export type Padding = "valid" | "same" | [number, number, number, number];

export type LayerSpec =
  | { type: "dense"; units: number; bias?: boolean }
  | { type: "conv2d"; filters: number; kernel: number | [number, number]; stride?: number | [number, number]; padding?: Padding; dilation?: number | [number, number]; groups?: number; bias?: boolean }
  | { type: "maxpool" | "avgpool"; kernel: number | [number, number]; stride?: number | [number, number]; padding?: [number, number, number, number] }
  | { type: "relu" | "relu6" | "sigmoid" | "tanh" | "softmax" | "flatten" }
  | { type: "batchnorm"; momentum?: number; eps?: number }
  | { type: "dropout"; rate: number };

const pair = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v);

export interface Layer {
  readonly spec: LayerSpec;
  readonly inShape: number[];
  readonly outShape: number[];
  readonly params: Param[];
  /** Resolved geometry, for export. */
  readonly conv?: ops.ConvOptions;
  readonly pool?: ops.PoolOptions;
  readonly state?: ops.BatchNormState;
  forward(t: Tape, x: Tensor, training: boolean): Tensor;
}

function samePads(size: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** He-uniform weights (fan-in), zero biases. */
function heUniform(rng: Random, n: number, fanIn: number): Float32Array {
  const lim = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: n }, () => rng.uniform(-lim, lim));
}

export function buildLayer(be: Backend, spec: LayerSpec, inShape: number[], rng: Random, name: string): Layer {
  const per = inShape.reduce((a, b) => a * b, 1);
  switch (spec.type) {
    case "dense": {
      const K = inShape[inShape.length - 1], N = spec.units;
      const W = new Param(be, `${name}.weight`, [N, K], heUniform(rng, N * K, K));
      const b = spec.bias === false ? null : new Param(be, `${name}.bias`, [N], new Float32Array(N), true);
      return { spec, inShape, outShape: [...inShape.slice(0, -1), N], params: b ? [W, b] : [W], forward: (t, x) => ops.dense(t, x, W.use(t), b ? b.use(t) : null) };
    }
    case "conv2d": {
      if (inShape.length !== 3) throw new EdgeqError(ErrorCode.BadShape, `${name}: conv2d needs [H, W, C] input, got [${inShape}]`);
      const [H, Wd, C] = inShape;
      const [KH, KW] = pair(spec.kernel, 1), [SH, SW] = pair(spec.stride, 1), [DH, DW] = pair(spec.dilation, 1);
      const groups = spec.groups ?? 1, Cg = C / groups;
      let pads: [number, number, number, number] = [0, 0, 0, 0];
      if (spec.padding === "same") {
        const [pt, pb] = samePads(H, KH, SH, DH), [pl, pr] = samePads(Wd, KW, SW, DW);
        pads = [pt, pl, pb, pr];
      } else if (Array.isArray(spec.padding)) pads = spec.padding;
      const opts: ops.ConvOptions = { stride: [SH, SW], pads, dilation: [DH, DW], groups };
      const W = new Param(be, `${name}.weight`, [spec.filters, KH, KW, Cg], heUniform(rng, spec.filters * KH * KW * Cg, KH * KW * Cg));
      const b = spec.bias === false ? null : new Param(be, `${name}.bias`, [spec.filters], new Float32Array(spec.filters), true);
      const g = ops.convGeometry([1, ...inShape], W.shape, opts);
      return {
        spec, inShape, outShape: [g.OH, g.OW, spec.filters], params: b ? [W, b] : [W], conv: opts,
        forward: (t, x) => ops.conv2d(t, x, W.use(t), b ? b.use(t) : null, opts),
      };
    }
    case "maxpool":
    case "avgpool": {
      const kernel = pair(spec.kernel, 1);
      const opts: ops.PoolOptions = { kernel, stride: pair(spec.stride ?? spec.kernel, 1), pads: spec.padding };
      const g = ops.poolGeometry([1, ...inShape], opts);
      const f = spec.type === "maxpool" ? ops.maxPool : ops.avgPool;
      return { spec, inShape, outShape: [g.OH, g.OW, g.C], params: [], pool: opts, forward: (t, x) => f(t, x, opts) };
    }
    case "relu": case "relu6": case "sigmoid": case "tanh": case "softmax": {
      const f = ops[spec.type];
      return { spec, inShape, outShape: inShape, params: [], forward: (t, x) => f(t, x) };
    }
    case "flatten":
      return { spec, inShape, outShape: [per], params: [], forward: (t, x) => ops.flatten(t, x) };
    case "batchnorm": {
      const C = inShape[inShape.length - 1];
      const gamma = new Param(be, `${name}.gamma`, [C], new Float32Array(C).fill(1), true);
      const beta = new Param(be, `${name}.beta`, [C], new Float32Array(C), true);
      const state: ops.BatchNormState = { mean: new Float32Array(C), variance: new Float32Array(C).fill(1), momentum: spec.momentum ?? 0.1, eps: spec.eps ?? 1e-5 };
      return { spec, inShape, outShape: inShape, params: [gamma, beta], state, forward: (t, x, training) => ops.batchNorm(t, x, gamma.use(t), beta.use(t), state, training) };
    }
    case "dropout": {
      const r = new Random(rng.next() * 2 ** 32);
      return { spec, inShape, outShape: inShape, params: [], forward: (t, x, training) => ops.dropout(t, x, spec.rate, () => r.next(), training) };
    }
  }
}

export class Sequential {
  readonly layers: Layer[] = [];
  readonly outShape: number[];

  /** `inputShape` is per sample ([28, 28, 1] for MNIST images, [64] for digits). */
  constructor(readonly be: Backend, readonly inputShape: number[], readonly specs: LayerSpec[], readonly seed = 1) {
    const rng = new Random(seed);
    let shape = inputShape;
    specs.forEach((s, i) => {
      const l = buildLayer(be, s, shape, rng, `${i}.${s.type}`);
      this.layers.push(l);
      shape = l.outShape;
    });
    this.outShape = shape;
  }

  get params(): Param[] {
    return this.layers.flatMap((l) => l.params);
  }

  forward(t: Tape, x: Tensor, training: boolean): Tensor {
    for (const l of this.layers) x = l.forward(t, x, training);
    return x;
  }

  /** Sum of all weight-transform penalties; their gradients are added to the params. */
  penalty(): number {
    return this.params.reduce((s, p) => s + p.penalty(), 0);
  }

  parameterCount(): number {
    return this.params.reduce((s, p) => s + p.value.size, 0);
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
  }
}

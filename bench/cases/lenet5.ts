// LeNet-5 (random weights of the real shapes): conv5x5(1->6, pad 2)+ReLU, maxpool 2, conv5x5
// (6->16)+ReLU, maxpool 2, flatten, dense 400->120->84->10 (ReLU between), at batch 1 and 32.
// edgeq f32 / int8 (NHWC) against onnxruntime-web f32 / int8 (QLinearConv, MaxPool,
// QLinearMatMul; NCHW, so the first dense layer's columns are permuted to its flatten order).
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { Rng } from "../../test/helpers/rng.ts";
import { requant } from "../../test/ref/index.ts";
import { close, contend, settle, type Check, type Ctx } from "../harness.ts";
import { edgeqRunner } from "../contenders/edgeq.ts";
import { ortRunner } from "../contenders/ort.ts";
import { onnxModel, transpose, type Init, type Node } from "../onnx-models.ts";

const SX = 1 / 127;

interface Layer { kind: "conv" | "dense"; N: number; K: number; KH: number; pad: number; Cin: number; wq: Int8Array; sw: number; sy: number; zy: number; relu: boolean; pool: boolean; inHW: number }

function layers(rng: Rng): Layer[] {
  const spec: [Layer["kind"], number, number, number, number, number, boolean][] = [
    // kind, N, Cin (or K), KH, pad, inHW, pool
    ["conv", 6, 1, 5, 2, 28, true], ["conv", 16, 6, 5, 0, 14, true], ["dense", 120, 400, 1, 0, 0, false], ["dense", 84, 120, 1, 0, 0, false], ["dense", 10, 84, 1, 0, 0, false],
  ];
  let sIn = SX;
  return spec.map(([kind, N, Cin, KH, pad, inHW, pool], i) => {
    const K = kind === "conv" ? KH * KH * Cin : Cin;
    const relu = i < spec.length - 1;
    const sw = 0.01;
    const sigma = Math.sqrt(K) * 73 * (i === 0 ? 73 : 40);
    const sy = (sIn * sw * 3 * sigma) / (relu ? 255 : 127);
    const l: Layer = { kind, N, K, KH, pad, Cin, wq: rng.i8(N * K, -127, 127), sw, sy, zy: relu ? -128 : 0, relu, pool, inHW };
    sIn = sy;
    return l;
  });
}

/** The int8 chain by the ONNX definitions (QLinearConv / MaxPool / QLinearMatMul), NHWC, f64. */
function refI8(ls: Layer[], xq: Int8Array, B: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let h: number[] = Array.from(xq.subarray(b * 784, (b + 1) * 784)), zx = 0, sIn = SX, HW = 28, C = 1;
    for (const l of ls) {
      const real = (Math.fround(sIn) * Math.fround(l.sw)) / Math.fround(l.sy);
      if (l.kind === "conv") {
        const OH = HW + 2 * l.pad - l.KH + 1;
        const y: number[] = new Array(OH * OH * l.N);
        for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OH; ow++) for (let n = 0; n < l.N; n++) {
          let acc = 0;
          for (let kh = 0; kh < l.KH; kh++) for (let kw = 0; kw < l.KH; kw++) {
            const ih = oh - l.pad + kh, iw = ow - l.pad + kw;
            if (ih < 0 || iw < 0 || ih >= HW || iw >= HW) continue;
            for (let c = 0; c < C; c++) acc += (h[(ih * HW + iw) * C + c] - zx) * l.wq[((n * l.KH + kh) * l.KH + kw) * C + c];
          }
          y[(oh * OH + ow) * l.N + n] = requant(acc, real, l.zy).v;
        }
        HW = OH; C = l.N; h = y;
        if (l.pool) {
          const P = HW / 2, p: number[] = new Array(P * P * C);
          for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) for (let c = 0; c < C; c++)
            p[(i * P + j) * C + c] = Math.max(h[((2 * i) * HW + 2 * j) * C + c], h[((2 * i) * HW + 2 * j + 1) * C + c], h[((2 * i + 1) * HW + 2 * j) * C + c], h[((2 * i + 1) * HW + 2 * j + 1) * C + c]);
          h = p; HW = P;
        }
      } else {
        const y: number[] = [];
        for (let n = 0; n < l.N; n++) {
          let acc = 0;
          for (let k = 0; k < l.K; k++) acc += (h[k] - zx) * l.wq[n * l.K + k];
          y.push(requant(acc, real, l.zy).v);
        }
        h = y;
      }
      zx = l.zy; sIn = l.sy;
    }
    out.push(...h);
  }
  return out;
}

function edgeqModel(ls: Layer[], dt: DType.I8 | DType.F32): Uint8Array {
  const g = new GraphBuilder();
  const q = (s: number, z: number) => (dt === DType.I8 ? { scales: [s], zeroPoint: z } : {});
  let t = g.input("x", dt, [28, 28, 1], q(SX, 0));
  let HW = 28;
  ls.forEach((l, i) => {
    const wdata = dt === DType.I8 ? l.wq : Float32Array.from(l.wq, (v) => v * l.sw);
    const wq = dt === DType.I8 ? { scales: [l.sw] } : {};
    const act = l.relu ? Activation.Relu : Activation.None;
    if (l.kind === "conv") {
      const W = g.constant(`W${i}`, dt, [l.N, l.KH, l.KH, l.Cin], wdata, wq);
      const OH = HW + 2 * l.pad - l.KH + 1;
      const y = g.act(`c${i}`, dt, [OH, OH, l.N], q(l.sy, l.zy));
      g.op(Op.Conv2d, [t, W], [y], [act, 1, 1, l.pad, l.pad, l.pad, l.pad, 1, 1, 1]);
      const p = g.act(`p${i}`, dt, [OH / 2, OH / 2, l.N], q(l.sy, l.zy));
      g.op(Op.MaxPool, [y], [p], [2, 2, 2, 2, 0, 0, 0, 0]);
      t = p; HW = OH / 2;
      if (i === 1) {
        const f = g.act("flat", dt, [HW * HW * l.N], q(l.sy, l.zy));
        g.op(Op.Reshape, [t], [f]);
        t = f;
      }
    } else {
      const W = g.constant(`W${i}`, dt, [l.N, l.K], wdata, wq);
      const y = g.act(i === ls.length - 1 ? "y" : `d${i}`, dt, [l.N], q(l.sy, l.zy));
      g.op(Op.Dense, [t, W], [y], [act]);
      t = y;
    }
  });
  return g.output(t).encode();
}

/** edgeq flattens NHWC [5][5][16]; ONNX flattens NCHW [16][5][5]: permute W2's columns. */
function nchwDenseW(w: Int8Array | Float32Array, N: number): typeof w {
  const o = new (w.constructor as new (n: number) => typeof w)(w.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < 5; h++) for (let x = 0; x < 5; x++) for (let c = 0; c < 16; c++) o[n * 400 + c * 25 + h * 5 + x] = w[n * 400 + (h * 5 + x) * 16 + c];
  return o;
}
/** edgeq conv W [N][KH][KW][C] -> ONNX [N][C][KH][KW]. */
function nchwConvW<T extends Int8Array | Float32Array>(w: T, N: number, C: number, KH: number): T {
  const o = new (w.constructor as new (n: number) => T)(w.length);
  for (let n = 0; n < N; n++) for (let k = 0; k < KH * KH; k++) for (let c = 0; c < C; c++) o[(n * C + c) * KH * KH + k] = w[(n * KH * KH + k) * C + c];
  return o;
}

function ortModel(ls: Layer[], int8: boolean): Uint8Array {
  const nodes: Node[] = [], inits: Init[] = [];
  const f = (name: string, v: number): Init => ({ name, type: "f32", dims: [], data: Float32Array.of(v) });
  const z = (name: string, v: number): Init => ({ name, type: "i8", dims: [], data: Int8Array.of(v) });
  let t = "x", s = "s_in", zp = "z_in";
  if (int8) inits.push(f("s_in", SX), z("z_in", 0));
  ls.forEach((l, i) => {
    const w = int8 ? l.wq : Float32Array.from(l.wq, (v) => v * l.sw);
    const y = i === ls.length - 1 ? "y" : `h${i}`;
    if (l.kind === "conv") {
      inits.push({ name: `W${i}`, type: int8 ? "i8" : "f32", dims: [l.N, l.Cin, l.KH, l.KH], data: nchwConvW(w, l.N, l.Cin, l.KH) });
      const attrs = { pads: [l.pad, l.pad, l.pad, l.pad], kernel_shape: [l.KH, l.KH] };
      if (int8) {
        inits.push(f(`sw${i}`, l.sw), z(`zw${i}`, 0), f(`sy${i}`, l.sy), z(`zy${i}`, l.zy));
        nodes.push({ op: "QLinearConv", inputs: [t, s, zp, `W${i}`, `sw${i}`, `zw${i}`, `sy${i}`, `zy${i}`], outputs: [`c${i}`], attrs });
        s = `sy${i}`; zp = `zy${i}`;
      } else {
        nodes.push({ op: "Conv", inputs: [t, `W${i}`], outputs: [`cc${i}`], attrs }, { op: "Relu", inputs: [`cc${i}`], outputs: [`c${i}`] });
      }
      nodes.push({ op: "MaxPool", inputs: [`c${i}`], outputs: [`p${i}`], attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
      t = `p${i}`;
      if (i === 1) { nodes.push({ op: "Flatten", inputs: [t], outputs: ["flat"] }); t = "flat"; }
    } else {
      const wd = i === 2 ? nchwDenseW(w, l.N) : w;
      inits.push({ name: `W${i}`, type: int8 ? "i8" : "f32", dims: [l.K, l.N], data: transpose(wd as Int8Array, l.N, l.K) });
      if (int8) {
        inits.push(f(`sw${i}`, l.sw), z(`zw${i}`, 0), f(`sy${i}`, l.sy), z(`zy${i}`, l.zy));
        nodes.push({ op: "QLinearMatMul", inputs: [t, s, zp, `W${i}`, `sw${i}`, `zw${i}`, `sy${i}`, `zy${i}`], outputs: [y] });
        s = `sy${i}`; zp = `zy${i}`;
      } else {
        nodes.push({ op: "MatMul", inputs: [t, `W${i}`], outputs: [l.relu ? `m${i}` : y] });
        if (l.relu) nodes.push({ op: "Relu", inputs: [`m${i}`], outputs: [y] });
      }
      t = y;
    }
  });
  const et = int8 ? "i8" : "f32";
  return onnxModel(nodes, inits, [{ name: "x", type: et, dims: ["B", 1, 28, 28] }], [{ name: "y", type: et, dims: ["B", 10] }]);
}

/** Quantized chains: rounding ties may flip a value by one and that can grow through layers. */
function mostly(ref: number[], tol: number, frac: number): Check {
  return (out) => {
    const o = out as ArrayLike<number>;
    if (o.length !== ref.length) return `length ${o.length}, expected ${ref.length}`;
    let ok = 0;
    for (let i = 0; i < ref.length; i++) if (Math.abs(Number(o[i]) - ref[i]) <= tol) ok++;
    return ok >= frac * ref.length ? null : `only ${ok}/${ref.length} within ${tol} of the reference`;
  };
}

export async function lenet5Cases(ctx: Ctx): Promise<void> {
  const rng = new Rng(5);
  const ls = layers(rng);
  for (const B of ctx.quick ? [1, 2] : [1, 32]) {
    const xf = Float32Array.from({ length: B * 784 }, () => rng.next() * 2 - 1);
    const xq = Int8Array.from(xf, (v) => Math.max(-127, Math.min(127, Math.round(v / SX))));
    const xfq = Float32Array.from(xq, (v) => v * SX);
    const macs = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
    const i8 = { group: "model", name: `lenet-5 b${B}`, ops: 2 * B * macs, int8: true };
    const f32 = { ...i8, int8: false };
    const ri8 = refI8(ls, xq, B);
    for (const [tag, e] of ctx.engines) contend(ctx, i8, `${tag} int8`, () => edgeqRunner(e, edgeqModel(ls, DType.I8), xq), mostly(ri8, 2, 0.95));
    if (ctx.role === "relaxed") { await settle(ctx); continue; }
    // f32 reference: the f32 edgeq model's own output is not a reference; use ORT-independent loops
    const rf = refF32(ls, xfq, B);
    contend(ctx, f32, "edgeq-simd128 f32", () => edgeqRunner(ctx.engine, edgeqModel(ls, DType.F32), xfq), close(rf));
    const xnchw = xfq; // one channel: NHWC and NCHW coincide
    contend(ctx, f32, "ort-web f32", () => ortRunner(ortModel(ls, false), { x: { type: "float32", data: xnchw, dims: [B, 1, 28, 28] } }, "y"), close(rf));
    contend(ctx, i8, "ort-web int8 QLinearConv/QLinearMatMul", () => ortRunner(ortModel(ls, true), { x: { type: "int8", data: xq, dims: [B, 1, 28, 28] } }, "y"), mostly(ri8, 2, 0.95));
    await settle(ctx);
  }
}

/** The f32 chain in f64 (NHWC). */
function refF32(ls: Layer[], x: Float32Array, B: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let h: number[] = Array.from(x.subarray(b * 784, (b + 1) * 784)), HW = 28, C = 1;
    for (const l of ls) {
      const w = (i: number) => l.wq[i] * Math.fround(l.sw);
      if (l.kind === "conv") {
        const OH = HW + 2 * l.pad - l.KH + 1;
        const y: number[] = new Array(OH * OH * l.N);
        for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OH; ow++) for (let n = 0; n < l.N; n++) {
          let acc = 0;
          for (let kh = 0; kh < l.KH; kh++) for (let kw = 0; kw < l.KH; kw++) {
            const ih = oh - l.pad + kh, iw = ow - l.pad + kw;
            if (ih < 0 || iw < 0 || ih >= HW || iw >= HW) continue;
            for (let c = 0; c < C; c++) acc += h[(ih * HW + iw) * C + c] * w(((n * l.KH + kh) * l.KH + kw) * C + c);
          }
          y[(oh * OH + ow) * l.N + n] = Math.max(0, acc);
        }
        HW = OH; C = l.N; h = y;
        const P = HW / 2, p: number[] = new Array(P * P * C);
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) for (let c = 0; c < C; c++)
          p[(i * P + j) * C + c] = Math.max(h[((2 * i) * HW + 2 * j) * C + c], h[((2 * i) * HW + 2 * j + 1) * C + c], h[((2 * i + 1) * HW + 2 * j) * C + c], h[((2 * i + 1) * HW + 2 * j + 1) * C + c]);
        h = p; HW = P;
      } else {
        const y: number[] = [];
        for (let n = 0; n < l.N; n++) {
          let acc = 0;
          for (let k = 0; k < l.K; k++) acc += h[k] * w(n * l.K + k);
          y.push(l.relu ? Math.max(0, acc) : acc);
        }
        h = y;
      }
    }
    out.push(...h);
  }
  return out;
}

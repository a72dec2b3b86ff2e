// Conv2d 3x3 56x56x64 -> 64 and depthwise 3x3 56x56x128 (stride 1, pad 1), int8 (exact int32
// out, ConvInteger semantics) and f32. edgeq is NHWC; onnxruntime-web gets NCHW copies of the
// same data and its outputs are transposed back before the check.
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { Rng } from "../../test/helpers/rng.ts";
import { close, contend, exact, settle, type Ctx } from "../harness.ts";
import { edgeqRunner } from "../contenders/edgeq.ts";
import { ortRunner } from "../contenders/ort.ts";
import { tfConv2d, tfReady } from "../contenders/tfjs.ts";
import { onnxModel } from "../onnx-models.ts";

interface Shape { H: number; W: number; C: number; Cout: number; depthwise: boolean }

/** NHWC conv, 3x3, stride 1, pad 1; W [Cout][3][3][Cin/g]. Plain loops: the reference. */
function convRef(x: ArrayLike<number>, w: ArrayLike<number>, s: Shape): Float64Array {
  const { H, W, C, Cout, depthwise } = s;
  const Cg = depthwise ? 1 : C;
  const y = new Float64Array(H * W * Cout);
  for (let oh = 0; oh < H; oh++)
    for (let ow = 0; ow < W; ow++)
      for (let n = 0; n < Cout; n++) {
        let acc = 0;
        for (let kh = 0; kh < 3; kh++) {
          const ih = oh - 1 + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < 3; kw++) {
            const iw = ow - 1 + kw;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0; c < Cg; c++) acc += x[(ih * W + iw) * C + (depthwise ? n : c)] * w[((n * 3 + kh) * 3 + kw) * Cg + c];
          }
        }
        y[(oh * W + ow) * Cout + n] = acc;
      }
  return y;
}

function edgeqConv(s: Shape, dt: DType.I8 | DType.F32, w: Int8Array | Float32Array): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", dt, [s.H, s.W, s.C]);
  const W = g.constant("W", dt, [s.Cout, 3, 3, s.depthwise ? 1 : s.C], w);
  const y = g.act("y", dt === DType.I8 ? DType.I32 : DType.F32, [s.H, s.W, s.Cout]);
  return g.op(Op.Conv2d, [x, W], [y], [0, 1, 1, 1, 1, 1, 1, 1, 1, s.depthwise ? s.C : 1]).output(y).encode();
}

const toNCHW = <T extends Int8Array | Uint8Array | Float32Array>(x: T, H: number, W: number, C: number): T => {
  const o = new (x.constructor as new (n: number) => T)(x.length);
  for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) o[c * H * W + i] = x[i * C + c];
  return o;
};
const fromNCHW = (y: ArrayLike<number>, H: number, W: number, C: number): number[] => {
  const o = new Array<number>(y.length);
  for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) o[i * C + c] = Number(y[c * H * W + i]);
  return o;
};
/** edgeq W [Cout][KH][KW][Cg] -> ONNX [Cout][Cg][KH][KW]. */
const onnxW = <T extends Int8Array | Float32Array>(w: T, Cout: number, Cg: number): T => {
  const o = new (w.constructor as new (n: number) => T)(w.length);
  for (let n = 0; n < Cout; n++) for (let k = 0; k < 9; k++) for (let c = 0; c < Cg; c++) o[(n * Cg + c) * 9 + k] = w[(n * 9 + k) * Cg + c];
  return o;
};

export async function convCases(ctx: Ctx): Promise<void> {
  const shapes: [string, Shape][] = ctx.quick
    ? [["conv 3x3 6x5x8->4", { H: 6, W: 5, C: 8, Cout: 4, depthwise: false }], ["dwconv 3x3 6x5x8", { H: 6, W: 5, C: 8, Cout: 8, depthwise: true }]]
    : [["conv 3x3 56x56x64->64", { H: 56, W: 56, C: 64, Cout: 64, depthwise: false }], ["dwconv 3x3 56x56x128", { H: 56, W: 56, C: 128, Cout: 128, depthwise: true }]];
  for (const [name, s] of shapes) {
    const { H, W, C, Cout, depthwise } = s;
    const Cg = depthwise ? 1 : C;
    const rng = new Rng(H * 131 + C);
    const x = rng.i8(H * W * C), w = rng.i8(Cout * 9 * Cg);
    const ref = Array.from(convRef(x, w, s));
    // MACs actually done (border pixels skip padded taps is an implementation detail: count all)
    const ops = 2 * H * W * Cout * 9 * Cg;
    const i8 = { group: "conv-int8", name, ops, int8: true };
    for (const [tag, e] of ctx.engines) contend(ctx, i8, `${tag} int8`, () => edgeqRunner(e, edgeqConv(s, DType.I8, w), x), exact(ref));
    if (ctx.role === "relaxed") { await settle(ctx); continue; }
    const onnxIo = (t: "i8" | "u8" | "f32") => [{ name: "x", type: t, dims: [1, C, H, W] }];
    const attrs = { pads: [1, 1, 1, 1], group: depthwise ? C : 1, kernel_shape: [3, 3] };
    const xu = Uint8Array.from(x, (v) => v + 128);
    const ci = onnxModel([{ op: "ConvInteger", inputs: ["x", "W", "xz"], outputs: ["y"], attrs }],
      [{ name: "W", type: "i8", dims: [Cout, Cg, 3, 3], data: onnxW(w, Cout, Cg) }, { name: "xz", type: "u8", dims: [], data: Uint8Array.of(128) }],
      [...onnxIo("u8")], [{ name: "y", type: "i32", dims: [1, Cout, H, W] }]);
    const unNCHW = (chk: (o: unknown) => string | null) => (o: unknown) => chk(fromNCHW(o as ArrayLike<number>, H, W, Cout));
    contend(ctx, i8, "ort-web ConvInteger u8s8", () => ortRunner(ci, { x: { type: "uint8", data: toNCHW(xu, H, W, C), dims: [1, C, H, W] } }, "y"), unNCHW(exact(ref)));
    const xf = Float32Array.from(x, (v) => v / 64), wf = Float32Array.from(w, (v) => v / 64);
    const fref = Array.from(convRef(xf, wf, s));
    const f32 = { group: "conv-f32", name, ops, int8: false };
    contend(ctx, f32, "edgeq-simd128 f32", () => edgeqRunner(ctx.engine, edgeqConv(s, DType.F32, wf), xf), close(fref));
    const cf = onnxModel([{ op: "Conv", inputs: ["x", "W"], outputs: ["y"], attrs }], [{ name: "W", type: "f32", dims: [Cout, Cg, 3, 3], data: onnxW(wf, Cout, Cg) }],
      [...onnxIo("f32")], [{ name: "y", type: "f32", dims: [1, Cout, H, W] }]);
    contend(ctx, f32, "ort-web Conv f32", () => ortRunner(cf, { x: { type: "float32", data: toNCHW(xf, H, W, C), dims: [1, C, H, W] } }, "y"), unNCHW(close(fref)));
    contend(ctx, f32, "tfjs-wasm conv f32", async () => { await tfReady(); return tfConv2d(xf, H, W, C, wf, Cout, 3, 3, 1, depthwise); }, close(fref));
    await settle(ctx);
  }
}

// Whole models at batch 1 and 32: LeNet-300-100 (random weights of the real shapes) as edgeq
// f32 / int8 and onnxruntime-web f32 / int8 (QOperator: QLinearMatMul per layer).
import { Rng } from "../../test/helpers/rng.ts";
import { denseF64, requant } from "../../test/ref/index.ts";
import { close, contend, settle, within, type Ctx } from "../harness.ts";
import { edgeqRunner, mlpF32Model, mlpI8Model, type MlpLayer } from "../contenders/edgeq.ts";
import { ortRunner } from "../contenders/ort.ts";
import { onnxModel, transpose, type Init, type Node } from "../onnx-models.ts";

const SX = 1 / 127;

function lenet300(rng: Rng): MlpLayer[] {
  const dims = [784, 300, 100, 10];
  let sIn = SX;
  return dims.slice(1).map((N, i) => {
    const K = dims[i];
    const relu = i < dims.length - 2;
    const sw = 0.01;
    const wq = rng.i8(N * K, -127, 127);
    const bq = new Int32Array(N);
    // output scale: ~3 sigma of the accumulator over the int8 range
    const sigma = Math.sqrt(K) * 73 * (relu || i === 0 ? 73 : 40);
    const sy = (sIn * sw * 3 * sigma) / (relu ? 255 : 127);
    const layer = { N, K, wq, bq, sw, sy, zy: relu ? -128 : 0, relu, wf: Float32Array.from(wq, (v) => v * sw), bf: new Float32Array(N) };
    sIn = sy;
    return layer;
  });
}

function refI8(layers: MlpLayer[], xq: Int8Array, B: number): number[] {
  let h: number[] = Array.from(xq), zx = 0, sIn = SX;
  for (const l of layers) {
    const out: number[] = [];
    const real = (Math.fround(sIn) * Math.fround(l.sw)) / Math.fround(l.sy);
    for (let b = 0; b < B; b++)
      for (let n = 0; n < l.N; n++) {
        let s = 0;
        for (let k = 0; k < l.K; k++) s += (h[b * l.K + k] - zx) * l.wq[n * l.K + k];
        out.push(requant(s, real, l.zy).v);
      }
    h = out; zx = l.zy; sIn = l.sy;
  }
  return h;
}

function refF32(layers: MlpLayer[], x: Float32Array, B: number): number[] {
  let h: ArrayLike<number> = x;
  for (const l of layers) {
    const y = denseF64(h, l.wf, l.bf, B, l.K, l.N);
    h = l.relu ? y.map((v) => Math.max(0, v)) : y;
  }
  return Array.from(h);
}

function ortF32(layers: MlpLayer[]): Uint8Array {
  const nodes: Node[] = [], inits: Init[] = [];
  let t = "x";
  layers.forEach((l, i) => {
    inits.push({ name: `W${i}`, type: "f32", dims: [l.K, l.N], data: transpose(l.wf, l.N, l.K) }, { name: `b${i}`, type: "f32", dims: [l.N], data: l.bf });
    const g = `g${i}`;
    nodes.push({ op: "Gemm", inputs: [t, `W${i}`, `b${i}`], outputs: [g] });
    if (l.relu) nodes.push({ op: "Relu", inputs: [g], outputs: [`r${i}`]});
    t = l.relu ? `r${i}` : g;
  });
  nodes.push({ op: "Identity", inputs: [t], outputs: ["y"] });
  return onnxModel(nodes, inits, [{ name: "x", type: "f32", dims: ["B", 784] }], [{ name: "y", type: "f32", dims: ["B", 10] }]);
}

function ortI8(layers: MlpLayer[]): Uint8Array {
  const nodes: Node[] = [], inits: Init[] = [];
  const f = (name: string, v: number): Init => ({ name, type: "f32", dims: [], data: Float32Array.of(v) });
  const z = (name: string, v: number): Init => ({ name, type: "i8", dims: [], data: Int8Array.of(v) });
  let t = "x", s = "s_in", zp = "z_in";
  inits.push(f("s_in", SX), z("z_in", 0));
  layers.forEach((l, i) => {
    inits.push({ name: `W${i}`, type: "i8", dims: [l.K, l.N], data: transpose(l.wq, l.N, l.K) }, f(`sw${i}`, l.sw), z(`zw${i}`, 0), f(`sy${i}`, l.sy), z(`zy${i}`, l.zy));
    const y = i === layers.length - 1 ? "y" : `h${i}`;
    nodes.push({ op: "QLinearMatMul", inputs: [t, s, zp, `W${i}`, `sw${i}`, `zw${i}`, `sy${i}`, `zy${i}`], outputs: [y] });
    t = y; s = `sy${i}`; zp = `zy${i}`;
  });
  return onnxModel(nodes, inits, [{ name: "x", type: "i8", dims: ["B", 784] }], [{ name: "y", type: "i8", dims: ["B", 10] }]);
}

export async function modelCases(ctx: Ctx): Promise<void> {
  const rng = new Rng(300100);
  const layers = lenet300(rng);
  for (const B of ctx.quick ? [1, 3] : [1, 32]) {
    const xf = Float32Array.from({ length: B * 784 }, () => rng.next() * 2 - 1);
    const xq = Int8Array.from(xf, (v) => Math.max(-127, Math.min(127, Math.round(v / SX))));
    const xfq = Float32Array.from(xq, (v) => v * SX);
    const ops = 2 * B * layers.reduce((a, l) => a + l.N * l.K, 0);
    const i8 = { group: "model", name: `lenet-300-100 b${B}`, ops, int8: true };
    const f32 = { ...i8, int8: false };
    const ri8 = refI8(layers, xq, B), rf = refF32(layers, xfq, B);
    for (const [tag, e] of ctx.engines) contend(ctx, i8, `${tag} int8`, () => edgeqRunner(e, mlpI8Model(layers, SX), xq), within(ri8, 2));
    if (ctx.role === "relaxed") { await settle(ctx); continue; }
    await contend(ctx, f32, "edgeq-simd128 f32", () => edgeqRunner(ctx.engine, mlpF32Model(layers), xfq), close(rf));
    await contend(ctx, f32, "ort-web f32", () => ortRunner(ortF32(layers), { x: { type: "float32", data: xfq, dims: [B, 784] } }, "y"), close(rf));
    await contend(ctx, i8, "ort-web int8 QLinearMatMul", () => ortRunner(ortI8(layers), { x: { type: "int8", data: xq, dims: [B, 784] } }, "y"), within(ri8, 2));
    await settle(ctx);
  }
}

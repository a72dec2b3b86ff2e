// GEMV/GEMM: y[M,N] = x[M,K] W[N,K]^T, int8 (exact int32 out) and f32, every contender.
import { Rng } from "../../test/helpers/rng.ts";
import { denseF64, denseInt, requant } from "../../test/ref/index.ts";
import { close, contend, settle, exact, reference, within, type Ctx } from "../harness.ts";
import { denseF32Model, denseI8Model, edgeqRunner } from "../contenders/edgeq.ts";
import { scalarGemmF32, scalarGemmI8 } from "../contenders/scalar.ts";
import { ortRunner } from "../contenders/ort.ts";
import { tfMatMul, tfReady } from "../contenders/tfjs.ts";
import { onnxModel, transpose } from "../onnx-models.ts";

export const GEMM_FULL: [number, number, number][] = [[1, 1024, 1024], [1, 4096, 1024], [64, 1024, 1024], [256, 256, 256]];
export const GEMM_QUICK: [number, number, number][] = [[1, 64, 32], [5, 40, 24]];

export async function gemmCases(ctx: Ctx): Promise<void> {
  for (const [M, K, N] of ctx.quick ? GEMM_QUICK : GEMM_FULL) {
    const rng = new Rng(M * 7919 + K * 31 + N);
    const x = rng.i8(M * K), w = rng.i8(N * K);
    const ref = Array.from(denseInt(x, 0, w, 0, null, M, K, N));
    const name = `${M}x${K}x${N}`;
    const ops = 2 * M * K * N;
    const i8 = { group: "gemm-int8", name, ops, int8: true };
    // 7-bit weights (-64..63, ORT's reduce_range): where the relaxed dot is exact
    const w7 = Int8Array.from(w, (v) => v >> 1);
    const ref7 = Array.from(denseInt(x, 0, w7, 0, null, M, K, N));
    for (const [tag, e] of ctx.engines) {
      contend(ctx, i8, `${tag} int8`, () => edgeqRunner(e, denseI8Model(K, N, w), x), exact(ref));
      contend(ctx, { ...i8, group: "gemm-int8-w7" }, `${tag} int8 w7`, () => edgeqRunner(e, denseI8Model(K, N, w7), x, true), exact(ref7));
    }
    if (ctx.role === "relaxed") { await settle(ctx); continue; }
    // the plain-JS contender only where a run stays well under a second of CPU
    const scalarOk = M * K * N <= 1 << 24;
    if (scalarOk) contend(ctx, i8, "scalar-ts int8", () => ({ run: () => scalarGemmI8(x, w, M, K, N) }), exact(ref));
    const wt = transpose(w, N, K);
    const xu = Uint8Array.from(x, (v) => v + 128);
    const mmi = (xType: "i8" | "u8") => onnxModel(
      [{ op: "MatMulInteger", inputs: ["x", "W", "xz"], outputs: ["y"] }],
      [{ name: "W", type: "i8", dims: [K, N], data: wt },
        xType === "i8" ? { name: "xz", type: "i8", dims: [], data: new Int8Array(1) } : { name: "xz", type: "u8", dims: [], data: Uint8Array.of(128) }],
      [{ name: "x", type: xType, dims: [M, K] }], [{ name: "y", type: "i32", dims: [M, N] }]);
    await contend(ctx, i8, "ort-web MatMulInteger s8s8", () => ortRunner(mmi("i8"), { x: { type: "int8", data: x, dims: [M, K] } }, "y"), exact(ref));
    await contend(ctx, i8, "ort-web MatMulInteger u8s8", () => ortRunner(mmi("u8"), { x: { type: "uint8", data: xu, dims: [M, K] } }, "y"), exact(ref));
    // QLinearMatMul (int8 out): reference = exact requantization, ties may round either way
    const sx = 0.05, sw = 0.01, sy = (sx * sw * Math.sqrt(K) * 5500) / 40;
    const real = (Math.fround(sx) * Math.fround(sw)) / Math.fround(sy);
    const qref = ref.map((a) => requant(a, real, 0).v);
    const f = (v: number) => Float32Array.of(v);
    const qlm = onnxModel(
      [{ op: "QLinearMatMul", inputs: ["x", "sx", "zx", "W", "sw", "zw", "sy", "zy"], outputs: ["y"] }],
      [{ name: "W", type: "i8", dims: [K, N], data: wt }, { name: "sx", type: "f32", dims: [], data: f(sx) }, { name: "zx", type: "i8", dims: [], data: new Int8Array(1) },
        { name: "sw", type: "f32", dims: [], data: f(sw) }, { name: "zw", type: "i8", dims: [], data: new Int8Array(1) },
        { name: "sy", type: "f32", dims: [], data: f(sy) }, { name: "zy", type: "i8", dims: [], data: new Int8Array(1) }],
      [{ name: "x", type: "i8", dims: [M, K] }], [{ name: "y", type: "i8", dims: [M, N] }]);
    await contend(ctx, i8, "ort-web QLinearMatMul s8", () => ortRunner(qlm, { x: { type: "int8", data: x, dims: [M, K] } }, "y"), within(qref, 1));
    // f32 on the same values
    const xf = Float32Array.from(x, (v) => v / 64), wf = Float32Array.from(w, (v) => v / 64);
    const fref = Array.from(denseF64(xf, wf, null, M, K, N));
    const f32 = { group: "gemm-f32", name, ops, int8: false };
    await contend(ctx, f32, "edgeq-simd128 f32", () => edgeqRunner(ctx.engine, denseF32Model(K, N, wf), xf), close(fref));
    if (scalarOk) contend(ctx, f32, "scalar-ts f32", () => ({ run: () => scalarGemmF32(xf, wf, M, K, N) }), close(fref));
    const mm = onnxModel([{ op: "MatMul", inputs: ["x", "W"], outputs: ["y"] }], [{ name: "W", type: "f32", dims: [K, N], data: transpose(wf, N, K) }],
      [{ name: "x", type: "f32", dims: [M, K] }], [{ name: "y", type: "f32", dims: [M, N] }]);
    await contend(ctx, f32, "ort-web MatMul f32", () => ortRunner(mm, { x: { type: "float32", data: xf, dims: [M, K] } }, "y"), close(fref));
    await contend(ctx, f32, "tfjs-wasm matMul f32", async () => { await tfReady(); return tfMatMul(xf, M, K, wf, N); }, close(fref));
    void reference;
    await settle(ctx);
  }
}

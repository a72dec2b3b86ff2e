// Peak wasm memory per model: (allocator peak during load + one run) / (container bytes +
// activation bytes), where activation bytes = every activation tensor of the graph at the run's
// batch (no sharing assumed). Each measurement uses a fresh engine so the peak is the model's.
import { Kind, DType } from "../../assembly/format/spec.ts";
import { decode } from "../../src/format/reader.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import { createEngine } from "../../src/node.ts";
import { Rng } from "../../test/helpers/rng.ts";
import type { Ctx } from "../harness.ts";
import { denseI8Model, mlpI8Model } from "../contenders/edgeq.ts";

const SIZE: Record<number, number> = { [DType.F32]: 4, [DType.I8]: 1, [DType.I32]: 4 };

async function measure(ctx: Ctx, name: string, bytes: Uint8Array, x: Int8Array, batch: number): Promise<void> {
  const spec = decode(bytes);
  const act = spec.tensors.filter((t) => t.kind === Kind.Act).reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1) * SIZE[t.dtype] * batch, 0);
  const e = await createEngine();
  const before = e.memoryStats().inUse;
  e.resetPeak();
  const m = e.load(bytes);
  m.run([x]);
  const peak = e.memoryStats().peak - before;
  m.dispose();
  const ratio = peak / (bytes.length + act);
  ctx.rows.push({ group: "memory", case: name, contender: "edgeq-simd128", ops: 0, int8: true, status: "ok", memRatio: +ratio.toFixed(3),
    note: `peak ${peak} B / (model ${bytes.length} B + activations ${act} B)` });
  ctx.log(`  memory ${name}: ${ratio.toFixed(2)}x`);
}

export async function memoryCases(ctx: Ctx): Promise<void> {
  const rng = new Rng(99);
  const [M, K, N] = ctx.quick ? [4, 64, 32] : [64, 1024, 1024];
  const w = rng.i8(N * K);
  const x = rng.i8(M * K);
  await measure(ctx, `dense int8 ${M}x${K}x${N}`, denseI8Model(K, N, w), x, M);
  const w9 = Int8Array.from(w, (v) => (rng.next() < 0.9 ? 0 : v));
  await measure(ctx, `csr 90% int8 ${M}x${K}x${N}`, denseI8Model(K, N, w9, csr(w9, N, K)), x, M);
  const idx = Uint8Array.from({ length: N * K }, () => rng.int(0, 15));
  await measure(ctx, `codebook 4-bit ${M}x${K}x${N}`, denseI8Model(K, N, w, codebook(idx, rng.i8(16), 4, N, K)), x, M);
  // 2:4 keeps the first two of every four weights; its pair-table scratch is per call, so batch 1 is the worst case
  const w24 = Int8Array.from(w, (v, i) => (i % 4 < 2 ? v : 0));
  await measure(ctx, `2:4 int8 ${M}x${K}x${N}`, denseI8Model(K, N, w24, nm24(w24, N, K)), x, M);
  await measure(ctx, `2:4 int8 1x${K}x${N}`, denseI8Model(K, N, w24, nm24(w24, N, K)), x.subarray(0, K), 1);
  const dims = [784, 300, 100, 10];
  const layers = dims.slice(1).map((n, i) => ({ N: n, K: dims[i], wq: rng.i8(n * dims[i]), bq: new Int32Array(n), sw: 0.01, sy: 0.5, zy: -128, relu: true, wf: new Float32Array(0), bf: new Float32Array(0) }));
  for (const B of [1, 32]) await measure(ctx, `lenet-300-100 int8 b${B}`, mlpI8Model(layers, 1 / 127), rng.i8(B * 784), B);
}

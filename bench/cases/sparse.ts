// Compressed int8 weights vs the same weights dense: CSR at several sparsities, 2:4, 4-bit
// codebook and 50 % channel pruning. Ops are counted as the dense GEMM's so GOPS compare.
import { Rng } from "../../test/helpers/rng.ts";
import { denseInt } from "../../test/ref/index.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import { contend, exact, settle, type Ctx } from "../harness.ts";
import { denseI8Model, edgeqRunner } from "../contenders/edgeq.ts";

export async function sparseCases(ctx: Ctx): Promise<void> {
  const [M, K, N] = ctx.quick ? [8, 64, 32] : [64, 1024, 1024];
  const rng = new Rng(4242);
  const x = rng.i8(M * K);
  const ops = 2 * M * K * N;
  // every variant also at batch 1 (group sparse-int8-b1, no target): the GEMV an edge gateway runs
  const x1 = x.subarray(0, K);
  const run = async (label: string, w: Int8Array, enc: Parameters<typeof denseI8Model>[3], rows = N) => {
    const ref = Array.from(denseInt(x, 0, w, 0, null, M, K, rows));
    const info = { group: "sparse-int8", name: `${M}x${K}x${N} ${label}`, ops, int8: true };
    for (const [tag, e] of ctx.engines) contend(ctx, info, tag, () => edgeqRunner(e, denseI8Model(K, rows, w, enc), x, true), exact(ref));
    const ref1 = ref.slice(0, rows);
    const info1 = { group: "sparse-int8-b1", name: `1x${K}x${N} ${label}`, ops: ops / M, int8: true };
    for (const [tag, e] of ctx.engines) contend(ctx, info1, tag, () => edgeqRunner(e, denseI8Model(K, rows, w, enc), x1, true), exact(ref1));
  };
  const dense = rng.i8(N * K);
  for (let i = 0; i < dense.length; i++) if (dense[i] === 0) dense[i] = 1;
  await run("dense", dense, undefined);
  for (const pct of [50, 70, 90, 95]) {
    const w = Int8Array.from(dense, (v) => (rng.next() * 100 < pct ? 0 : v));
    await run(`csr ${pct}%`, w, csr(w, N, K));
  }
  const w24 = new Int8Array(N * K);
  for (let g = 0; g < (N * K) / 4; g++) {
    const a = rng.int(0, 3), b = (a + rng.int(1, 3)) % 4;
    w24[4 * g + a] = dense[4 * g + a];
    w24[4 * g + b] = dense[4 * g + b];
  }
  await run("2:4", w24, nm24(w24, N, K));
  const centroids = rng.i8(16);
  const idx = Uint8Array.from({ length: N * K }, () => rng.int(0, 15));
  const wcb = Int8Array.from(idx, (i) => centroids[i]);
  await run("codebook 4-bit", wcb, codebook(idx, centroids, 4, N, K));
  await run("channel-pruned 50%", dense.subarray(0, (N / 2) * K), undefined, N / 2);
  await settle(ctx);
}

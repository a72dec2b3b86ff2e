// The artifact's training kernels (edgeq_train_*) against scalar f64 references, plus their
// argument validation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Tape } from "../../src/train/tensor.ts";
import * as ops from "../../src/train/ops.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { backend } from "../helpers/train.ts";
import { Rng } from "../helpers/rng.ts";
import { denseF64 } from "../ref/index.ts";
import { conv2dF64, poolF64 } from "../ref/train.ts";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.is(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-4 * (1 + Math.abs(b[i])), `${what}[${i}] ${a[i]} vs ${b[i]}`);
};

test("matmul on awkward shapes, every transpose combination", async () => {
  const be = await backend();
  const rng = new Rng(21);
  for (const [M, K, N] of [[1, 1, 1], [3, 5, 7], [4, 8, 8], [9, 17, 13], [33, 64, 31], [64, 300, 100]]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = rng.f32(M * K), b = rng.f32(K * N);
      // reference operands in plain [M,K] and [N,K] layout for denseF64 (y = a · bt^T)
      const aPlain = ta ? Float32Array.from({ length: M * K }, (_, i) => a[(i % K) * M + Math.floor(i / K)]) : a;
      const bt = tb ? b : Float32Array.from({ length: N * K }, (_, i) => b[(i % K) * N + Math.floor(i / K)]);
      const t = new Tape(be);
      const y = ops.matmul(t, t.from(a, ta ? [K, M] : [M, K]), t.from(b, tb ? [N, K] : [K, N]), ta, tb);
      close(y.data, denseF64(aPlain, bt, null, M, K, N), `matmul ${M}x${K}x${N} ${ta} ${tb}`);
      t.dispose();
    }
  }
});

test("conv2d forward matches the reference (padding, stride, dilation, groups, depthwise)", async () => {
  const be = await backend();
  const rng = new Rng(22);
  const cases: [number[], number[], ops.ConvOptions][] = [
    [[2, 28, 28, 1], [6, 5, 5, 1], { pads: [2, 2, 2, 2] }],
    [[3, 14, 14, 6], [16, 5, 5, 6], {}],
    [[1, 9, 7, 4], [8, 3, 3, 2], { groups: 2, stride: [2, 1], pads: [1, 0, 1, 2], dilation: [1, 2] }],
    [[2, 6, 6, 5], [5, 3, 3, 1], { groups: 5, pads: [1, 1, 1, 1] }],
    [[1, 3, 3, 3], [7, 1, 1, 3], {}],
  ];
  for (const [xs, ws, o] of cases) {
    const g = ops.convGeometry(xs, ws, o);
    const x = rng.f32(xs.reduce((a, b) => a * b)), w = rng.f32(ws.reduce((a, b) => a * b)), b = rng.f32(ws[0]);
    const t = new Tape(be);
    const y = ops.conv2d(t, t.from(x, xs), t.from(w, ws), t.from(b, [ws[0]]), o);
    close(y.data, conv2dF64(x, w, b, g), `conv ${xs} ${ws}`);
    t.dispose();
  }
});

test("max and average pooling forward match the reference", async () => {
  const be = await backend();
  const rng = new Rng(23);
  for (const [xs, o] of [[[2, 6, 6, 3], { kernel: [2, 2] }], [[1, 7, 5, 2], { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }], [[1, 5, 5, 1], { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true }]] as [number[], ops.PoolOptions][]) {
    const g = ops.poolGeometry(xs, o);
    const x = rng.f32(xs.reduce((a, b) => a * b));
    const t = new Tape(be);
    close(ops.maxPool(t, t.from(x, xs), o).data, poolF64(x, g, true), `max ${xs}`);
    close(ops.avgPool(t, t.from(x, xs), o).data, poolF64(x, g, false), `avg ${xs}`);
    t.dispose();
  }
});

test("kernels refuse bad descriptors and buffers outside memory", async () => {
  const be = await backend();
  assert.throws(() => be.matmul(false, false, 0, 4, 4, 64, 64, 64, false), (e: unknown) => e instanceof EdgeqError && e.codeName === "BadShape");
  assert.throws(() => be.matmul(false, false, 4, 4, 4, 0x7fff_fff0, 64, 64, false), (e: unknown) => e instanceof EdgeqError && e.codeName === "BadArgument");
  const p = be.alloc(64);
  const g = { B: 1, H: 4, W: 4, C: 2, OH: 2, OW: 2, Cout: 2, KH: 3, KW: 3, SH: 1, SW: 1, PT: 0, PL: 0, DH: 1, DW: 1, Groups: 3 };
  assert.throws(() => be.conv2dForward(g, p, p, 0, p), (e: unknown) => e instanceof EdgeqError && e.codeName === "BadShape");
  assert.throws(() => be.conv2dForward({ ...g, Groups: 1, B: 1 << 20 }, p, p, 0, p), (e: unknown) => e instanceof EdgeqError && e.codeName === "BadArgument");
  assert.throws(() => be.maxpoolForward({ B: 1, H: 4, W: 4, C: 1, OH: 2, OW: 2, KH: 0, KW: 2, SH: 2, SW: 2, PT: 0, PL: 0, CountIncludePad: 0 }, p, p, p), (e: unknown) => e instanceof EdgeqError && e.codeName === "BadShape");
  be.free(p);
});

test.run();

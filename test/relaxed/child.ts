// Run by test/relaxed.test.ts under `node --experimental-wasm-relaxed-simd`: the relaxed build
// must pass the Engine's self-check and give bit-identical int8 Dense results to the SIMD128
// build and the reference, on awkward shapes and on weights inside and outside 7 bits.
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { createEngine } from "../../src/node.ts";
import { Rng } from "../helpers/rng.ts";
import { denseInt } from "../ref/index.ts";

const relaxed = await createEngine({ relaxed: true });
const plain = await createEngine();
const failures: string[] = [];
const rng = new Rng(77);
const shapes: [number, number, number][] = [[1, 1, 1], [1, 15, 3], [1, 16, 8], [2, 17, 9], [4, 31, 2], [5, 64, 17], [9, 100, 33], [4, 1024, 16],
  [1, 33, 7], [3, 48, 4], [7, 1000, 9], [8, 40, 5], [4, 48, 9], [8, 80, 12], [5, 47, 8]];
const ranges: [number, number][] = [[-64, 63], [0, 127], [-128, -1], [-100, 27], [-128, 127], [-65, 63]];
for (const [rows, K, N] of shapes)
  for (const [lo, hi] of ranges) {
    const zx = rng.int(-128, 127), zw = rng.int(-3, 3);
    const w = rng.i8(N * K, lo, hi);
    if (N * K > 2) { w[0] = lo; w[1] = hi; }
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [K], { zeroPoint: zx });
    const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: zw });
    const y = g.act("y", DType.I32, [N]);
    const bytes = g.op(Op.Dense, [x, W], [y]).output(y).encode();
    const xs = rng.i8(rows * K);
    for (let i = 0; i < xs.length; i += 5) xs[i] = i % 2 ? 127 : -128;
    const ref = Array.from(denseInt(xs, zx, w, zw, null, rows, K, N));
    for (const [name, e] of [["relaxed", relaxed], ["plain", plain]] as const) {
      const m = e.load(bytes);
      const out = Array.from(m.run({ x: xs }).y.data);
      m.dispose();
      const bad = out.findIndex((v, i) => v !== ref[i]);
      if (bad >= 0) failures.push(`${name} [${rows},${K},${N}] w in [${lo},${hi}]: y[${bad}] ${out[bad]} vs ${ref[bad]}`);
    }
  }
// each row within 128 consecutive values but the tensor spanning the full int8 range (per-row
// shifts), and the same weights shared by two Dense ops (packed once, read by both)
for (const [rows, K, N] of [[1, 33, 9], [4, 100, 17], [6, 16, 4], [5, 7, 3]] as [number, number, number][]) {
  const w = new Int8Array(N * K);
  for (let n = 0; n < N; n++) {
    const lo = n % 2 ? -128 : rng.int(-128, 0);
    for (let k = 0; k < K; k++) w[n * K + k] = rng.int(lo, lo + 127);
    w[n * K] = lo;
  }
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K], { zeroPoint: 5 });
  const x2 = g.input("x2", DType.I8, [K], { zeroPoint: -7 });
  const W = g.constant("W", DType.I8, [N, K], w, { zeroPoint: 1 });
  const y1 = g.act("y1", DType.I32, [N]), y2 = g.act("y2", DType.I32, [N]);
  const bytes = g.op(Op.Dense, [x, W], [y1]).op(Op.Dense, [x2, W], [y2]).output(y1).output(y2).encode();
  const xs = rng.i8(rows * K), xs2 = rng.i8(rows * K);
  const ref1 = Array.from(denseInt(xs, 5, w, 1, null, rows, K, N)), ref2 = Array.from(denseInt(xs2, -7, w, 1, null, rows, K, N));
  for (const [name, e] of [["relaxed", relaxed], ["plain", plain]] as const) {
    const m = e.load(bytes);
    const out = m.run({ x: xs, x2: xs2 });
    m.dispose();
    for (const [y, ref] of [[out.y1.data, ref1], [out.y2.data, ref2]] as const) {
      const bad = Array.from(y).findIndex((v, i) => v !== ref[i]);
      if (bad >= 0) failures.push(`${name} shared per-row [${rows},${K},${N}]: y[${bad}] ${y[bad]} vs ${ref[bad]}`);
    }
  }
}
// the other two int8 Dense paths over shifted rows: dynamic (f32 in, rows quantized per call, f32
// out with bias) and int8 out (requantized, per-channel scales, bias); the relaxed build must
// give the same bits as SIMD128 (both paths' arithmetic is tested against references in
// test/ops/dense.test.ts; here the row shifts must be undone exactly once on each path)
for (const [rows, K, N] of [[1, 33, 9], [4, 100, 17], [6, 48, 13], [5, 1024, 8], [8, 17, 5]] as [number, number, number][]) {
  const w = new Int8Array(N * K);
  for (let n = 0; n < N; n++) {
    const lo = rng.int(-128, 0);
    for (let k = 0; k < K; k++) w[n * K + k] = rng.int(lo, lo + 127);
  }
  const sw = Array.from({ length: N }, () => 0.002 + rng.int(1, 9) * 0.001);
  const dyn = new GraphBuilder();
  const xd = dyn.input("x", DType.F32, [K]);
  const Wd = dyn.constant("W", DType.I8, [N, K], w, { scales: sw });
  const Bd = dyn.constant("b", DType.F32, [N], Float32Array.from({ length: N }, (_, n) => n * 0.25 - 1));
  const yd = dyn.act("y", DType.F32, [N]);
  dyn.op(Op.Dense, [xd, Wd, Bd], [yd]).output(yd);
  const q = new GraphBuilder();
  const xq = q.input("x", DType.I8, [K], { scales: [0.05], zeroPoint: 3 });
  const Wq = q.constant("W", DType.I8, [N, K], w, { scales: sw });
  const Bq = q.constant("b", DType.I32, [N], Int32Array.from({ length: N }, (_, n) => (n - 4) * 1000));
  const yq = q.act("y", DType.I8, [N], { scales: [0.05 * 0.005 * Math.sqrt(K) * 40], zeroPoint: -5 });
  q.op(Op.Dense, [xq, Wq, Bq], [yq]).output(yq);
  const xf = Float32Array.from({ length: rows * K }, (_, i) => (i % 7 === 0 ? -3 : Math.sin(i) * 2));
  const xi = rng.i8(rows * K);
  for (const [tag, bytes, input] of [["dynamic", dyn.encode(), xf], ["int8-out", q.encode(), xi]] as const) {
    const got = [relaxed, plain].map((e) => {
      const m = e.load(bytes);
      const out = Array.from(m.run({ x: input }).y.data);
      m.dispose();
      return out;
    });
    const bad = got[0].findIndex((v, i) => !Object.is(v, got[1][i]));
    if (bad >= 0) failures.push(`${tag} [${rows},${K},${N}]: relaxed y[${bad}] ${got[0][bad]} vs SIMD128 ${got[1][bad]}`);
  }
}
process.stdout.write(JSON.stringify({ relaxed: relaxed.relaxed, failures }) + "\n");

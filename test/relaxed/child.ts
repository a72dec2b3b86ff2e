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
const shapes: [number, number, number][] = [[1, 1, 1], [1, 15, 3], [1, 16, 8], [2, 17, 9], [4, 31, 2], [5, 64, 17], [9, 100, 33], [4, 1024, 16]];
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
process.stdout.write(JSON.stringify({ relaxed: relaxed.relaxed, failures }) + "\n");

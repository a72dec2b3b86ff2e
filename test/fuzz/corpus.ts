// Valid seed models for mutation fuzzing: every dtype path and weight encoding the artifact reads.
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { codebook, csr, nm24 } from "../../src/format/encodings.ts";
import { Rng } from "../helpers/rng.ts";

export function seedModels(): { name: string; bytes: Uint8Array }[] {
  const rng = new Rng(99);
  const out: { name: string; bytes: Uint8Array }[] = [];
  {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [2, 12]);
    const W1 = g.constant("W1", DType.F32, [8, 12], rng.f32(96));
    const B1 = g.constant("b1", DType.F32, [8], rng.f32(8));
    const h = g.act("h", DType.F32, [2, 8]);
    const W2 = g.constant("W2", DType.I8, [4, 8], rng.i8(32), { scales: rng.f32(4).map(Math.abs) });
    const y = g.act("y", DType.F32, [2, 4]);
    g.op(Op.Dense, [x, W1, B1], [h], [Activation.Relu]).op(Op.Dense, [h, W2], [y]).output(y);
    out.push({ name: "f32+dynamic", bytes: g.encode() });
  }
  {
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [16], { scales: [0.05], zeroPoint: -3 });
    const W = g.constant("W", DType.I8, [8, 16], rng.i8(128), { scales: Array.from({ length: 8 }, () => 0.01) });
    const B = g.constant("b", DType.I32, [8], Int32Array.from({ length: 8 }, () => rng.int(-100, 100)));
    const h = g.act("h", DType.I8, [8], { scales: [0.1], zeroPoint: 2 });
    const W2 = g.constant("W2", DType.I8, [3, 8], new Int8Array(0), csr(Int8Array.from({ length: 24 }, (_, i) => (i % 3 ? 0 : rng.int(-50, 50))), 3, 8));
    const y = g.act("y", DType.F32, [3]);
    g.op(Op.Dense, [x, W, B], [h], [Activation.Relu6]).op(Op.Dense, [h, W2], [y]).output(y);
    out.push({ name: "int8+csr", bytes: g.encode() });
  }
  {
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [8], { zeroPoint: 1 });
    const w = Int8Array.from({ length: 32 }, (_, i) => (i % 4 < 2 ? rng.int(-9, 9) : 0));
    const W = g.constant("W", DType.I8, [4, 8], new Int8Array(0), nm24(w, 4, 8));
    const h = g.act("h", DType.I32, [4]);
    g.op(Op.Dense, [x, W], [h]).output(h);
    const idx = Array.from({ length: 12 }, () => rng.int(0, 2));
    const W2 = g.constant("W2", DType.F32, [3, 4], new Float32Array(0), codebook(idx, rng.f32(3), 2, 3, 4));
    const x2 = g.input("x2", DType.F32, [4]);
    const y2 = g.act("y2", DType.F32, [3]);
    g.op(Op.Dense, [x2, W2], [y2]).output(y2);
    out.push({ name: "2:4+codebook", bytes: g.encode() });
  }
  return out;
}

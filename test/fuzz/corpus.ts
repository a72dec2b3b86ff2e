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
    const W2 = g.constant("W2", DType.I8, [3, 8], new Int8Array(0), { ...csr(Int8Array.from({ length: 24 }, (_, i) => (i % 3 ? 0 : rng.int(-50, 50))), 3, 8), scales: [0.02] });
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
  {
    // int8 conv (grouped, strided, padded) -> depthwise (dilated) -> max / average / global pooling
    const q = { scales: [0.05], zeroPoint: -2 };
    const g = new GraphBuilder();
    const x = g.input("x", DType.I8, [7, 6, 4], q);
    const W = g.constant("W", DType.I8, [6, 3, 3, 2], rng.i8(108), { scales: Array.from({ length: 6 }, () => 0.01) });
    const B = g.constant("b", DType.I32, [6], Int32Array.from({ length: 6 }, () => rng.int(-100, 100)));
    const h = g.act("h", DType.I8, [4, 3, 6], q);
    const Wd = g.constant("Wd", DType.I8, [6, 2, 2, 1], rng.i8(24), { scales: [0.02], zeroPoint: 1 });
    const d = g.act("d", DType.I8, [3, 2, 6], q);
    const p1 = g.act("p1", DType.I8, [2, 1, 6], q);
    const p2 = g.act("p2", DType.I8, [3, 2, 6], { scales: [0.04], zeroPoint: 3 });
    const p3 = g.act("p3", DType.I8, [1, 1, 6], { scales: [0.03], zeroPoint: 0 });
    g.op(Op.Conv2d, [x, W, B], [h], [Activation.Relu, 2, 2, 1, 1, 1, 0, 1, 1, 2])
      .op(Op.Conv2d, [h, Wd], [d], [0, 1, 1, 1, 0, 0, 1, 2, 2, 6])
      .op(Op.MaxPool, [d], [p1], [2, 2, 1, 1, 0, 0, 0, 0])
      .op(Op.AvgPool, [d], [p2], [2, 2, 1, 1, 1, 1, 0, 0, 0])
      .op(Op.GlobalAvgPool, [p2], [p3])
      .output(p1, p3);
    out.push({ name: "int8 conv+pool", bytes: g.encode() });
  }
  {
    // f32 1x1 conv (direct GEMM) -> dilated conv -> average pooling counting padding; dynamic conv
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [5, 5, 3]);
    const W1 = g.constant("W1", DType.F32, [4, 1, 1, 3], rng.f32(12));
    const h = g.act("h", DType.F32, [5, 5, 4]);
    const W2 = g.constant("W2", DType.F32, [2, 2, 3, 4], rng.f32(48));
    const B2 = g.constant("b2", DType.F32, [2], rng.f32(2));
    const c = g.act("c", DType.F32, [3, 2, 2]);
    const y = g.act("y", DType.F32, [3, 2, 2]);
    const W3 = g.constant("W3", DType.I8, [3, 3, 3, 3], rng.i8(81), { scales: [0.02] });
    const z = g.act("z", DType.F32, [3, 3, 3]);
    g.op(Op.Conv2d, [x, W1], [h], [0, 1, 1, 0, 0, 0, 0, 1, 1, 1])
      .op(Op.Conv2d, [h, W2, B2], [c], [Activation.Relu6, 1, 2, 0, 1, 0, 1, 2, 2, 1])
      .op(Op.AvgPool, [c], [y], [2, 1, 1, 1, 1, 0, 0, 0, 1])
      .op(Op.Conv2d, [x, W3], [z], [0, 1, 1, 0, 0, 0, 0, 1, 1, 1])
      .output(y, z);
    out.push({ name: "f32 conv+pool+dynamic", bytes: g.encode() });
  }
  return out;
}

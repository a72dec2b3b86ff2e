// Mutation fuzzing of graphs made of the element-wise, shape and quantization ops: every mutant
// must load or fail with a typed error, run without trapping when it loads, and leak nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, ErrorCode, Format, Header, Op, OpField, TensorField } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { f32bits, resealChecksum } from "../../src/format/writer.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";
import { Rng } from "../helpers/rng.ts";
import { mutate } from "./mutate.ts";

function seeds(): Uint8Array[] {
  const rng = new Rng(5);
  const out: Uint8Array[] = [];
  {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [3, 4, 5]);
    const a = g.act("a", DType.F32, [3, 4, 5]);
    const b = g.act("b", DType.F32, [3, 4, 5]);
    const c = g.act("c", DType.F32, [3, 4, 5]);
    const C = g.constant("C", DType.F32, [5], rng.f32(5));
    const d = g.act("d", DType.F32, [3, 4, 5]);
    const t = g.act("t", DType.F32, [5, 3, 4]);
    const r = g.act("r", DType.F32, [60]);
    const s = g.act("s", DType.F32, [2, 60]);
    const y = g.act("y", DType.F32, [2, 60]);
    g.op(Op.Clip, [x], [a], [f32bits(-1), f32bits(1)]).op(Op.HardSigmoid, [a], [b], [f32bits(0.2), f32bits(0.5)])
      .op(Op.Mul, [b, x], [c], [Activation.Relu]).op(Op.Add, [C, c], [d]).op(Op.Transpose, [d], [t], [2, 0, 1])
      .op(Op.Reshape, [t], [r]).op(Op.Concat, [r, r], [s], [0]).op(Op.Softmax, [s], [y]).output(y);
    out.push(g.encode());
  }
  {
    const q = (s: number, z: number) => ({ scales: [s], zeroPoint: z });
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [4, 6]);
    const xq = g.act("xq", DType.I8, [4, 6], q(0.05, 3));
    const h = g.act("h", DType.I8, [4, 6], q(0.02, -10));
    const B = g.constant("B", DType.I8, [6], rng.i8(6), { scales: rng.f32(6).map((v) => 0.01 + Math.abs(v) * 0.01) });
    const a = g.act("a", DType.I8, [4, 6], q(0.04, 0));
    const m = g.act("m", DType.I8, [4, 6], q(0.01, 5));
    const c = g.act("c", DType.I8, [4, 12], q(0.03, -1));
    const y = g.act("y", DType.F32, [4, 12]);
    g.op(Op.Quantize, [x], [xq]).op(Op.Sigmoid, [xq], [h]).op(Op.Add, [h, B], [a], [Activation.Relu6]).op(Op.Mul, [a, xq], [m])
      .op(Op.Concat, [a, m], [c], [1]).op(Op.Dequantize, [c], [y]).output(y);
    out.push(g.encode());
  }
  {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [3, 8]);
    const S = g.constant("S", DType.F32, [3], Float32Array.from([0.1, 0.2, 0.3]));
    const Z = g.constant("Z", DType.I8, [3], Int8Array.from([1, -2, 3]));
    const q = g.act("q", DType.I8, [3, 8]);
    const d = g.act("d", DType.F32, [3, 8]);
    const y = g.act("y", DType.I8, [3, 8]);
    const s = g.act("s", DType.F32, [1]);
    const z = g.act("z", DType.I8, [1]);
    g.op(Op.Quantize, [x, S, Z], [q], [0]).op(Op.Dequantize, [q, S, Z], [d], [0]).op(Op.DynamicQuantize, [d], [y, s, z]).output(y, s, z);
    out.push(g.encode());
  }
  return out;
}

/** Sets op attributes, tensor dims, scales or zero points to random edge values (valid checksum). */
function mutateFields(seed: Uint8Array, rng: Rng): Uint8Array {
  const b = seed.slice();
  const dv = new DataView(b.buffer);
  const nT = dv.getUint32(Header.NumTensors, true), nO = dv.getUint32(Header.NumOps, true);
  const values = [0, 1, 2, 3, 4, 5, 6, -1, -2, 127, -128, 255, 256, 0x7fffffff, -0x80000000, f32bits(NaN), f32bits(Infinity), f32bits(-1e30), f32bits(0.5)];
  for (let k = rng.int(1, 3); k > 0; k--) {
    const v = values[rng.int(0, values.length - 1)];
    if (rng.next() < 0.5) {
      const o = rng.int(0, nO - 1);
      dv.setInt32(dv.getUint32(Header.OpsOff, true) + o * Format.OpRecordSize + OpField.Attrs + 4 * rng.int(0, 3), v, true);
    } else {
      const t = rng.int(0, nT - 1);
      const rec = dv.getUint32(Header.TensorsOff, true) + t * Format.TensorRecordSize;
      const field = [TensorField.Dims, TensorField.Dims + 4, TensorField.Dims + 8, TensorField.ZeroPoint, TensorField.ScaleCount][rng.int(0, 4)];
      dv.setInt32(rec + field, field === TensorField.ZeroPoint || field === TensorField.ScaleCount ? v : rng.int(1, 9), true);
    }
  }
  resealChecksum(b);
  return b;
}

test("3000 mutated element-wise/shape/quantization graphs: typed errors only, no traps, no leaks", async () => {
  const e = await engine();
  const base = seeds();
  const baseline = e.memoryStats().inUse;
  let loaded = 0;
  const codes = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const rng = new Rng(77_000 + i);
    const bytes = i % 2 ? mutate(base[i % base.length], rng) : mutateFields(base[(i >> 1) % base.length], rng);
    try {
      const m = e.load(bytes);
      loaded++;
      try {
        for (const batch of [1, 2]) {
          const ins = m.inputs.map((io) => {
            const n = batch * io.shape.reduce((a, b) => a * b, 1);
            return io.dtype === DType.I8 ? rng.i8(n) : io.dtype === DType.I32 ? new Int32Array(n) : rng.f32(n, 3);
          });
          if (ins.reduce((a, v) => a + v.length, 0) > 1 << 22) break;
          m.run(ins);
        }
      } finally {
        m.dispose();
      }
    } catch (err) {
      const typed = err instanceof EdgeqError && err.code !== ErrorCode.Aborted && err.code !== ErrorCode.Internal;
      assert.ok(typed, `mutant ${i}: ${(err as Error)?.stack ?? err}`);
      codes.add((err as EdgeqError).codeName);
    }
  }
  assert.is(e.memoryStats().inUse - baseline, 0, "allocator bytes leaked");
  assert.ok(loaded > 0, "some mutants stay valid and must run");
  assert.ok(codes.size >= 5, `rejections over several codes: ${[...codes]}`);
});

test.run();

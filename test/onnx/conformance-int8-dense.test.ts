// ONNX conformance (libonnx-testdata) for the int8 matrix ops, expressed as edgeq Dense graphs:
// B becomes the constant weight (transposed to [N, K]); uint8 tensors shift to int8 exactly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { engine } from "../helpers/engine.ts";
import { asInt8, nodeCase, scalar, transpose2d, zeroPointInt8 } from "./node-data.ts";

/** One QLinearMatMul slice: a [M, K] by b [K, N], per-tensor quantization. */
async function qlinearMatMul(a: Int8Array, M: number, K: number, b: Int8Array, N: number, q: { sa: number; za: number; sb: number; zb: number; sy: number; zy: number }): Promise<Int8Array> {
  const g = new GraphBuilder();
  const x = g.input("a", DType.I8, [K], { scales: [q.sa], zeroPoint: q.za });
  const W = g.constant("b", DType.I8, [N, K], transpose2d(b, K, N), { scales: [q.sb], zeroPoint: q.zb });
  const y = g.act("y", DType.I8, [N], { scales: [q.sy], zeroPoint: q.zy });
  g.op(Op.Dense, [x, W], [y]).output(y);
  const m = (await engine()).load(g.encode());
  try {
    const out = m.run({ a }).y;
    assert.equal(out.shape, [M, N]);
    return out.data as Int8Array;
  } finally {
    m.dispose();
  }
}

function quantOf(c: ReturnType<typeof nodeCase>) {
  const i = c.inputs;
  return {
    sa: scalar(i.a_scale), za: zeroPointInt8(i.a_zero_point),
    sb: scalar(i.b_scale), zb: zeroPointInt8(i.b_zero_point),
    sy: scalar(i.y_scale), zy: zeroPointInt8(i.y_zero_point),
  };
}

test("test_qlinearmatmul_2D: exact", async () => {
  const c = nodeCase("test_qlinearmatmul_2D");
  const [M, K] = c.inputs.a.dims, N = c.inputs.b.dims[1];
  const y = await qlinearMatMul(asInt8(c.inputs.a), M, K, asInt8(c.inputs.b), N, quantOf(c));
  assert.equal(Array.from(y), Array.from(asInt8(c.outputs[0])));
});

test("test_qlinearmatmul_3D: exact, one Dense model per batch slice (B differs per slice)", async () => {
  const c = nodeCase("test_qlinearmatmul_3D");
  const [S, M, K] = c.inputs.a.dims, N = c.inputs.b.dims[2];
  assert.is(c.inputs.b.dims[0], S);
  const a = asInt8(c.inputs.a), b = asInt8(c.inputs.b), want = asInt8(c.outputs[0]);
  for (let s = 0; s < S; s++) {
    const y = await qlinearMatMul(a.subarray(s * M * K, (s + 1) * M * K), M, K, b.subarray(s * K * N, (s + 1) * K * N), N, quantOf(c));
    assert.equal(Array.from(y), Array.from(want.subarray(s * M * N, (s + 1) * M * N)), `slice ${s}`);
  }
});

test("test_matmulinteger: exact int32 accumulators with both zero points", async () => {
  const c = nodeCase("test_matmulinteger");
  const [M, K] = c.inputs.A.dims, N = c.inputs.B.dims[1];
  const g = new GraphBuilder();
  const x = g.input("A", DType.I8, [K], { zeroPoint: zeroPointInt8(c.inputs.a_zero_point) });
  const W = g.constant("B", DType.I8, [N, K], transpose2d(asInt8(c.inputs.B), K, N), { zeroPoint: zeroPointInt8(c.inputs.b_zero_point) });
  const y = g.act("Y", DType.I32, [N]);
  g.op(Op.Dense, [x, W], [y]).output(y);
  const m = (await engine()).load(g.encode());
  const out = m.run({ A: asInt8(c.inputs.A) }).Y;
  m.dispose();
  assert.equal(out.shape, [M, N]);
  assert.equal(Array.from(out.data), Array.from(c.outputs[0].data));
});

test.run();

import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, ErrorCode, Header, Op, TensorField, OpField, Format } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { resealChecksum } from "../../src/format/writer.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { engine } from "../helpers/engine.ts";

function valid(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [3]);
  const W = g.constant("W", DType.F32, [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6));
  const y = g.act("y", DType.F32, [2]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const tensorRec = (b: Uint8Array, t: number) => dv(b).getUint32(Header.TensorsOff, true) + t * Format.TensorRecordSize;
const opRec = (b: Uint8Array, o: number) => dv(b).getUint32(Header.OpsOff, true) + o * Format.OpRecordSize;

async function expectCode(bytes: Uint8Array, code: ErrorCode, what: string) {
  const e = await engine();
  try {
    e.load(bytes).dispose();
  } catch (err) {
    assert.instance(err, EdgeqError, what);
    assert.is((err as EdgeqError).codeName, ErrorCode[code], `${what}: ${(err as Error).message}`);
    assert.ok((err as Error).message.length > 12, "a human message comes with the code");
    return;
  }
  assert.unreachable(`${what} was accepted`);
}

const cases: [string, ErrorCode, (b: Uint8Array) => Uint8Array][] = [
  ["bad magic", ErrorCode.BadMagic, (b) => { b[0] = 0x58; return b; }],
  ["unknown version", ErrorCode.BadVersion, (b) => { dv(b).setUint16(Header.Version, 9, true); return b; }],
  ["truncated", ErrorCode.Truncated, (b) => b.slice(0, b.length - 5)],
  ["shorter than a header", ErrorCode.Truncated, (b) => b.slice(0, 10)],
  ["checksum mismatch", ErrorCode.Checksum, (b) => { b[b.length - 1] ^= 1; return b; }],
  ["unknown flags", ErrorCode.BadHeader, (b) => { dv(b).setUint16(Header.Flags, 1, true); return b; }],
  ["tensor table out of range", ErrorCode.OutOfRange, (b) => { dv(b).setUint32(Header.TensorsOff, 0xfffffff0, true); resealChecksum(b); return b; }],
  ["weights offset beyond the file", ErrorCode.OutOfRange, (b) => { dv(b).setUint32(tensorRec(b, 1) + TensorField.DataOff, 0xfffffff0, true); resealChecksum(b); return b; }],
  ["zero-size dimension", ErrorCode.BadShape, (b) => { dv(b).setUint32(tensorRec(b, 0) + TensorField.Dims, 0, true); resealChecksum(b); return b; }],
  ["dimension that overflows", ErrorCode.Overflow, (b) => { dv(b).setUint32(tensorRec(b, 0) + TensorField.Dims, 0xffffffff, true); resealChecksum(b); return b; }],
  ["inconsistent shapes", ErrorCode.BadShape, (b) => { dv(b).setUint32(tensorRec(b, 2) + TensorField.Dims, 3, true); resealChecksum(b); return b; }],
  ["unknown op", ErrorCode.UnknownOp, (b) => { dv(b).setUint16(opRec(b, 0) + OpField.Code, 999, true); resealChecksum(b); return b; }],
  ["tensor read before it is written", ErrorCode.BadGraph, (b) => { dv(b).setUint16(opRec(b, 0) + OpField.In, 2, true); resealChecksum(b); return b; }],
  ["unknown dtype", ErrorCode.BadTensor, (b) => { b[tensorRec(b, 1) + TensorField.DType] = 9; resealChecksum(b); return b; }],
  ["NaN scale", ErrorCode.BadQuant, (b) => {
    const g = new GraphBuilder();
    const x = g.input("x", DType.F32, [3]);
    const W = g.constant("W", DType.I8, [2, 3], Int8Array.of(1, 2, 3, 4, 5, 6), { scales: [NaN] });
    const y = g.act("y", DType.F32, [2]);
    return g.op(Op.Dense, [x, W], [y]).output(y).encode();
  }],
];

for (const [what, code, corrupt] of cases) {
  test(`${what} → ${ErrorCode[code]}`, async () => {
    await expectCode(corrupt(valid()), code, what);
  });
}

test("after every rejection the engine still serves a loaded model and loads new ones", async () => {
  const e = await engine();
  const keep = e.load(valid());
  for (const [, , corrupt] of cases) {
    try { e.load(corrupt(valid())).dispose(); } catch { /* expected */ }
    assert.equal(Array.from(keep.run([Float32Array.of(1, 1, 1)]).y.data), [6, 15]);
  }
  const fresh = e.load(valid());
  assert.equal(Array.from(fresh.run([Float32Array.of(1, 0, -1)]).y.data), [-2, -2]);
  fresh.dispose();
  keep.dispose();
});

test("wrong input length, dtype, name and a disposed model give clear errors", async () => {
  const e = await engine();
  const m = e.load(valid());
  assert.throws(() => m.run([new Float32Array(4)]), (err: Error) => err instanceof EdgeqError && /multiple of 3/.test(err.message));
  assert.throws(() => m.run([new Int8Array(3)]), (err: Error) => err instanceof EdgeqError && /Float32Array/.test(err.message));
  assert.throws(() => m.run({ z: new Float32Array(3) }), (err: Error) => err instanceof EdgeqError && /missing input "x"/.test(err.message));
  m.dispose();
  assert.throws(() => m.run([new Float32Array(3)]), (err: Error) => err instanceof EdgeqError && err.codeName === "BadHandle");
});

test("several models live side by side with their own activation memory", async () => {
  const e = await engine();
  const models = Array.from({ length: 20 }, () => e.load(valid()));
  models.forEach((m, i) => assert.equal(Array.from(m.run([Float32Array.of(i, 0, 0)]).y.data), [i, 4 * i]));
  const inUse = e.memoryStats().inUse;
  models.forEach((m) => m.dispose());
  assert.ok(e.memoryStats().inUse < inUse, "unloading returns memory");
});

test.run();

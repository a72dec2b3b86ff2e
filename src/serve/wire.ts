// Tensor wire formats shared by every HTTP target (Node gateway, Worker) and their clients.
// No Node-only APIs. Parsing validates everything a request can get wrong and throws WireError
// (an HTTP status plus a message) so targets answer 4xx instead of crashing.
//
// JSON:   {"inputs": {"x": {"shape": [batch, ...], "data": [...], "dtype"?: "float32"}}}
//         (or "inputs": [ {...}, ... ] by position; "shape" optional, batch inferred)
// Binary: content type application/x-edgeq-tensors, little-endian:
//         "EQT1", u32 count, then per tensor: u8 dtype (DType), u8 rank (1..5), u16 nameLen,
//         u32 dims[rank], name (UTF-8), zero padding to 4 bytes, data, zero padding to 4 bytes.
import { DType } from "../../assembly/format/spec.ts";
import type { IoInfo, Tensor, TensorData } from "../runtime/engine.ts";

export const BINARY_TYPE = "application/x-edgeq-tensors";
const MAGIC = 0x31545145; // "EQT1" read as little-endian u32
const MAX_RANK = 5;

export const DTYPE_NAMES: Record<number, string> = { [DType.F32]: "float32", [DType.I8]: "int8", [DType.I32]: "int32" };
const BY_NAME: Record<string, DType> = { float32: DType.F32, int8: DType.I8, int32: DType.I32 };
const SIZE: Record<number, number> = { [DType.F32]: 4, [DType.I8]: 1, [DType.I32]: 4 };

export class WireError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "WireError";
  }
}

/** A named tensor as it travels: full shape including batch. */
export interface WireTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: TensorData;
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function make(dtype: DType, n: number): TensorData {
  return dtype === DType.F32 ? new Float32Array(n) : dtype === DType.I8 ? new Int8Array(n) : new Int32Array(n);
}

/**
 * Matches request tensors to the model's inputs: every input present once, dtype and per-sample
 * shape right, one batch size, f32 finite, int8/int32 in range. Returns data in input order.
 */
export function bindInputs(model: { inputs: IoInfo[] }, given: WireTensor[], maxBatch = 4096): { batch: number; data: TensorData[] } {
  const infos = model.inputs;
  for (const t of given) if (!infos.some((i) => i.name === t.name)) throw new WireError(400, `unknown input "${t.name}"; the model takes ${infos.map((i) => `"${i.name}"`).join(", ")}`);
  let batch = -1;
  const data = infos.map((info) => {
    const hits = given.filter((t) => t.name === info.name);
    if (hits.length !== 1) throw new WireError(400, hits.length ? `input "${info.name}" given twice` : `missing input "${info.name}"`);
    const t = hits[0];
    if (t.dtype !== info.dtype) throw new WireError(400, `input "${info.name}" must be ${DTYPE_NAMES[info.dtype]}, got ${DTYPE_NAMES[t.dtype] ?? t.dtype}`);
    const per = numel(info.shape);
    const b = t.shape.length === 0 ? t.data.length / per : t.shape[0];
    const expect = [b, ...info.shape];
    if (t.shape.length !== 0 && (t.shape.length !== expect.length || t.shape.some((d, i) => d !== expect[i])))
      throw new WireError(400, `input "${info.name}" has shape [${t.shape}]; expected [batch, ${info.shape}]`);
    if (!Number.isInteger(b) || b < 1 || t.data.length !== b * per)
      throw new WireError(400, `input "${info.name}" has ${t.data.length} values; expected batch × ${per} (per-sample shape [${info.shape}])`);
    if (b > maxBatch) throw new WireError(413, `batch ${b} exceeds the limit ${maxBatch}`);
    if (batch !== -1 && b !== batch) throw new WireError(400, `inputs disagree on batch size (${batch} vs ${b})`);
    batch = b;
    if (t.data instanceof Float32Array) {
      for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) throw new WireError(400, `input "${info.name}"[${i}] is ${t.data[i]}; inputs must be finite`);
    }
    return t.data;
  });
  return { batch, data };
}

/** Parses the JSON request body (already size-limited text). */
export function parseJsonRequest(text: string): WireTensor[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new WireError(400, `malformed JSON: ${(e as Error).message}`);
  }
  if (typeof body !== "object" || body === null || !("inputs" in body)) throw new WireError(400, `expected {"inputs": {...}}`);
  const inputs = (body as { inputs: unknown }).inputs;
  if (typeof inputs !== "object" || inputs === null) throw new WireError(400, `"inputs" must be an object or array`);
  const entries: [string | number, unknown][] = Array.isArray(inputs) ? inputs.map((v, i) => [i, v]) : Object.entries(inputs);
  return entries.map(([key, v]) => jsonTensor(key, v));
}

function jsonTensor(key: string | number, v: unknown): WireTensor & { position?: number } {
  const obj = Array.isArray(v) ? { data: v } : v;
  if (typeof obj !== "object" || obj === null) throw new WireError(400, `input ${key} must be an object {"data": [...]} or an array`);
  const { data, shape, dtype, name } = obj as { data?: unknown; shape?: unknown; dtype?: unknown; name?: unknown };
  if (!Array.isArray(data)) throw new WireError(400, `input ${key}: "data" must be an array of numbers`);
  const flat = (data as unknown[]).flat(MAX_RANK) as unknown[];
  if (shape !== undefined && (!Array.isArray(shape) || shape.length < 1 || shape.length > MAX_RANK || !shape.every((d) => Number.isInteger(d) && d >= 1)))
    throw new WireError(400, `input ${key}: "shape" must be 1..${MAX_RANK} positive integers`);
  if (dtype !== undefined && (typeof dtype !== "string" || !(dtype in BY_NAME))) throw new WireError(400, `input ${key}: dtype must be one of ${Object.keys(BY_NAME).join(", ")}`);
  const nm = typeof key === "string" ? key : typeof name === "string" ? name : undefined;
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== "number") throw new WireError(400, `input ${key}[${i}] is ${JSON.stringify(flat[i])}, not a number`);
  }
  return { name: nm ?? `#${key}`, position: typeof key === "number" ? key : undefined, dtype: (dtype ? BY_NAME[dtype as string] : -1) as DType, shape: (shape as number[]) ?? [], data: flat as unknown as TensorData };
}

/** JSON values carry no dtype: convert them to the model input's dtype, checking the range. */
export function typeJsonInputs(model: { inputs: IoInfo[] }, given: (WireTensor & { position?: number })[]): WireTensor[] {
  return given.map((t) => {
    const info = t.position !== undefined ? model.inputs[t.position] : model.inputs.find((i) => i.name === t.name);
    if (!info) return t.position !== undefined ? (() => { throw new WireError(400, `the model takes ${model.inputs.length} input(s), got position ${t.position}`); })() : t;
    const dtype = (t.dtype as number) === -1 ? info.dtype : t.dtype;
    const src = t.data as unknown as number[];
    const out = make(dtype, src.length);
    const [lo, hi] = dtype === DType.I8 ? [-128, 127] : dtype === DType.I32 ? [-(2 ** 31), 2 ** 31 - 1] : [-Infinity, Infinity];
    for (let i = 0; i < src.length; i++) {
      const x = src[i];
      if (dtype !== DType.F32 && (!Number.isInteger(x) || x < lo || x > hi)) throw new WireError(400, `input "${info.name}"[${i}] = ${x} is not an ${DTYPE_NAMES[dtype]} value`);
      out[i] = x;
    }
    return { name: info.name, dtype, shape: t.shape, data: out };
  });
}

/** Parses a binary tensor frame. Every length is checked against the buffer before reading. */
export function decodeTensors(buf: Uint8Array): WireTensor[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const need = (end: number) => {
    if (end > buf.byteLength) throw new WireError(400, `binary tensors truncated: need ${end} bytes, have ${buf.byteLength}`);
  };
  need(8);
  if (dv.getUint32(0, true) !== MAGIC) throw new WireError(400, `binary body does not start with "EQT1"`);
  const count = dv.getUint32(4, true);
  if (count > 64) throw new WireError(400, `binary body declares ${count} tensors (at most 64)`);
  let off = 8;
  const out: WireTensor[] = [];
  for (let t = 0; t < count; t++) {
    need(off + 4);
    const dtype = dv.getUint8(off), rank = dv.getUint8(off + 1), nameLen = dv.getUint16(off + 2, true);
    if (!(dtype in SIZE)) throw new WireError(400, `tensor ${t}: unknown dtype ${dtype}`);
    if (rank < 1 || rank > MAX_RANK) throw new WireError(400, `tensor ${t}: rank ${rank} outside 1..${MAX_RANK}`);
    off += 4;
    need(off + 4 * rank + nameLen);
    const shape = Array.from({ length: rank }, (_, i) => dv.getUint32(off + 4 * i, true));
    off += 4 * rank;
    const name = new TextDecoder("utf-8", { fatal: false }).decode(buf.subarray(off, off + nameLen));
    off = (off + nameLen + 3) & ~3;
    const n = numel(shape);
    const bytes = n * SIZE[dtype];
    if (shape.some((d) => d < 1) || !Number.isSafeInteger(bytes)) throw new WireError(400, `tensor "${name}": bad shape [${shape}]`);
    need(off + bytes);
    const data = make(dtype, n);
    new Uint8Array(data.buffer).set(buf.subarray(off, off + bytes)); // copy: the body may be unaligned
    off = (off + bytes + 3) & ~3;
    out.push({ name, dtype, shape, data });
  }
  return out;
}

/** Serializes tensors into the binary frame (used for responses and by clients). */
export function encodeTensors(tensors: WireTensor[]): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const names = tensors.map((t) => enc.encode(t.name));
  let size = 8;
  tensors.forEach((t, i) => {
    size += 4 + 4 * t.shape.length;
    size = (size + names[i].length + 3) & ~3;
    size = (size + t.data.byteLength + 3) & ~3;
  });
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, tensors.length, true);
  let off = 8;
  tensors.forEach((t, i) => {
    dv.setUint8(off, t.dtype);
    dv.setUint8(off + 1, t.shape.length);
    dv.setUint16(off + 2, names[i].length, true);
    off += 4;
    t.shape.forEach((d, j) => dv.setUint32(off + 4 * j, d, true));
    off += 4 * t.shape.length;
    buf.set(names[i], off);
    off = (off + names[i].length + 3) & ~3;
    buf.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), off);
    off = (off + t.data.byteLength + 3) & ~3;
  });
  return buf;
}

/** Outputs as JSON: f32 values print as the shortest decimal that reads back to the same float. */
export function outputsToJson(outputs: Record<string, Tensor>): Record<string, { dtype: string; shape: number[]; data: number[] }> {
  const out: Record<string, { dtype: string; shape: number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(outputs)) out[name] = { dtype: DTYPE_NAMES[t.dtype], shape: t.shape, data: Array.from(t.data) };
  return out;
}

export function outputsToWire(outputs: Record<string, Tensor>): WireTensor[] {
  return Object.entries(outputs).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, data: t.data }));
}

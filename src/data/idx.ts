// IDX files (the MNIST / Fashion-MNIST container), optionally gzip-compressed.
import { readFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function readIdx(path: string): IdxArray {
  let buf = readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint16(0) !== 0 || dv.getUint8(2) !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file`);
  const rank = dv.getUint8(3);
  const dims = Array.from({ length: rank }, (_, i) => dv.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const off = 4 + 4 * rank;
  if (buf.length < off + n) throw new Error(`${path}: truncated IDX file`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + off, n) };
}

export function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

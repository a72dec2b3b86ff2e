// The inverse of src/format/encodings.ts: a constant tensor's values as plain row-major arrays,
// whatever its encoding. Host tools (export, inspect) use it; kernels decode on their own.
import { DType, Encoding } from "../../assembly/format/spec.ts";
import type { TensorSpec } from "./writer.ts";

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function bytes(d: TensorSpec["aux"]): Uint8Array {
  if (!d) return new Uint8Array();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Row-major values of a constant ([N][K] with K = numel / N), as f32 or int8. */
export function denseWeights(t: TensorSpec): Float32Array | Int8Array | Int32Array {
  const n = numel(t.shape);
  const enc = t.encoding ?? Encoding.Dense;
  const make = (len: number) => (t.dtype === DType.I8 ? new Int8Array(len) : new Float32Array(len));
  const values = (d: TensorSpec["data"]) => {
    const b = bytes(d);
    if (t.dtype === DType.I8) return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
    if (t.dtype === DType.I32) return new Int32Array(b.slice().buffer);
    return new Float32Array(b.slice().buffer);
  };
  if (enc === Encoding.Dense) return values(t.data).slice(0, n);
  const N = t.shape[0], K = n / N;
  const out = make(n);
  if (enc === Encoding.Csr) {
    const v = values(t.data), aux = bytes(t.aux).slice();
    const rowPtr = new Uint32Array(aux.buffer, 0, N + 1), cols = new Uint16Array(aux.buffer, 4 * (N + 1), rowPtr[N]);
    for (let r = 0; r < N; r++) for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) out[r * K + cols[j]] = v[j];
    return out;
  }
  if (enc === Encoding.Nm24) {
    const v = values(t.data), aux = bytes(t.aux), idxRow = Math.ceil(K / 8);
    for (let r = 0; r < N; r++)
      for (let g = 0; g < K / 4; g++) {
        const nib = (aux[r * idxRow + (g >> 1)] >> ((g & 1) * 4)) & 15;
        out[r * K + 4 * g + (nib & 3)] = v[(r * K) / 2 + 2 * g];
        out[r * K + 4 * g + (nib >> 2)] = v[(r * K) / 2 + 2 * g + 1];
      }
    return out;
  }
  if (enc === Encoding.Codebook) {
    const idx = bytes(t.data), bits = t.bits ?? 8, rowBytes = Math.ceil((K * bits) / 8);
    const cb = t.dtype === DType.I8 ? new Int8Array(bytes(t.aux).slice().buffer) : new Float32Array(bytes(t.aux).slice().buffer);
    for (let r = 0; r < N; r++)
      for (let k = 0; k < K; k++) {
        const bit = k * bits;
        out[r * K + k] = cb[(idx[r * rowBytes + (bit >> 3)] >> (bit & 7)) & ((1 << bits) - 1)];
      }
    return out;
  }
  throw new Error(`tensor ${t.name}: unknown encoding ${enc}`);
}

/** Payload bytes a tensor occupies in the container (data, aux and scales). */
export function storedBytes(t: TensorSpec): number {
  return (t.data?.byteLength ?? 0) + (t.aux?.byteLength ?? 0) + 4 * (t.scales?.length ?? 0);
}

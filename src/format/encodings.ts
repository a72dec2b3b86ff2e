// Host-side encoders for the compressed weight layouts of docs/format.md. They take plain
// row-major [N][K] weights and return the `data`/`aux` payloads the writer stores.
import { DType, Encoding } from "../../assembly/format/spec.ts";
import type { TensorSpec } from "./writer.ts";

type Weights = Int8Array | Float32Array;

function like(w: Weights, n: number): Weights {
  return w instanceof Int8Array ? new Int8Array(n) : new Float32Array(n);
}

const dtypeOf = (w: Weights) => (w instanceof Int8Array ? DType.I8 : DType.F32);

/** Unstructured sparse: zeros dropped, rows as CSR with u16 column indices. */
export function csr(w: Weights, N: number, K: number): Pick<TensorSpec, "data" | "aux" | "encoding" | "dtype"> {
  if (K > 65535) throw new RangeError("CSR rows are limited to 65535 columns");
  let nnz = 0;
  for (const v of w) if (v !== 0) nnz++;
  const values = like(w, nnz);
  const aux = new Uint8Array(4 * (N + 1) + 2 * nnz);
  const rowPtr = new Uint32Array(aux.buffer, 0, N + 1);
  const cols = new Uint16Array(aux.buffer, 4 * (N + 1), nnz);
  let j = 0;
  for (let n = 0; n < N; n++) {
    rowPtr[n] = j;
    for (let k = 0; k < K; k++) {
      const v = w[n * K + k];
      if (v !== 0) { values[j] = v; cols[j] = k; j++; }
    }
  }
  rowPtr[N] = j;
  return { data: values, aux, encoding: Encoding.Csr, dtype: dtypeOf(w) };
}

/**
 * 2:4 structured sparse. Each group of four must hold at most two nonzeros; when it holds fewer,
 * zeros are stored in the free slots (indices stay strictly increasing).
 */
export function nm24(w: Weights, N: number, K: number): Pick<TensorSpec, "data" | "aux" | "encoding" | "dtype"> {
  if (K % 4 !== 0) throw new RangeError("2:4 needs K to be a multiple of 4");
  const values = like(w, (N * K) / 2);
  const idxRow = Math.ceil(K / 8);
  const aux = new Uint8Array(N * idxRow);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < K / 4; g++) {
      const base = n * K + 4 * g;
      const nz = [0, 1, 2, 3].filter((i) => w[base + i] !== 0);
      if (nz.length > 2) throw new RangeError(`row ${n} group ${g} has ${nz.length} nonzeros; 2:4 allows 2`);
      for (let i = 0; nz.length < 2 && i < 4; i++) if (!nz.includes(i)) nz.push(i);
      nz.sort((a, b) => a - b);
      values[(n * K) / 2 + 2 * g] = w[base + nz[0]];
      values[(n * K) / 2 + 2 * g + 1] = w[base + nz[1]];
      aux[n * idxRow + (g >> 1)] |= (nz[0] | (nz[1] << 2)) << ((g & 1) * 4);
    }
  }
  return { data: values, aux, encoding: Encoding.Nm24, dtype: dtypeOf(w) };
}

/** Codebook: `indices` (one per weight, row-major [N][K]) into `centroids`, packed `bits` wide. */
export function codebook(indices: ArrayLike<number>, centroids: Weights, bits: 1 | 2 | 4 | 8, N: number, K: number): Pick<TensorSpec, "data" | "aux" | "encoding" | "dtype" | "bits"> {
  if (centroids.length > 1 << bits) throw new RangeError(`${centroids.length} centroids do not fit ${bits}-bit indices`);
  const rowBytes = Math.ceil((K * bits) / 8);
  const data = new Uint8Array(N * rowBytes);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const v = indices[n * K + k];
      if (v < 0 || v >= centroids.length) throw new RangeError(`index ${v} outside the codebook`);
      const bit = k * bits;
      data[n * rowBytes + (bit >> 3)] |= v << (bit & 7);
    }
  return { data, aux: centroids, encoding: Encoding.Codebook, dtype: dtypeOf(centroids), bits };
}

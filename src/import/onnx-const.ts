// Constant folding for the ONNX importer: the shape arithmetic exporters emit around Reshape
// (Shape -> Gather/Slice -> Unsqueeze -> Concat), elementwise math on constants, and broadcasting
// of constant operands. Values are kept as f64 (ints) or f32 (floats) arrays with ONNX dims.
import { OnnxType, type OnnxArray, type OnnxTensor } from "../onnx/proto.ts";

/**
 * Stands for the run-time batch size inside folded shape tensors (Shape of an activation).
 * Far outside any real dim, survives Gather/Slice/Concat/Cast, and Reshape recognises it.
 */
export const BATCH = -1e15;

export const numel = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export function isFloatType(type: number): boolean {
  return type === OnnxType.FLOAT || type === OnnxType.DOUBLE;
}

export function constOf(type: number, dims: number[], data: ArrayLike<number>, name = ""): OnnxTensor {
  const arr: OnnxArray = isFloatType(type) ? Float32Array.from(data) : Float64Array.from(data);
  return { name, type: isFloatType(type) ? OnnxType.FLOAT : type, dims, data: arr };
}

/** Row-major strides. */
export function strides(dims: number[]): number[] {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** Numpy-style broadcast of two shapes; null when incompatible. */
export function broadcastShape(a: number[], b: number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Expands `data` of shape `dims` to `target` (numpy broadcasting). */
export function broadcastTo(data: ArrayLike<number>, dims: number[], target: number[]): Float64Array {
  const r = target.length;
  const padded = [...new Array(r - dims.length).fill(1), ...dims];
  const st = strides(padded);
  const out = new Float64Array(numel(target));
  const idx = new Array(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) if (padded[i] !== 1) src += idx[i] * st[i];
    out[o] = data[src];
    for (let i = r - 1; i >= 0; i--) { if (++idx[i] < target[i]) break; idx[i] = 0; }
  }
  return out;
}

export function elementwise(a: OnnxTensor, b: OnnxTensor, f: (x: number, y: number) => number): OnnxTensor {
  const shape = broadcastShape(a.dims, b.dims);
  if (!shape) throw new Error(`cannot broadcast [${a.dims}] with [${b.dims}]`);
  const x = broadcastTo(a.data, a.dims, shape), y = broadcastTo(b.data, b.dims, shape);
  const integer = !isFloatType(a.type);
  return constOf(a.type, shape, x.map((v, i) => (integer ? Math.trunc(f(v, y[i])) : f(v, y[i]))));
}

/** Permutes a constant: out dims are dims[perm[i]]. */
export function permute(data: ArrayLike<number>, dims: number[], perm: number[]): Float64Array {
  const st = strides(dims);
  const outDims = perm.map((p) => dims[p]);
  const out = new Float64Array(numel(dims));
  const idx = new Array(dims.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i] * st[perm[i]];
    out[o] = data[src];
    for (let i = outDims.length - 1; i >= 0; i--) { if (++idx[i] < outDims[i]) break; idx[i] = 0; }
  }
  return out;
}

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

export function gather(x: OnnxTensor, indices: OnnxTensor, axis: number): OnnxTensor {
  const ax = normAxis(axis, x.dims.length);
  const outer = numel(x.dims.slice(0, ax)), inner = numel(x.dims.slice(ax + 1)), n = x.dims[ax];
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const raw of Array.from(indices.data)) {
      const i = raw < 0 ? raw + n : raw;
      if (i < 0 || i >= n) throw new Error(`Gather index ${raw} out of range`);
      for (let k = 0; k < inner; k++) out.push(x.data[(o * n + i) * inner + k]);
    }
  return constOf(x.type, [...x.dims.slice(0, ax), ...indices.dims, ...x.dims.slice(ax + 1)], out);
}

export function slice(x: OnnxTensor, starts: number[], ends: number[], axes: number[], steps: number[]): OnnxTensor {
  const r = x.dims.length;
  const lo = new Array(r).fill(0), step = new Array(r).fill(1), count = [...x.dims];
  axes.forEach((a0, j) => {
    const a = normAxis(a0, r), n = x.dims[a], s = steps[j] ?? 1;
    if (s === 0) throw new Error("Slice step 0");
    const clampIdx = (v: number, forStart: boolean) => {
      if (v < 0) v += n;
      return s > 0 ? Math.min(Math.max(v, 0), n) : Math.min(Math.max(v, -1), forStart ? n - 1 : n - 1);
    };
    const b = clampIdx(starts[j], true), e = clampIdx(ends[j], false);
    lo[a] = b;
    step[a] = s;
    count[a] = Math.max(0, s > 0 ? Math.ceil((e - b) / s) : Math.ceil((b - e) / -s));
  });
  const st = strides(x.dims);
  const out: number[] = [];
  const idx = new Array(r).fill(0);
  const total = numel(count);
  for (let o = 0; o < total; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += (lo[i] + idx[i] * step[i]) * st[i];
    out.push(x.data[src]);
    for (let i = r - 1; i >= 0; i--) { if (++idx[i] < count[i]) break; idx[i] = 0; }
  }
  return constOf(x.type, count, out);
}

export function concat(xs: OnnxTensor[], axis: number): OnnxTensor {
  const r = xs[0].dims.length, ax = normAxis(axis, r);
  const outer = numel(xs[0].dims.slice(0, ax));
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const x of xs) {
      const block = numel(x.dims.slice(ax));
      for (let k = 0; k < block; k++) out.push(x.data[o * block + k]);
    }
  const dims = [...xs[0].dims];
  dims[ax] = xs.reduce((s, x) => s + x.dims[ax], 0);
  return constOf(xs[0].type, dims, out);
}

export function unsqueezeDims(dims: number[], axes: number[]): number[] {
  const r = dims.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, r)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(set.has(i) ? 1 : dims[j++]);
  return out;
}

export function squeezeDims(dims: number[], axes: number[] | null): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const set = new Set(axes.map((a) => normAxis(a, dims.length)));
  return dims.filter((_, i) => !set.has(i));
}

/** Resolves a Reshape target (0 copies the input dim, one -1 is inferred) against `dims`. */
export function reshapeDims(dims: number[], target: number[], allowZero = false): number[] {
  const out = target.map((t, i) => (t === 0 && !allowZero ? dims[i] : t));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) throw new Error(`Reshape target [${target}] has more than one -1`);
  if (minus === 1) out[out.indexOf(-1)] = numel(dims) / known;
  if (numel(out) !== numel(dims) || out.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`cannot reshape [${dims}] to [${target}]`);
  return out;
}

/**
 * A constant that broadcasts against an output of full ONNX rank `rank` and varies only along
 * `axis` (size C), as a per-channel vector; null when it varies along any other axis.
 */
export function perChannel(c: OnnxTensor, rank: number, axis: number, C: number): Float64Array | null {
  if (c.dims.length > rank) return null;
  const padded = [...new Array(rank - c.dims.length).fill(1), ...c.dims];
  for (let i = 0; i < rank; i++) if (i !== axis && padded[i] !== 1) return null;
  if (padded[axis] !== 1 && padded[axis] !== C) return null;
  return Float64Array.from({ length: C }, (_, i) => c.data[padded[axis] === 1 ? 0 : i]);
}

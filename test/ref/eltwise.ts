// Scalar references for the element-wise, shape and quantization ops, written from the ONNX
// operator definitions in f64 (never from the kernels).
import { Op } from "../../assembly/format/spec.ts";
import { roundHalfEven, saturate } from "./index.ts";

/** ONNX definitions of the unary ops; p0/p1 are Clip's min/max or HardSigmoid's alpha/beta. */
export function unaryRef(op: Op, x: number, p0 = 0, p1 = 0): number {
  switch (op) {
    case Op.Relu: return Math.max(0, x);
    case Op.Clip: return Math.min(p1, Math.max(p0, x));
    case Op.Sigmoid: return 1 / (1 + Math.exp(-x));
    case Op.Tanh: return Math.tanh(x);
    case Op.HardSigmoid: return Math.max(0, Math.min(1, p0 * x + p1));
    case Op.HardSwish: return x * Math.max(0, Math.min(1, x / 6 + 0.5));
    default: throw new Error(`no reference for op ${op}`);
  }
}

/** ONNX DequantizeLinear (result in f32). */
export const dequantize = (q: number, scale: number, zp: number) => Math.fround((q - zp) * Math.fround(scale));

/**
 * QuantizeLinear of an exact (f64) value, and whether it lies within 1e-12 relative (plus
 * `band` absolute, in output units) of a rounding tie, where a different but equally valid
 * evaluation order could round the other way.
 */
export function quantizeExact(y: number, scale: number, zp: number, band = 1e-15): { v: number; nearTie: boolean } {
  const p = y / Math.fround(scale);
  if (Number.isNaN(p)) return { v: zp, nearTie: false };
  const frac = p - Math.floor(p);
  const nearTie = Math.abs(frac - 0.5) <= Math.abs(p) * 1e-12 + band;
  return { v: saturate(roundHalfEven(p) + zp), nearTie };
}

/** Softmax over the last axis of rows × n, in f64. */
export function softmaxRef(x: ArrayLike<number>, rows: number, n: number): Float64Array {
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let i = 0; i < n; i++) mx = Math.max(mx, x[r * n + i]);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[r * n + i] - mx);
    for (let i = 0; i < n; i++) y[r * n + i] = Math.exp(x[r * n + i] - mx) / s;
  }
  return y;
}

/** Row-major strides of a shape. */
export function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** ONNX Transpose of one tensor: out dims[i] = in dims[perm[i]]. */
export function transposeRef<T extends ArrayLike<number>>(x: T, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const inStr = strides(shape);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let i = 0; i < outShape.length; i++) src += idx[i] * inStr[perm[i]];
    out[o] = x[src];
    for (let i = outShape.length - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** ONNX Concat of tensors (full shapes) along `axis`. */
export function concatRef(parts: { data: ArrayLike<number>; shape: number[] }[], axis: number): number[] {
  const outer = parts[0].shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const p of parts) {
      const chunk = p.shape.slice(axis).reduce((a, b) => a * b, 1);
      for (let i = 0; i < chunk; i++) out.push(p.data[o * chunk + i]);
    }
  return out;
}

/**
 * ONNX DynamicQuantizeLinear (uint8) on one sample, mapped to int8: y_i8 = y_u8 - 128,
 * zp_i8 = zp_u8 - 128. f32 arithmetic as the definition.
 */
export function dynamicQuantizeRef(x: ArrayLike<number>): { y: number[]; scale: number; zp: number } {
  let lo = 0, hi = 0;
  for (let i = 0; i < x.length; i++) { lo = Math.min(lo, x[i]); hi = Math.max(hi, x[i]); }
  const f = Math.fround;
  let scale = f(f(hi - lo) / 255);
  if (scale === 0) scale = 1; // all-zero input: any scale represents it; ORT uses 1
  const zpU8 = saturate(roundHalfEven(f((0 - lo) / scale)), 0, 255);
  const y = Array.from(x, (v) => saturate(roundHalfEven(f(v / scale)) + zpU8, 0, 255) - 128);
  return { y, scale, zp: zpU8 - 128 };
}

/** numpy-style broadcasting of b (shape bShape) against a (shape aShape, the larger). */
export function broadcastRef(a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[], fn: (x: number, y: number) => number): Float64Array {
  const n = aShape.reduce((p, d) => p * d, 1);
  const bs = [...new Array(aShape.length - bShape.length).fill(1), ...bShape];
  const bStr = strides(bs);
  const idx = new Array<number>(aShape.length).fill(0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let j = 0;
    for (let d = 0; d < aShape.length; d++) j += (bs[d] === 1 ? 0 : idx[d]) * bStr[d];
    out[i] = fn(a[i], b[j]);
    for (let d = aShape.length - 1; d >= 0; d--) {
      if (++idx[d] < aShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Quantized-domain bounds of a fused activation (0 none, 1 ReLU, 2 ReLU6) on an int8 output. */
export function actBounds(act: number, sy: number, zy: number): [number, number] {
  const lo = act === 0 ? -128 : Math.max(-128, zy);
  const hi = act === 2 ? Math.max(lo, Math.min(127, roundHalfEven(6 / Math.fround(sy)) + zy)) : 127;
  return [lo, hi];
}

// 256-entry int8 -> int8 lookup tables, built once at load: the run-time int8 path of unary ops
// and of requantizing copies is then table lookups only, bit-identical on every host.
import { unary64 } from "../math/activations";

/** ONNX QuantizeLinear of an f64 value: saturate(round_half_even(y / scale) + zp); NaN -> zp. */
@inline export function quantizeF64(y: f64, scale: f32, zp: i32): i32 {
  const q = nearest<f64>(y / <f64>scale);
  if (q != q) return zp;
  const v = q + <f64>zp;
  return v < -128 ? -128 : v > 127 ? 127 : <i32>v;
}

/**
 * lut[u8(q)] = quantize(f(dequantize(q))) for every int8 q: dequantization in f32 as ONNX
 * DequantizeLinear, f and the quantization in f64. Indexed by the input byte as unsigned.
 */
export function buildLutI8(lut: usize, sx: f32, zx: i32, sy: f32, zy: i32, op: i32, p0: f64, p1: f64): void {
  for (let q: i32 = -128; q < 128; q++) {
    const x = <f64>(<f32>(q - zx) * sx);
    store<i8>(lut + <usize>(q & 255), <i8>quantizeF64(unary64(op, x, p0, p1), sy, zy));
  }
}

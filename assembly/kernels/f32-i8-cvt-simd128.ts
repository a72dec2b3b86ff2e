// ONNX QuantizeLinear f32 -> int8: y = saturate(round_half_even(x / scale) + zp), NaN -> zp.
// The vector body gives the same bits as quantizeF32 (quant/requant.ts), which the tail uses:
// the rounded quotient is clamped to +-256 before the int conversion so adding zp cannot wrap,
// NaN survives min/max and truncates to 0 (so it becomes zp), and the narrowing saturates.
import { quantizeF32 } from "../quant/requant";

export function f32_i8_cvt(x: usize, n: usize, scale: f32, zp: i32, y: usize): void {
  const vs = f32x4.splat(scale), vzp = i32x4.splat(zp);
  const lo = f32x4.splat(-256), hi = f32x4.splat(256);
  let i: usize = 0;
  const n16 = n & ~<usize>15;
  for (; i < n16; i += 16) {
    const p = x + (i << 2);
    const a = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.min(f32x4.nearest(f32x4.div(v128.load(p), vs)), hi), lo)), vzp);
    const b = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.min(f32x4.nearest(f32x4.div(v128.load(p, 16), vs)), hi), lo)), vzp);
    const c = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.min(f32x4.nearest(f32x4.div(v128.load(p, 32), vs)), hi), lo)), vzp);
    const d = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.max(f32x4.min(f32x4.nearest(f32x4.div(v128.load(p, 48), vs)), hi), lo)), vzp);
    v128.store(y + i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
  }
  for (; i < n; i++) store<i8>(y + i, <i8>quantizeF32(load<f32>(x + (i << 2)), scale, zp));
}

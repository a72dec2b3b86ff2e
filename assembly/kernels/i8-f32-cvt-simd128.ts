// ONNX DequantizeLinear int8 -> f32: y = f32(q - zp) * scale (exact integer, one rounding).

export function i8_f32_cvt(x: usize, n: usize, scale: f32, zp: i32, y: usize): void {
  const vs = f32x4.splat(scale), vzp = i32x4.splat(zp);
  let i: usize = 0;
  const n16 = n & ~<usize>15;
  for (; i < n16; i += 16) {
    const q = v128.load(x + i);
    const lo = i16x8.extend_low_i8x16_s(q), hi = i16x8.extend_high_i8x16_s(q);
    const p = y + (i << 2);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(lo), vzp)), vs));
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(lo), vzp)), vs), 16);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_low_i16x8_s(hi), vzp)), vs), 32);
    v128.store(p, f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(i32x4.extend_high_i16x8_s(hi), vzp)), vs), 48);
  }
  for (; i < n; i++) store<f32>(y + (i << 2), <f32>(<i32>load<i8>(x + i) - zp) * scale);
}

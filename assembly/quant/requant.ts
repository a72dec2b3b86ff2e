// Fixed-point requantization: real multipliers become (mult, shift) once at load, so the int8
// inner path uses only integer arithmetic and gives the same bits on every host.

/** Splits real > 0 into mult in [2^30, 2^31) and shift with real ~= mult * 2^-shift. */
export function quantizeMultiplier(real: f64, out: usize): void {
  let shift: i32 = 0;
  let r = real;
  if (!(r > 0) || !isFinite(r)) {
    store<i32>(out, 0);
    store<i32>(out, 0, 4);
    return;
  }
  while (r < 1073741824.0) { r *= 2; shift++; } // 2^30
  while (r >= 2147483648.0) { r /= 2; shift--; } // 2^31
  let mult = <i64>nearest(r);
  if (mult == 2147483648) { mult = 1073741824; shift--; }
  store<i32>(out, <i32>mult);
  store<i32>(out, shift, 4);
}

// Saturation bound of mulShiftRound: far outside int8 yet leaves room to add a zero point
// (or any int8-sized offset) in i32 without wrapping.
const SAT: i64 = 1 << 30;

/** round_half_to_even(acc * mult * 2^-shift), saturated to +-2^30. */
@inline export function mulShiftRound(acc: i32, mult: i32, shift: i32): i32 {
  const prod = <i64>acc * <i64>mult;
  if (shift <= 0) {
    if (prod == 0) return 0;
    return prod > 0 ? <i32>SAT : <i32>-SAT;
  }
  if (shift >= 63) return 0;
  const q = prod >> shift;
  const rem = prod - (q << shift);
  const half = <i64>1 << (shift - 1);
  let r = q;
  if (rem > half || (rem == half && (q & 1) != 0)) r++;
  if (r > SAT) return <i32>SAT;
  if (r < -SAT) return <i32>-SAT;
  return <i32>r;
}

@inline export function clampI8(v: i32, lo: i32, hi: i32): i32 {
  return v < lo ? lo : v > hi ? hi : v;
}

/** ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp). NaN maps to the zero point. */
@inline export function quantizeF32(x: f32, scale: f32, zp: i32): i32 {
  const q = nearest<f32>(x / scale);
  if (q != q) return zp;
  const v = <f64>q + <f64>zp;
  return v < -128 ? -128 : v > 127 ? 127 : <i32>v;
}

/** Quantizes one f32 row per ONNX DynamicQuantizeLinear (range widened to include 0) into xq; returns the scale, zero point in zp. */
export function quantizeDynamicRow(xr: usize, K: i32, xq: usize, zp: usize): f32 {
  // the range in f32x4 lanes (f32x4.min/max are f32.min/max per lane, and min/max do not depend
  // on the order they are taken in), then the lanes and the tail
  const K4 = K & ~3;
  let lo4 = f32x4.splat(0), hi4 = f32x4.splat(0);
  for (let k = 0; k < K4; k += 4) {
    const v = v128.load(xr + (<usize>k << 2));
    lo4 = f32x4.min(lo4, v);
    hi4 = f32x4.max(hi4, v);
  }
  let lo = min<f32>(min<f32>(f32x4.extract_lane(lo4, 0), f32x4.extract_lane(lo4, 1)), min<f32>(f32x4.extract_lane(lo4, 2), f32x4.extract_lane(lo4, 3)));
  let hi = max<f32>(max<f32>(f32x4.extract_lane(hi4, 0), f32x4.extract_lane(hi4, 1)), max<f32>(f32x4.extract_lane(hi4, 2), f32x4.extract_lane(hi4, 3)));
  for (let k = K4; k < K; k++) {
    const v = load<f32>(xr + (<usize>k << 2));
    lo = min<f32>(lo, v);
    hi = max<f32>(hi, v);
  }
  let scale: f32 = (hi - lo) / 255;
  let zx: i32 = 0;
  if (scale > 0 && isFinite(scale)) {
    const z = nearest<f32>(-lo / scale) - 128;
    zx = <i32>max<f32>(-128, min<f32>(127, z));
  } else scale = 1;
  // quantizeF32 in lanes: q + zp in f32 is exact while |q| < 2^24 and clamps the same beyond;
  // NaN lanes take the zero point
  const sV = f32x4.splat(scale), zV = f32x4.splat(<f32>zx);
  const loV = f32x4.splat(-128), hiV = f32x4.splat(127);
  for (let k = 0; k < K4; k += 4) {
    const q = f32x4.nearest(f32x4.div(v128.load(xr + (<usize>k << 2)), sV));
    const v = v128.bitselect(f32x4.max(f32x4.min(f32x4.add(q, zV), hiV), loV), zV, f32x4.eq(q, q));
    const i = i32x4.trunc_sat_f32x4_s(v);
    const h = i16x8.narrow_i32x4_s(i, i);
    v128.store32_lane(xq + <usize>k, i8x16.narrow_i16x8_s(h, h), 0);
  }
  for (let k = K4; k < K; k++) store<i8>(xq + <usize>k, <i8>quantizeF32(load<f32>(xr + (<usize>k << 2)), scale, zx));
  store<i32>(zp, zx);
  return scale;
}

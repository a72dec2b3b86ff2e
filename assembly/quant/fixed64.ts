// 64-bit fixed point for int8 Add and Mul: real factors become integers scaled by 2^E once at
// load (in f64), so the run-time path is integer adds/multiplies and one rounding shift. With
// ~52 significant bits it is far tighter than the 31-bit multipliers of requant.ts, which
// matters because Add sums two independently rounded terms.

/**
 * The largest E in [1, 62] with maxMagnitude * 2^E <= 2^52 (so every scaled table entry is an
 * exactly representable f64 integer), or -1 when even E = 1 does not fit.
 */
export function fixedExponent(maxMagnitude: f64): i32 {
  const limit: f64 = 4503599627370496.0; // 2^52
  if (!(maxMagnitude * 2 <= limit)) return -1;
  let e: i32 = 1;
  let v = maxMagnitude * 2;
  while (e < 62 && v * 2 <= limit) { v *= 2; e++; }
  return e;
}

/** nearest integer of real * 2^e (load time only). */
@inline export function toFixed(real: f64, e: i32): i64 {
  return <i64>nearest<f64>(real * reinterpret<f64>(<i64>(1023 + e) << 52)); // exact 2^e
}

/**
 * round_half_to_even(v * 2^-e) for e in [1, 62], branch-free: adding 2^(e-1) - 1 plus the
 * lowest kept bit rounds ties toward the even neighbour before the flooring shift.
 */
@inline export function roundShiftI64(v: i64, e: i32): i64 {
  const half1 = (<i64>1 << (e - 1)) - 1;
  return (v + half1 + ((v >> e) & 1)) >> e;
}

@inline export function saturateI8(v: i64, lo: i32, hi: i32): i32 {
  return v < <i64>lo ? lo : v > <i64>hi ? hi : <i32>v;
}

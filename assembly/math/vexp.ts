// Vector exp for non-positive f32 arguments (all that Sigmoid, Tanh and Softmax need), built from
// plain SIMD128 multiplies and adds in a fixed order (no fused ops), so every host gives the same
// bits. exp(z) = 2^n * p(r) with n = round(z / ln2), r = z - n ln2 (Cody-Waite: ln2 split in a
// short high part, exact in n * hi, and a low correction) and p the degree-7 Taylor polynomial on
// |r| <= ln2/2 (truncation below 6e-9 relative). Results that underflow below the smallest normal
// are scaled in two steps so they round gradually, as scalar exp does.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375; // 355/512: n * LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.12194440e-4;

/** e^z for each lane, z <= 0 or NaN (NaN stays NaN; z < -104 gives 0 or the smallest subnormal). */
@inline export function expNonPositiveF32x4(z: v128): v128 {
  z = f32x4.max(z, f32x4.splat(-104));
  const nf = f32x4.nearest(f32x4.mul(z, f32x4.splat(LOG2E)));
  let r = f32x4.sub(z, f32x4.mul(nf, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  // 2^n = 2^n1 * 2^n2 with n1 = max(n, -126) and n2 = n - n1 in [-24, 0], both normal
  const n = i32x4.trunc_sat_f32x4_s(nf);
  const n1 = i32x4.max_s(n, i32x4.splat(-126));
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** e^z - 1 for |z| <= ln2/2 without cancellation: the Taylor series from its linear term. */
@inline export function expm1SmallF32x4(z: v128): v128 {
  let p = f32x4.splat(<f32>(1.0 / 40320.0));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(1.0 / 5040.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1));
  return f32x4.mul(p, z);
}

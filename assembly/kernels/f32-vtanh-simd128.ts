// y = tanh(x) = sign(x) * -m / (2 + m) with m = e^(-2|x|) - 1 in [-1, 0]: for 2|x| <= ln2/2 m
// comes from the expm1 series (no cancellation near 0), otherwise from e^(-2|x|) - 1 (then
// |m| >= 0.29, so the subtraction loses nothing). The sign is copied bitwise (tanh(-0) = -0).
import { expNonPositiveF32x4, expm1SmallF32x4 } from "../math/vexp";

const tail = memory.data(16, 16);

@inline function tanh4(v: v128): v128 {
  const z = f32x4.mul(f32x4.abs(v), f32x4.splat(-2));
  const small = f32x4.ge(z, f32x4.splat(-0.34657359)); // |z| <= ln2 / 2
  const m = v128.bitselect(expm1SmallF32x4(z), f32x4.sub(expNonPositiveF32x4(z), f32x4.splat(1)), small);
  const t = f32x4.abs(f32x4.div(f32x4.neg(m), f32x4.add(f32x4.splat(2), m)));
  return v128.or(t, v128.and(v, i32x4.splat(0x80000000)));
}

export function f32_vtanh(x: usize, n: usize, y: usize): void {
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) v128.store(y + (i << 2), tanh4(v128.load(x + (i << 2))));
  if (i < n) {
    const rest = (n - i) << 2;
    memory.copy(tail, x + (i << 2), rest);
    v128.store(tail, tanh4(v128.load(tail)));
    memory.copy(y + (i << 2), tail, rest);
  }
}

// y = 1 / (1 + e^-x), from e = e^-|x| (never overflows): x >= 0 gives 1 / (1 + e), x < 0 gives
// e / (1 + e), both accurate to a few ulp relative. A partial last vector goes through a
// scratch block so every element takes the identical vector path.
import { expNonPositiveF32x4 } from "../math/vexp";

const tail = memory.data(16, 16);

@inline function sigmoid4(v: v128): v128 {
  const e = expNonPositiveF32x4(f32x4.neg(f32x4.abs(v)));
  const d = f32x4.add(f32x4.splat(1), e);
  const neg = f32x4.lt(v, f32x4.splat(0));
  return v128.bitselect(f32x4.div(e, d), f32x4.div(f32x4.splat(1), d), neg);
}

export function f32_vsigmoid(x: usize, n: usize, y: usize): void {
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) v128.store(y + (i << 2), sigmoid4(v128.load(x + (i << 2))));
  if (i < n) {
    const rest = (n - i) << 2;
    memory.copy(tail, x + (i << 2), rest);
    v128.store(tail, sigmoid4(v128.load(tail)));
    memory.copy(y + (i << 2), tail, rest);
  }
}

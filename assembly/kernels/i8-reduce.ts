// Helpers shared by the int8 dot-product microkernels: horizontal sums of i32x4 accumulators and
// the scalar dot of a K leftover (fewer values than one vector step).

/** Sum of the four i32 lanes. */
@inline export function hsum(a: v128): i32 {
  return (i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1)) + (i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3));
}

/** [sum of a's lanes, sum of b's, sum of c's, sum of d's] (a 4x4 transpose folded into adds). */
@inline export function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = i32x4.add(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(a, b, 2, 6, 3, 7));
  const cd = i32x4.add(v128.shuffle<i32>(c, d, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(ab, cd, 0, 1, 4, 5), v128.shuffle<i32>(ab, cd, 2, 3, 6, 7));
}

/** sum over k < len of x[k] * w[k], both int8. */
export function dotTailI8(x: usize, w: usize, len: i32): i32 {
  let s: i32 = 0;
  for (let k = 0; k < len; k++) s += <i32>load<i8>(x + <usize>k) * <i32>load<i8>(w + <usize>k);
  return s;
}

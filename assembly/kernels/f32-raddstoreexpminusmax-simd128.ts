// Softmax's middle step: y[i] = e^(x[i] - max) and the sum of the y[i], accumulated in f64 in
// index order (a fixed order, accurate for long rows). x[i] - max <= 0, so exp cannot overflow.
import { expNonPositiveF32x4 } from "../math/vexp";

const tail = memory.data(16, 16);

export function f32_raddstoreexpminusmax(x: usize, n: usize, max: f32, y: usize): f64 {
  const vmax = f32x4.splat(max);
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) v128.store(y + (i << 2), expNonPositiveF32x4(f32x4.sub(v128.load(x + (i << 2)), vmax)));
  if (i < n) {
    const rest = (n - i) << 2;
    memory.copy(tail, x + (i << 2), rest);
    v128.store(tail, expNonPositiveF32x4(f32x4.sub(v128.load(tail), vmax)));
    memory.copy(y + (i << 2), tail, rest);
  }
  let sum: f64 = 0;
  for (let j: usize = 0; j < n; j++) sum += <f64>load<f32>(y + (j << 2));
  return sum;
}

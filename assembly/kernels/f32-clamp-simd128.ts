// y = min(max(x, lo), hi): Relu (lo 0, hi +inf) and Clip. Same operation order as the scalar
// tail, so every element gets identical bits whichever loop handles it.

export function f32_clamp(x: usize, n: usize, lo: f32, hi: f32, y: usize): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) {
    const p = i << 2;
    v128.store(y + p, f32x4.min(f32x4.max(v128.load(x + p), vlo), vhi));
  }
  for (; i < n; i++) {
    const p = i << 2;
    store<f32>(y + p, min<f32>(max<f32>(load<f32>(x + p), lo), hi));
  }
}

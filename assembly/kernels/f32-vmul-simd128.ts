// y = a * b element-wise (f32_vmul) and y = a * c for a scalar c (f32_vmulc).

export function f32_vmul(a: usize, b: usize, n: usize, y: usize): void {
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) {
    const p = i << 2;
    v128.store(y + p, f32x4.mul(v128.load(a + p), v128.load(b + p)));
  }
  for (; i < n; i++) {
    const p = i << 2;
    store<f32>(y + p, load<f32>(a + p) * load<f32>(b + p));
  }
}

export function f32_vmulc(a: usize, c: f32, n: usize, y: usize): void {
  const vc = f32x4.splat(c);
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) {
    const p = i << 2;
    v128.store(y + p, f32x4.mul(v128.load(a + p), vc));
  }
  for (; i < n; i++) {
    const p = i << 2;
    store<f32>(y + p, load<f32>(a + p) * c);
  }
}

// ONNX HardSigmoid y = max(0, min(1, alpha * x + beta)) and HardSwish y = x * HardSigmoid(x)
// with alpha 1/6, beta 1/2. Multiply then add (never fused), identical in the vector body and
// the scalar tail.

export function f32_hardsigmoid(x: usize, n: usize, alpha: f32, beta: f32, y: usize, swish: bool): void {
  const va = f32x4.splat(alpha), vb = f32x4.splat(beta);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  let i: usize = 0;
  const n4 = n & ~<usize>3;
  for (; i < n4; i += 4) {
    const p = i << 2;
    const v = v128.load(x + p);
    let h = f32x4.max(zero, f32x4.min(one, f32x4.add(f32x4.mul(va, v), vb)));
    if (swish) h = f32x4.mul(v, h);
    v128.store(y + p, h);
  }
  for (; i < n; i++) {
    const p = i << 2;
    const v = load<f32>(x + p);
    let h = max<f32>(0, min<f32>(1, alpha * v + beta));
    if (swish) h = v * h;
    store<f32>(y + p, h);
  }
}

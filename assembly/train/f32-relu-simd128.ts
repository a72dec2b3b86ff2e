// ReLU / ReLU6 forward and backward and the bias helpers of dense layers, 4 lanes at a time.
// `hi` > 0 clips at hi (ReLU6); hi = 0 means no upper clip.

export function f32_relu(x: usize, y: usize, n: i32, hi: f32): void {
  const z = f32x4.splat(0), h = f32x4.splat(hi > 0 ? hi : Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.min(f32x4.max(v128.load(x + o), z), h));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, min(max(load<f32>(x + o), 0), hi > 0 ? hi : Infinity));
  }
}

/** dx += dy where the input was inside (0, hi) — decided from the input x. */
export function f32_relu_backward(x: usize, dy: usize, dx: usize, n: i32, hi: f32): void {
  const z = f32x4.splat(0), h = f32x4.splat(hi > 0 ? hi : Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const pass = v128.and(f32x4.gt(xv, z), f32x4.lt(xv, h));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), v128.and(v128.load(dy + o), pass)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const xv = load<f32>(x + o);
    if (xv > 0 && (hi <= 0 || xv < hi)) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

/** y[r][j] += bias[j] for rows r. */
export function f32_bias_add(y: usize, bias: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = y + (<usize>r * n << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(row + (<usize>j << 2), f32x4.add(v128.load(row + (<usize>j << 2)), v128.load(bias + (<usize>j << 2))));
    for (; j < n; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + load<f32>(bias + (<usize>j << 2)));
  }
}

/** db[j] += sum over rows of dy[r][j], rows summed in order. */
export function f32_bias_grad(dy: usize, rows: i32, n: i32, db: usize): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) s = f32x4.add(s, v128.load(dy + ((<usize>r * n + j) << 2)));
    v128.store(db + (<usize>j << 2), f32x4.add(v128.load(db + (<usize>j << 2)), s));
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(dy + ((<usize>r * n + j) << 2));
    store<f32>(db + (<usize>j << 2), load<f32>(db + (<usize>j << 2)) + s);
  }
}

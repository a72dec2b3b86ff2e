// f32 GEMV, 1 row x 4 outputs per step, K consumed 4 at a time: y[n] = sum_k x[k] * w[n][k].
// The summation order is fixed by this code alone, so results are identical on every host.

@inline function hsum(a: v128): f32 {
  return (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

function tail(x: usize, w: usize, from: i32, K: i32): f32 {
  let s: f32 = 0;
  for (let k = from; k < K; k++) s += load<f32>(x + (<usize>k << 2)) * load<f32>(w + (<usize>k << 2));
  return s;
}

/** w is row-major [N][K]; y receives N f32 values. */
export function f32_gemv_1x4(x: usize, w: usize, K: i32, N: i32, y: usize): void {
  const K4 = K & ~3;
  const stride = <usize>K << 2;
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const w0 = w + <usize>n * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const off = <usize>k << 2;
      const xv = v128.load(x + off);
      a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(w0 + off)));
      a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(w1 + off)));
      a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(w2 + off)));
      a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(w3 + off)));
    }
    const o = y + (<usize>n << 2);
    store<f32>(o, hsum(a0) + tail(x, w0, K4, K));
    store<f32>(o, hsum(a1) + tail(x, w1, K4, K), 4);
    store<f32>(o, hsum(a2) + tail(x, w2, K4, K), 8);
    store<f32>(o, hsum(a3) + tail(x, w3, K4, K), 12);
  }
  for (; n < N; n++) {
    const wr = w + <usize>n * stride;
    let a = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const off = <usize>k << 2;
      a = f32x4.add(a, f32x4.mul(v128.load(x + off), v128.load(wr + off)));
    }
    store<f32>(y + (<usize>n << 2), hsum(a) + tail(x, wr, K4, K));
  }
}

// int8 GEMV over row-interleaved weights, 1 row x 4 outputs per step, K consumed 16 at a time:
// acc[n] = sum_k x[k] * w[n][k]. Weights are in the packed layout of ops/weights.ts
// (packRowsInPlace with kc = 8): a block of 4 rows stores, per 8 K values, the 4 rows' 8 bytes
// back to back, so the block is read once, in order, through one moving pointer with constant
// offsets that V8 folds into the loads (no per-row address arithmetic). V8 issues a loop's loads
// before its arithmetic, so 4 accumulators + 2 activation + 8 weight vectors (14 of the 15
// allocatable xmm registers) is the widest step without spills; 8 outputs per step spilled.
// v128.load8x8_s sign-extends 8 int8 to i16 inside the load, so i32x4.dot_i16x8_s stays exact for
// the full int8 range. Raw products only; the caller applies zero points, bias and requantization.
import { dotTailI8, hsum, hsum4 } from "./i8-reduce";

/** w: [N][K] packed with kc = 8 (ops/weights.ts); acc receives N i32 values. */
export function i8_gemv_1x4c8_packed(x: usize, w: usize, K: i32, N: i32, acc: usize): void {
  const K8 = K & ~7;
  const kt = K - K8;
  const t = <usize>kt;
  const N4 = N & ~3;
  const xe = x + <usize>K8;
  const xe16 = x + <usize>(K & ~15);
  let p = w;
  for (let n = 0; n < N4; n += 4) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let xp = x;
    for (; xp < xe16; xp += 16) {
      const xl = v128.load8x8_s(xp), xh = v128.load8x8_s(xp, 8);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 8)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 16)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 24)));
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xh, v128.load8x8_s(p, 32)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xh, v128.load8x8_s(p, 40)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xh, v128.load8x8_s(p, 48)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xh, v128.load8x8_s(p, 56)));
      p += 64;
    }
    if (xp < xe) { // one chunk of 8 left
      const xl = v128.load8x8_s(xp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 8)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 16)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xl, v128.load8x8_s(p, 24)));
      p += 32;
    }
    // p is at the block's K tail: [4][kt]
    const o = acc + (<usize>n << 2);
    v128.store(o, hsum4(a0, a1, a2, a3));
    if (kt != 0) {
      store<i32>(o, load<i32>(o) + dotTailI8(xe, p, kt));
      store<i32>(o, load<i32>(o, 4) + dotTailI8(xe, p + t, kt), 4);
      store<i32>(o, load<i32>(o, 8) + dotTailI8(xe, p + 2 * t, kt), 8);
      store<i32>(o, load<i32>(o, 12) + dotTailI8(xe, p + 3 * t, kt), 12);
      p += t << 2;
    }
  }
  // rows past the last block stay plain [n][K]
  for (let n = N4; n < N; n++) {
    let a = i32x4.splat(0);
    let wp = w + <usize>n * <usize>K;
    for (let xp = x; xp < xe; xp += 8) {
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load8x8_s(xp), v128.load8x8_s(wp)));
      wp += 8;
    }
    store<i32>(acc + (<usize>n << 2), hsum(a) + dotTailI8(xe, wp, kt));
  }
}

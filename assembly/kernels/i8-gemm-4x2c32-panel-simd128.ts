// int8 GEMM of 4 packed activation rows against a small row-major weight panel (decoded per call
// and still in L1), 4 rows x 2 outputs per step, K consumed 32 per loop iteration (four 8-wide
// steps written out, an exit branch after each). acc[r][n] = sum_k x[r][k] * w[n][k]. The
// activations are packed like i8_pack_x4 with kc = 8 ([K8/8][4][8], then the K tail [4][K % 8]);
// the panel rows are read through two moving pointers. TurboFan's machine code (V8 11.3): no
// spills, ~19 loop-control instructions per 88 SIMD ones against ~8 per 22 for a one-step loop
// (stack check and pointer updates once per 32 k), which measured ~4 % faster at 64x1024x1024.
// Row sums through hsum4 (two 4x4 transposes per tile instead of eight 4-lane sums). Exact
// widening (v128.load8x8_s + i32x4.dot_i16x8_s); 8 accumulators + 2 weights + 1 activation in
// registers. Raw products only.
import { dotTailI8, hsum, hsum4 } from "./i8-reduce";

/** [dot(xa, wa), dot(xb, wb), dot(xc, wc), dot(xd, wd)] over len < 8 int8 values each. */
function tails4(xa: usize, xb: usize, xc: usize, xd: usize, wa: usize, wb: usize, wc: usize, wd: usize, len: i32): v128 {
  let v = i32x4.splat(dotTailI8(xa, wa, len));
  v = i32x4.replace_lane(v, 1, dotTailI8(xb, wb, len));
  v = i32x4.replace_lane(v, 2, dotTailI8(xc, wc, len));
  return i32x4.replace_lane(v, 3, dotTailI8(xd, wd, len));
}

/** xp: 4 packed rows; w: [N][K] row-major; acc: 4 rows of N i32 with stride ldc elements. */
export function i8_gemm_4x2c32_panel(xp: usize, w: usize, K: i32, N: i32, acc: usize, ldc: i32): void {
  const K8 = K & ~7;
  const kt = K - K8;
  const t = <usize>kt;
  const as = <usize>ldc << 2;
  const xe = xp + (<usize>K8 << 2);
  const xe1 = xe - 32, xe2 = xe - 64, xe3 = xe - 96; // step s + 1 of an iteration runs while px < xe - 32 s
  let n = 0;
  for (; n + 2 <= N; n += 2) {
    let p0 = w + <usize>n * <usize>K;
    let p1 = p0 + <usize>K;
    let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a10 = i32x4.splat(0), a11 = i32x4.splat(0);
    let a20 = i32x4.splat(0), a21 = i32x4.splat(0), a30 = i32x4.splat(0), a31 = i32x4.splat(0);
    let px = xp;
    // four 8-wide steps per iteration with an exit after each: the branches keep TurboFan from
    // hoisting a step's loads above the previous step's dots (24 loads + 8 accumulators would
    // spill), the loop's stack check and pointer updates are paid once per 32 k, and each step
    // addresses its activations from its own pointer so V8 reuses the same 4 base registers
    if (px < xe) {
      while (true) {
        let v0 = v128.load8x8_s(p0), v1 = v128.load8x8_s(p1);
        let u = v128.load8x8_s(px);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(px, 8);
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(px, 16);
        a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(px, 24);
        a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u, v1));
        if (px >= xe1) { px += 32; p0 += 8; p1 += 8; break; }
        const py = px + 32;
        v0 = v128.load8x8_s(p0, 8); v1 = v128.load8x8_s(p1, 8);
        u = v128.load8x8_s(py);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(py, 8);
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(py, 16);
        a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(py, 24);
        a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u, v1));
        if (px >= xe2) { px += 64; p0 += 16; p1 += 16; break; }
        const pz = px + 64;
        v0 = v128.load8x8_s(p0, 16); v1 = v128.load8x8_s(p1, 16);
        u = v128.load8x8_s(pz);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pz, 8);
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pz, 16);
        a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pz, 24);
        a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u, v1));
        if (px >= xe3) { px += 96; p0 += 24; p1 += 24; break; }
        const pq = px + 96;
        v0 = v128.load8x8_s(p0, 24); v1 = v128.load8x8_s(p1, 24);
        u = v128.load8x8_s(pq);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(u, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pq, 8);
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(u, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pq, 16);
        a20 = i32x4.add(a20, i32x4.dot_i16x8_s(u, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(u, v1));
        u = v128.load8x8_s(pq, 24);
        a30 = i32x4.add(a30, i32x4.dot_i16x8_s(u, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(u, v1));
        px += 128;
        p0 += 32;
        p1 += 32;
        if (px >= xe) break;
      }
    }
    // 4x4 transposes folded into adds: s01 = [r0 n, r0 n+1, r1 n, r1 n+1], s23 the same for rows 2, 3
    let s01 = hsum4(a00, a01, a10, a11), s23 = hsum4(a20, a21, a30, a31);
    if (kt != 0) {
      // K tails: p0, p1 now point at the rows' element K8; the packed activation tails follow xe
      const x0 = xe, x1 = x0 + t, x2 = x1 + t, x3 = x2 + t;
      s01 = i32x4.add(s01, tails4(x0, x0, x1, x1, p0, p1, p0, p1, kt));
      s23 = i32x4.add(s23, tails4(x2, x2, x3, x3, p0, p1, p0, p1, kt));
    }
    const p = acc + (<usize>n << 2);
    v128.store64_lane(p, s01, 0);
    v128.store64_lane(p + as, s01, 1);
    v128.store64_lane(p + 2 * as, s23, 0);
    v128.store64_lane(p + 3 * as, s23, 1);
  }
  if (n < N) {
    // odd panel: the last row alone
    let pw = w + <usize>n * <usize>K;
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    for (let px = xp; px < xe; px += 32) {
      const v = v128.load8x8_s(pw);
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(v128.load8x8_s(px), v));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(v128.load8x8_s(px, 8), v));
      b2 = i32x4.add(b2, i32x4.dot_i16x8_s(v128.load8x8_s(px, 16), v));
      b3 = i32x4.add(b3, i32x4.dot_i16x8_s(v128.load8x8_s(px, 24), v));
      pw += 8;
    }
    const p = acc + (<usize>n << 2);
    store<i32>(p, hsum(b0) + dotTailI8(xe, pw, kt));
    store<i32>(p + as, hsum(b1) + dotTailI8(xe + t, pw, kt));
    store<i32>(p + 2 * as, hsum(b2) + dotTailI8(xe + 2 * t, pw, kt));
    store<i32>(p + 3 * as, hsum(b3) + dotTailI8(xe + 3 * t, pw, kt));
  }
}

// f32 matrix multiply for training, 4 rows x 8 columns per tile:
//   C[i][j] (+)= sum_k A(i, k) * B[k][j]
// A is read through two strides (element (i, k) at a + (i*sai + k*sak)*4), so the same code
// serves A (sai = lda, sak = 1) and A transposed (sai = 1, sak = lda). B and C are row-major with
// leading dimensions ldb, ldc. Each output is summed over k in increasing order from zero and
// only then added to C, so results do not depend on the tile an output falls in.

@inline function ld(p: usize, idx: i32): f32 { return load<f32>(p + (<usize>idx << 2)); }
@inline function at(p: usize, idx: i32): usize { return p + (<usize>idx << 2); }

@inline function put(c: usize, v: v128, accumulate: bool): void {
  v128.store(c, accumulate ? f32x4.add(v128.load(c), v) : v);
}
@inline function putLanes(c: usize, v: v128, n: i32, accumulate: bool): void {
  put1(c, f32x4.extract_lane(v, 0), accumulate);
  if (n > 1) put1(c + 4, f32x4.extract_lane(v, 1), accumulate);
  if (n > 2) put1(c + 8, f32x4.extract_lane(v, 2), accumulate);
}
@inline function put1(c: usize, v: f32, accumulate: bool): void {
  store<f32>(c, accumulate ? load<f32>(c) + v : v);
}

function rows4(i: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool, bPadded: bool): void {
  const a0 = at(a, i * sai);
  const rs = <usize>sai << 2, ks = <usize>sak << 2, bstep = <usize>ldb << 2;
  const c0 = at(c, i * ldc), c1 = at(c, (i + 1) * ldc), c2 = at(c, (i + 2) * ldc), c3 = at(c, (i + 3) * ldc);
  let j = 0;
  // 8 columns at a time; with bPadded also a last partial group of 5..7 (B rows are readable
  // to a multiple of 8, only the real columns are stored).
  for (; j + 8 <= N || (bPadded && j + 4 < N); j += 8) {
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
    let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
    let bp = at(b, j);
    let ap = a0;
    for (let k = 0; k < K; k++) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      const x0 = v128.load32_splat(ap), x1 = v128.load32_splat(ap + rs), x2 = v128.load32_splat(ap + 2 * rs), x3 = v128.load32_splat(ap + 3 * rs);
      bp += bstep;
      ap += ks;
      s00 = f32x4.add(s00, f32x4.mul(x0, b0)); s01 = f32x4.add(s01, f32x4.mul(x0, b1));
      s10 = f32x4.add(s10, f32x4.mul(x1, b0)); s11 = f32x4.add(s11, f32x4.mul(x1, b1));
      s20 = f32x4.add(s20, f32x4.mul(x2, b0)); s21 = f32x4.add(s21, f32x4.mul(x2, b1));
      s30 = f32x4.add(s30, f32x4.mul(x3, b0)); s31 = f32x4.add(s31, f32x4.mul(x3, b1));
    }
    if (j + 8 <= N) {
      put(at(c0, j), s00, accumulate); put(at(c0, j + 4), s01, accumulate);
      put(at(c1, j), s10, accumulate); put(at(c1, j + 4), s11, accumulate);
      put(at(c2, j), s20, accumulate); put(at(c2, j + 4), s21, accumulate);
      put(at(c3, j), s30, accumulate); put(at(c3, j + 4), s31, accumulate);
    } else {
      const n = N - j - 4;
      put(at(c0, j), s00, accumulate); putLanes(at(c0, j + 4), s01, n, accumulate);
      put(at(c1, j), s10, accumulate); putLanes(at(c1, j + 4), s11, n, accumulate);
      put(at(c2, j), s20, accumulate); putLanes(at(c2, j + 4), s21, n, accumulate);
      put(at(c3, j), s30, accumulate); putLanes(at(c3, j + 4), s31, n, accumulate);
    }
  }
  // 4 columns at a time; with bPadded also the last 1..3 columns.
  for (; bPadded ? j < N : j + 4 <= N; j += 4) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let bp = at(b, j);
    let ap = a0;
    for (let k = 0; k < K; k++) {
      const bv = v128.load(bp);
      s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), bv));
      s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap + rs), bv));
      s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap + 2 * rs), bv));
      s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap + 3 * rs), bv));
      bp += bstep;
      ap += ks;
    }
    if (j + 4 <= N) {
      put(at(c0, j), s0, accumulate); put(at(c1, j), s1, accumulate);
      put(at(c2, j), s2, accumulate); put(at(c3, j), s3, accumulate);
    } else {
      putLanes(at(c0, j), s0, N - j, accumulate); putLanes(at(c1, j), s1, N - j, accumulate);
      putLanes(at(c2, j), s2, N - j, accumulate); putLanes(at(c3, j), s3, N - j, accumulate);
    }
  }
  for (; j < N; j++) {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let ap = a0;
    for (let k = 0; k < K; k++) {
      const bv = ld(b, k * ldb + j);
      s0 += load<f32>(ap) * bv; s1 += load<f32>(ap + rs) * bv; s2 += load<f32>(ap + 2 * rs) * bv; s3 += load<f32>(ap + 3 * rs) * bv;
      ap += ks;
    }
    put1(at(c0, j), s0, accumulate); put1(at(c1, j), s1, accumulate);
    put1(at(c2, j), s2, accumulate); put1(at(c3, j), s3, accumulate);
  }
}

function row1(i: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool): void {
  const a0 = at(a, i * sai);
  const c0 = at(c, i * ldc);
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (let k = 0; k < K; k++) {
      const x = f32x4.splat(ld(a0, k * sak));
      const bp = at(b, k * ldb + j);
      s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
      s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
    }
    put(at(c0, j), s0, accumulate); put(at(c0, j + 4), s1, accumulate);
  }
  for (; j + 4 <= N; j += 4) {
    let s = f32x4.splat(0);
    for (let k = 0; k < K; k++) s = f32x4.add(s, f32x4.mul(f32x4.splat(ld(a0, k * sak)), v128.load(at(b, k * ldb + j))));
    put(at(c0, j), s, accumulate);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    for (let k = 0; k < K; k++) s += ld(a0, k * sak) * ld(b, k * ldb + j);
    put1(at(c0, j), s, accumulate);
  }
}

/** bPadded: every B row is readable up to a multiple of 8 columns (ldb >= N rounded up to 8). */
export function f32_matmul_4x8(M: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool, bPadded: bool = false): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) rows4(i, N, K, a, sai, sak, b, ldb, c, ldc, accumulate, bPadded);
  for (; i < M; i++) row1(i, N, K, a, sai, sak, b, ldb, c, ldc, accumulate);
}

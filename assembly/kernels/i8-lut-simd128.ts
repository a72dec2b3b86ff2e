// y[i] = lut[u8(x[i])] for a 256-byte table. SIMD128 has only 16-byte table lookups
// (i8x16.swizzle, which yields 0 for indices >= 16), so the table is 16 slices: for slice t the
// index minus 16t is in range only for bytes of that slice, and OR-ing the 16 results selects.

export function i8_lut(x: usize, lut: usize, n: usize, y: usize): void {
  const sixteen = i8x16.splat(16);
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    let idx = v128.load(x + i);
    let r = i8x16.swizzle(v128.load(lut), idx);
    for (let t: usize = 1; t < 16; t++) {
      idx = i8x16.sub(idx, sixteen);
      r = v128.or(r, i8x16.swizzle(v128.load(lut + (t << 4)), idx));
    }
    v128.store(y + i, r);
  }
  for (; i < n; i++) store<u8>(y + i, load<u8>(lut + <usize>load<u8>(x + i)));
}

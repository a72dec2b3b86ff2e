// Feature probes by validating tiny modules, as onnxruntime-web does.

// (module (func (result v128) i32.const 0 i32x4.splat))
const SIMD = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

// (module (func (result v128) v128.const i32x4 0 0 0 0 v128.const i32x4 0 0 0 0 v128.const
//   i32x4 0 0 0 0 i32x4.relaxed_dot_i8x16_i7x16_add_s))
const RELAXED = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 147, 2, 11,
]);

export function hasSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD);
  } catch {
    return false;
  }
}

export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(RELAXED);
  } catch {
    return false;
  }
}

// Quantization-parameter comparisons for ops that move int8 values without changing them.
import { DType } from "../format/spec";
import { Model, tDType, tScale, tScaleCount, tZeroPoint } from "../model";

/** True when int8 values of a mean the same real numbers in b (same scale and zero point). */
export function sameQuant(m: Model, a: u32, b: u32): bool {
  if (tDType(m, a) != DType.I8) return true;
  const ca = tScaleCount(m, a), cb = tScaleCount(m, b);
  if (ca != cb || tZeroPoint(m, a) != tZeroPoint(m, b)) return false;
  return ca == 0 || tScale(m, a) == tScale(m, b);
}

// The observer contract (after torch.ao's observer.py): an observer only records statistics of the
// values it is shown and turns them into int8 quantization parameters. Variants differ in how they
// summarise what they saw; the conversion of a range into (scale, zero point) is shared here.
import { EdgeqError, ErrorCode } from "../../runtime/errors.ts";

export interface QParams {
  /** f32-representable, > 0 */
  scale: number;
  /** int8 zero point, -128..127; 0 when symmetric */
  zeroPoint: number;
}

export interface QScheme {
  /** Symmetric: zero point 0 and the range [-a, a]; asymmetric: the range [lo, hi] over all 256 levels. */
  symmetric: boolean;
}

export interface Observer {
  /** Records statistics of a batch of values (not modified). Non-finite values are refused. */
  observe(values: ArrayLike<number>): void;
  /** Quantization parameters for everything observed so far. */
  computeQParams(): QParams;
}

/** Smallest scale handed out: as torch.ao, float32 epsilon, so requant multipliers stay finite. */
export const MIN_SCALE = Math.fround(2 ** -23);
/** Scale used when nothing but zeros (or nothing at all) was observed: any scale represents 0 exactly. */
export const FALLBACK: QParams = Object.freeze({ scale: 1, zeroPoint: 0 });

export function badSetting(what: string): EdgeqError {
  return new EdgeqError(ErrorCode.BadArgument, what);
}

/** Throws on NaN/Inf; returns [min, max] of the batch (min = +Inf for an empty batch). */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new EdgeqError(ErrorCode.BadArgument, `observed a non-finite value (${v}) at index ${i}; check the calibration data and the float model`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

const roundHalfEven = (v: number) => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

/**
 * (scale, zero point) covering [lo, hi] widened to include 0, so that 0 (zero padding, ReLU's floor)
 * is exactly representable. Degenerate or empty ranges give FALLBACK.
 */
export function rangeToQParams(lo: number, hi: number, scheme: QScheme): QParams {
  if (!(lo <= hi)) return { ...FALLBACK };
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (scheme.symmetric) {
    const a = Math.max(-lo, hi);
    if (a === 0) return { ...FALLBACK };
    return { scale: Math.max(MIN_SCALE, Math.fround(a / 127)), zeroPoint: 0 };
  }
  if (hi - lo === 0) return { ...FALLBACK };
  const scale = Math.max(MIN_SCALE, Math.fround((hi - lo) / 255));
  const zeroPoint = Math.max(-128, Math.min(127, roundHalfEven(-128 - lo / scale)));
  return { scale, zeroPoint };
}

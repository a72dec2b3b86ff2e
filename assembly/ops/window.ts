// Sliding-window geometry shared by Conv2d and the pooling ops (ONNX floor mode, NHWC).
import { ErrorCode } from "../format/spec";
import { failAt } from "../runtime/errors";
import { Model, opAttr } from "../model";

/**
 * Each pad in 0..(dilated kernel extent - 1), which also makes every undilated window (so every
 * pooling window) overlap the image, and at least one window per axis. The pads are attributes
 * first..first+3 (top, left, bottom, right).
 */
export function checkWindow(m: Model, o: u32, H: i32, W: i32, KH: i32, KW: i32, first: i32, dh: i32, dw: i32): i32 {
  const eh = <i64>(KH - 1) * <i64>dh + 1, ew = <i64>(KW - 1) * <i64>dw + 1;
  const pt = <i64>opAttr(m, o, first), pl = <i64>opAttr(m, o, first + 1);
  const pb = <i64>opAttr(m, o, first + 2), pr = <i64>opAttr(m, o, first + 3);
  if (pt < 0 || pb < 0 || pl < 0 || pr < 0) return failAt(ErrorCode.BadOp, "op ", o, ": pads must be >= 0");
  if (pt >= eh || pb >= eh || pl >= ew || pr >= ew) return failAt(ErrorCode.BadOp, "op ", o, ": pads must be smaller than the (dilated) kernel");
  if (<i64>H + pt + pb < eh || <i64>W + pl + pr < ew) return failAt(ErrorCode.BadShape, "op ", o, ": kernel larger than the padded input");
  return 0;
}

/** Output size along one axis; valid after checkWindow. */
export function windowCount(size: i32, k: i32, s: i32, p0: i32, p1: i32, d: i32): i32 {
  return <i32>((<i64>size + p0 + p1 - (<i64>(k - 1) * d + 1)) / s + 1);
}

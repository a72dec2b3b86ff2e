// Softmax over the last axis, f32: y = exp(x - max) / sum exp(x - max). Subtracting the row max
// keeps exp from overflowing; the sum is accumulated in f64 in index order (fixed order, and
// accurate for long rows).
import { DType, ErrorCode, Format } from "../format/spec";
import { failAt } from "../runtime/errors";
import { Model, opAttr, opIn, opOut, tDType, tLastDim, tNumel, tptr, isConst } from "../model";
import { expectArity, sameShape } from "./common";
import { f32_raddstoreexpminusmax } from "../kernels/f32-raddstoreexpminusmax-simd128";

export function checkSoftmax(m: Model, o: u32): i32 {
  const r = expectArity(m, o, 1, 1, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": softmax input must be an activation");
  for (let i = 0; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": softmax takes no attributes");
  if (!sameShape(m, x, y)) return failAt(ErrorCode.BadShape, "op ", o, ": output shape must equal the input shape");
  if (tDType(m, x) != DType.F32 || tDType(m, y) != DType.F32) return failAt(ErrorCode.BadOp, "op ", o, ": softmax is f32 only");
  return 0;
}

export function runSoftmax(m: Model, o: u32, batch: i32): void {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const n = <usize>tLastDim(m, x);
  const rows = <usize>tNumel(m, x) / n * <usize>batch;
  for (let r: usize = 0; r < rows; r++) {
    const xr = tptr(m, x) + ((r * n) << 2), yr = tptr(m, y) + ((r * n) << 2);
    let mx = load<f32>(xr);
    for (let i: usize = 1; i < n; i++) mx = max<f32>(mx, load<f32>(xr + (i << 2)));
    const sum = f32_raddstoreexpminusmax(xr, n, mx, yr);
    for (let i: usize = 0; i < n; i++) store<f32>(yr + (i << 2), <f32>(<f64>load<f32>(yr + (i << 2)) / sum));
  }
}

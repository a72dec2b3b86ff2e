// Reshape (and Flatten): the output tensor's dims are the new per-sample shape; the data is
// copied unchanged (row-major order is shape independent).
import { ErrorCode, Format } from "../format/spec";
import { failAt } from "../runtime/errors";
import { Model, opAttr, opIn, opOut, rt, tDType, tNumel, tptr, isConst } from "../model";
import { expectArity } from "./common";
import { sameQuant } from "./qparams";

export function checkReshape(m: Model, o: u32): i32 {
  const r = expectArity(m, o, 1, 1, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": reshape input must be an activation");
  for (let i = 0; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": reshape takes no attributes");
  if (tNumel(m, x) != tNumel(m, y)) return failAt(ErrorCode.BadShape, "op ", o, ": reshape must keep the element count");
  if (tDType(m, x) != tDType(m, y)) return failAt(ErrorCode.BadOp, "op ", o, ": reshape keeps the dtype");
  if (!sameQuant(m, x, y)) return failAt(ErrorCode.BadQuant, "op ", o, ": reshape keeps the scale and zero point");
  return 0;
}

export function runReshape(m: Model, o: u32, batch: i32): void {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const info = rt(m, x);
  memory.copy(tptr(m, y), tptr(m, x), <usize>info.numel * <usize>info.elemSize * <usize>batch);
}

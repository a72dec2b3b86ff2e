// Transpose of the per-sample axes (the batch axis stays first): out dims[i] = in dims[perm[i]].
// attrs [0, rank): the permutation; NCHW <-> NHWC conversions at model boundaries use it.
import { ErrorCode, Format } from "../format/spec";
import { failAt } from "../runtime/errors";
import { Model, opAttr, opIn, opOut, rt, tDType, tDim, tRank, tptr, isConst } from "../model";
import { expectArity } from "./common";
import { sameQuant } from "./qparams";

export function checkTranspose(m: Model, o: u32): i32 {
  const r = expectArity(m, o, 1, 1, 1);
  if (r < 0) return r;
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  if (isConst(m, x)) return failAt(ErrorCode.BadOp, "op ", o, ": transpose input must be an activation");
  const rank = tRank(m, x);
  if (tRank(m, y) != rank) return failAt(ErrorCode.BadShape, "op ", o, ": transpose keeps the rank");
  let seen: i32 = 0;
  for (let i = 0; i < rank; i++) {
    const p = opAttr(m, o, i);
    if (p < 0 || p >= rank || (seen & (1 << p)) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": attributes are not a permutation of the axes");
    seen |= 1 << p;
  }
  for (let i = rank; i < Format.MaxAttrs; i++) if (opAttr(m, o, i) != 0) return failAt(ErrorCode.BadOp, "op ", o, ": attributes beyond the rank must be zero");
  for (let i = 0; i < rank; i++) if (tDim(m, y, i) != tDim(m, x, opAttr(m, o, i))) return failAt(ErrorCode.BadShape, "op ", o, ": output dims must be the permuted input dims");
  if (tDType(m, x) != tDType(m, y)) return failAt(ErrorCode.BadOp, "op ", o, ": transpose keeps the dtype");
  if (!sameQuant(m, x, y)) return failAt(ErrorCode.BadQuant, "op ", o, ": transpose keeps the scale and zero point");
  return 0;
}

export function runTranspose(m: Model, o: u32, batch: i32): void {
  const x = opIn(m, o, 0), y = opOut(m, o, 0);
  const rank = tRank(m, x);
  const info = rt(m, x);
  const es = <usize>info.elemSize;
  // out dims d0..d3 and the matching input strides (in elements), padded in front with size 1
  let d0 = 1, d1 = 1, d2 = 1, d3 = 1;
  let s0: usize = 0, s1: usize = 0, s2: usize = 0, s3: usize = 0;
  for (let i = 0; i < rank; i++) {
    const ax = opAttr(m, o, i);
    let stride: usize = 1;
    for (let j = ax + 1; j < rank; j++) stride *= <usize>tDim(m, x, j);
    const slot = 4 - rank + i;
    const d = tDim(m, x, ax);
    if (slot == 0) { d0 = d; s0 = stride; } else if (slot == 1) { d1 = d; s1 = stride; } else if (slot == 2) { d2 = d; s2 = stride; } else { d3 = d; s3 = stride; }
  }
  const per = <usize>info.numel;
  for (let b = 0; b < batch; b++) {
    const xs = tptr(m, x) + <usize>b * per * es;
    let dst = tptr(m, y) + <usize>b * per * es;
    for (let i0 = 0; i0 < d0; i0++)
      for (let i1 = 0; i1 < d1; i1++)
        for (let i2 = 0; i2 < d2; i2++) {
          let src = <usize>i0 * s0 + <usize>i1 * s1 + <usize>i2 * s2;
          if (es == 4) {
            for (let i3 = 0; i3 < d3; i3++) { store<u32>(dst, load<u32>(xs + (src << 2))); dst += 4; src += s3; }
          } else {
            for (let i3 = 0; i3 < d3; i3++) { store<u8>(dst, load<u8>(xs + src)); dst += 1; src += s3; }
          }
        }
  }
}

// Patch gathering for NHWC convolutions. For samples [b0, b0 + nb) and group g, row p = (b, oh, ow)
// of `cols` holds the receptive field in weight order (kh, kw, ci): cols[p][(kh*KW + kw)*Cg + ci]
// = x[b][oh*sh - pt + kh*dh][ow*sw - pl + kw*dw][g*Cg + ci], zero outside the image. col2im is
// its adjoint: it adds each patch entry back onto the pixel it came from.
// With one group and no horizontal dilation a whole kernel row (KW*C floats) is contiguous in x,
// so it moves as one run; runs are copied with explicit v128 loops (bulk memory calls cost more
// than they save at these lengths).
import { ConvDesc, cd } from "./desc";

@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = dst + (<usize>i << 2);
    v128.store(q, f32x4.add(v128.load(q), v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const q = dst + (<usize>i << 2);
    store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>i << 2)));
  }
}

/** scatter = false: gather x into cols; scatter = true: add cols back into x (col2im). */
@inline function walk(d: usize, x: usize, b0: i32, nb: i32, g: i32, cols: usize, scatter: bool): void {
  const H = cd(d, ConvDesc.H), W = cd(d, ConvDesc.W), C = cd(d, ConvDesc.C);
  const OH = cd(d, ConvDesc.OH), OW = cd(d, ConvDesc.OW), KH = cd(d, ConvDesc.KH), KW = cd(d, ConvDesc.KW);
  const sh = cd(d, ConvDesc.SH), sw = cd(d, ConvDesc.SW), pt = cd(d, ConvDesc.PT), pl = cd(d, ConvDesc.PL);
  const dh = cd(d, ConvDesc.DH), dw = cd(d, ConvDesc.DW);
  const Cg = C / cd(d, ConvDesc.Groups);
  const rowRun = Cg == C && dw == 1;
  const rowLen = KW * Cg;
  let p = cols;
  for (let b = b0; b < b0 + nb; b++) {
    const xb = x + ((<usize>b * H * W * C + <usize>g * Cg) << 2);
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        const inside = iw0 >= 0 && iw0 + (KW - 1) * dw < W;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            if (!scatter) zeroRun(p, rowLen);
            p += <usize>rowLen << 2;
            continue;
          }
          const xrow = xb + ((<usize>ih * W) * C << 2);
          if (rowRun && inside) {
            const src = xrow + (<usize>iw0 * C << 2);
            if (scatter) addRun(src, p, rowLen);
            else copyRun(p, src, rowLen);
            p += <usize>rowLen << 2;
            continue;
          }
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * dw;
            if (iw < 0 || iw >= W) {
              if (!scatter) zeroRun(p, Cg);
            } else {
              const src = xrow + (<usize>iw * C << 2);
              if (scatter) addRun(src, p, Cg);
              else copyRun(p, src, Cg);
            }
            p += <usize>Cg << 2;
          }
        }
      }
  }
}

export function f32_im2col_nhwc(d: usize, x: usize, b0: i32, nb: i32, g: i32, cols: usize): void {
  walk(d, x, b0, nb, g, cols, false);
}

export function f32_col2im_nhwc(d: usize, cols: usize, b0: i32, nb: i32, g: i32, dx: usize): void {
  walk(d, dx, b0, nb, g, cols, true);
}

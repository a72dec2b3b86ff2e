// Patch gathering for NHWC convolutions. For samples [b0, b0 + nb) and group g, row p = (b, oh, ow)
// of `cols` holds the receptive field in weight order (kh, kw, ci): cols[p][(kh*KW + kw)*Cg + ci]
// = x[b][oh*sh - pt + kh*dh][ow*sw - pl + kw*dw][g*Cg + ci], zero outside the image. col2im is
// its adjoint: it adds each patch entry back onto the pixel it came from.
import { ConvDesc, cd } from "./desc";

export function f32_im2col_nhwc(d: usize, x: usize, b0: i32, nb: i32, g: i32, cols: usize): void {
  const H = cd(d, ConvDesc.H), W = cd(d, ConvDesc.W), C = cd(d, ConvDesc.C);
  const OH = cd(d, ConvDesc.OH), OW = cd(d, ConvDesc.OW), KH = cd(d, ConvDesc.KH), KW = cd(d, ConvDesc.KW);
  const sh = cd(d, ConvDesc.SH), sw = cd(d, ConvDesc.SW), pt = cd(d, ConvDesc.PT), pl = cd(d, ConvDesc.PL);
  const dh = cd(d, ConvDesc.DH), dw = cd(d, ConvDesc.DW);
  const Cg = C / cd(d, ConvDesc.Groups);
  const runBytes = <usize>Cg << 2;
  let out = cols;
  for (let b = b0; b < b0 + nb; b++) {
    const xb = x + ((<usize>b * H * W * C + <usize>g * Cg) << 2);
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) memory.fill(out, 0, runBytes);
            else if (Cg == 1) store<f32>(out, load<f32>(xb + ((<usize>ih * W + iw) * C << 2)));
            else memory.copy(out, xb + ((<usize>ih * W + iw) * C << 2), runBytes);
            out += runBytes;
          }
        }
  }
}

export function f32_col2im_nhwc(d: usize, cols: usize, b0: i32, nb: i32, g: i32, dx: usize): void {
  const H = cd(d, ConvDesc.H), W = cd(d, ConvDesc.W), C = cd(d, ConvDesc.C);
  const OH = cd(d, ConvDesc.OH), OW = cd(d, ConvDesc.OW), KH = cd(d, ConvDesc.KH), KW = cd(d, ConvDesc.KW);
  const sh = cd(d, ConvDesc.SH), sw = cd(d, ConvDesc.SW), pt = cd(d, ConvDesc.PT), pl = cd(d, ConvDesc.PL);
  const dh = cd(d, ConvDesc.DH), dw = cd(d, ConvDesc.DW);
  const Cg = C / cd(d, ConvDesc.Groups);
  let src = cols;
  for (let b = b0; b < b0 + nb; b++) {
    const xb = dx + ((<usize>b * H * W * C + <usize>g * Cg) << 2);
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
              const p = xb + ((<usize>ih * W + iw) * C << 2);
              for (let c = 0; c < Cg; c++) {
                const q = p + (<usize>c << 2);
                store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>c << 2)));
              }
            }
            src += <usize>Cg << 2;
          }
        }
  }
}

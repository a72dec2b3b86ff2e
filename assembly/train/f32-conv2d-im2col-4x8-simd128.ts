// NHWC grouped convolution for training as im2col + the 4x8 matmul, processed in chunks of
// samples so the patch matrix stays near cache size. Per group g (Cg = C/groups inputs,
// Og = Cout/groups outputs, KK = KH*KW*Cg):
//   forward         y[p][g*Og + o]  = cols[p] . W[g*Og + o]           (+ bias)
//   input grad      dcols[p]        = sum_o dy[p][g*Og + o] * W[g*Og + o]  then col2im into dx
//   weight grad     dW[g*Og + o]   += sum_p dy[p][g*Og + o] * cols[p]
// Gradients are added to what dx / dW / db already hold. Chunk size depends only on the shape,
// so the summation order (and the result) is the same on every run.
import { alloc, free } from "../runtime/alloc";
import { ConvDesc, cd } from "./desc";
import { f32_col2im_nhwc, f32_im2col_nhwc } from "./f32-im2col-nhwc";
import { f32_matmul_4x8 } from "./f32-matmul-4x8-simd128";
import { f32_bias_add, f32_bias_grad } from "./f32-relu-simd128";

const CHUNK_FLOATS: i32 = 1 << 16;

function chunkOf(d: usize): i32 {
  const per = cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW) * cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / cd(d, ConvDesc.Groups));
  return max(1, min(cd(d, ConvDesc.B), CHUNK_FLOATS / per));
}

function colsBytes(d: usize, chunk: i32): usize {
  return <usize>chunk * cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW) * cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / cd(d, ConvDesc.Groups)) << 2;
}

/** Returns false when scratch memory is refused. */
export function f32_conv2d_forward(d: usize, x: usize, w: usize, bias: usize, y: usize): bool {
  const B = cd(d, ConvDesc.B), Cout = cd(d, ConvDesc.Cout), G = cd(d, ConvDesc.Groups);
  const P = cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW);
  const Og = Cout / G, KK = cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / G);
  const chunk = chunkOf(d);
  const cols = alloc(colsBytes(d, chunk));
  // Transposed weights per group, rows padded with zeros to a multiple of 8 so the matmul can
  // finish every row with whole vectors.
  const Op = (Og + 7) & ~7;
  const wt = alloc(<usize>KK * Op * G << 2);
  if (cols == 0 || wt == 0) { free(cols); free(wt); return false; }
  memory.fill(wt, 0, <usize>KK * Op * G << 2);
  for (let g = 0; g < G; g++) {
    const src = w + (<usize>g * Og * KK << 2), dst = wt + (<usize>g * Op * KK << 2);
    for (let o = 0; o < Og; o++)
      for (let k = 0; k < KK; k++) store<f32>(dst + ((<usize>k * Op + o) << 2), load<f32>(src + ((<usize>o * KK + k) << 2)));
  }
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const nb = min(chunk, B - b0);
    for (let g = 0; g < G; g++) {
      f32_im2col_nhwc(d, x, b0, nb, g, cols);
      f32_matmul_4x8(nb * P, Og, KK, cols, KK, 1, wt + (<usize>g * Op * KK << 2), Op, y + ((<usize>b0 * P * Cout + <usize>g * Og) << 2), Cout, false, true);
    }
  }
  if (bias != 0) f32_bias_add(y, bias, B * P, Cout);
  free(cols);
  free(wt);
  return true;
}

export function f32_conv2d_backward_input(d: usize, dy: usize, w: usize, dx: usize): bool {
  const B = cd(d, ConvDesc.B), Cout = cd(d, ConvDesc.Cout), G = cd(d, ConvDesc.Groups);
  const P = cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW);
  const Og = Cout / G, KK = cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / G);
  const chunk = chunkOf(d);
  const cols = alloc(colsBytes(d, chunk));
  if (cols == 0) return false;
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const nb = min(chunk, B - b0);
    for (let g = 0; g < G; g++) {
      f32_matmul_4x8(nb * P, KK, Og, dy + ((<usize>b0 * P * Cout + <usize>g * Og) << 2), Cout, 1, w + (<usize>g * Og * KK << 2), KK, cols, KK, false);
      f32_col2im_nhwc(d, cols, b0, nb, g, dx);
    }
  }
  free(cols);
  return true;
}

export function f32_conv2d_backward_weights(d: usize, x: usize, dy: usize, dw: usize, db: usize): bool {
  const B = cd(d, ConvDesc.B), Cout = cd(d, ConvDesc.Cout), G = cd(d, ConvDesc.Groups);
  const P = cd(d, ConvDesc.OH) * cd(d, ConvDesc.OW);
  const Og = Cout / G, KK = cd(d, ConvDesc.KH) * cd(d, ConvDesc.KW) * (cd(d, ConvDesc.C) / G);
  const chunk = chunkOf(d);
  const cols = alloc(colsBytes(d, chunk));
  if (cols == 0) return false;
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const nb = min(chunk, B - b0);
    for (let g = 0; g < G; g++) {
      f32_im2col_nhwc(d, x, b0, nb, g, cols);
      f32_matmul_4x8(Og, KK, nb * P, dy + ((<usize>b0 * P * Cout + <usize>g * Og) << 2), 1, Cout, cols, KK, dw + (<usize>g * Og * KK << 2), KK, true);
    }
  }
  free(cols);
  if (db != 0) f32_bias_grad(dy, B * P, Cout, db);
  return true;
}

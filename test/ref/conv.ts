// Scalar references for convolution and pooling, written from the ONNX Conv / QLinearConv /
// ConvInteger / MaxPool / AveragePool / GlobalAveragePool definitions with NHWC samples. Plain
// f64 loops over every (pixel, channel, tap); padding is explicit, never skipped by bounds math.

export interface ConvGeom {
  batch: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  KH: number;
  KW: number;
  stride: [number, number];
  pads: [number, number, number, number]; // top, left, bottom, right
  dilation: [number, number];
  groups: number;
}

export function convOutSize(g: ConvGeom): [number, number] {
  const OH = Math.floor((g.H + g.pads[0] + g.pads[2] - (g.dilation[0] * (g.KH - 1) + 1)) / g.stride[0]) + 1;
  const OW = Math.floor((g.W + g.pads[1] + g.pads[3] - (g.dilation[1] * (g.KW - 1) + 1)) / g.stride[1]) + 1;
  return [OH, OW];
}

/**
 * y[b][oh][ow][n] = sum over taps and the group's channels of (xpad - zx)(w - zw) + bias[n], in
 * f64, where xpad is x with the padding filled by zx (ONNX QLinearConv/ConvInteger; zx = zw = 0
 * gives plain Conv). Exact for integer inputs.
 */
export function convRef(x: ArrayLike<number>, zx: number, w: ArrayLike<number>, zw: number, bias: ArrayLike<number> | null, g: ConvGeom): Float64Array {
  const [OH, OW] = convOutSize(g);
  const Cg = g.Cin / g.groups, Cog = g.Cout / g.groups;
  const y = new Float64Array(g.batch * OH * OW * g.Cout);
  const xAt = (b: number, ih: number, iw: number, c: number) => {
    if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) return zx; // the padding value
    return x[((b * g.H + ih) * g.W + iw) * g.Cin + c];
  };
  for (let b = 0; b < g.batch; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let n = 0; n < g.Cout; n++) {
          const grp = Math.floor(n / Cog);
          let s = bias ? bias[n] : 0;
          for (let kh = 0; kh < g.KH; kh++)
            for (let kw = 0; kw < g.KW; kw++)
              for (let c = 0; c < Cg; c++) {
                const xv = xAt(b, oh * g.stride[0] - g.pads[0] + kh * g.dilation[0], ow * g.stride[1] - g.pads[1] + kw * g.dilation[1], grp * Cg + c);
                const wv = w[((n * g.KH + kh) * g.KW + kw) * Cg + c];
                s += (xv - zx) * (wv - zw);
              }
          y[((b * OH + oh) * OW + ow) * g.Cout + n] = s;
        }
  return y;
}

export interface PoolGeom {
  batch: number;
  H: number;
  W: number;
  C: number;
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
}

export function poolOutSize(p: PoolGeom): [number, number] {
  return [
    Math.floor((p.H + p.pads[0] + p.pads[2] - p.kernel[0]) / p.stride[0]) + 1,
    Math.floor((p.W + p.pads[1] + p.pads[3] - p.kernel[1]) / p.stride[1]) + 1,
  ];
}

/** For every output element: the in-image values of its window (padding left out) and the window area. */
export function poolWindows(x: ArrayLike<number>, p: PoolGeom): { values: number[]; area: number }[] {
  const [OH, OW] = poolOutSize(p);
  const out: { values: number[]; area: number }[] = [];
  for (let b = 0; b < p.batch; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < p.C; c++) {
          const values: number[] = [];
          for (let kh = 0; kh < p.kernel[0]; kh++)
            for (let kw = 0; kw < p.kernel[1]; kw++) {
              const ih = oh * p.stride[0] - p.pads[0] + kh, iw = ow * p.stride[1] - p.pads[1] + kw;
              if (ih >= 0 && ih < p.H && iw >= 0 && iw < p.W) values.push(x[((b * p.H + ih) * p.W + iw) * p.C + c]);
            }
          out.push({ values, area: p.kernel[0] * p.kernel[1] });
        }
  return out;
}

export function maxPoolRef(x: ArrayLike<number>, p: PoolGeom): Float64Array {
  return Float64Array.from(poolWindows(x, p), (w) => Math.max(...w.values));
}

/** Average of (x - zx) over the window: padding (reading as zx) counts only with includePad. */
export function avgPoolRef(x: ArrayLike<number>, p: PoolGeom, includePad: boolean, zx = 0): Float64Array {
  return Float64Array.from(poolWindows(x, p), (w) => {
    let s = 0;
    for (const v of w.values) s += v - zx;
    return s / (includePad ? w.area : w.values.length);
  });
}

/** Integer sums of (x - zx) and the divisor per output, for exact int8 checks. */
export function avgPoolSums(x: ArrayLike<number>, p: PoolGeom, includePad: boolean, zx: number): { sum: number; count: number }[] {
  return poolWindows(x, p).map((w) => {
    let s = 0;
    for (const v of w.values) s += v - zx;
    return { sum: s, count: includePad ? w.area : w.values.length };
  });
}

/**
 * Plain f32 Conv (zero padding) in the summation order edgeq's f32 kernels promise: each output
 * starts from +0 and adds fround(x * w) tap by tap in (kh, kw, c) order, padded taps included
 * (0 * w), each sum rounded to f32 (no fused multiply-add), then adds the bias. f64 holds the
 * exact product of two f32 and rounds a sum of two f32 to f32 without double-rounding error, so
 * this matches an f32 machine bit for bit.
 */
export function convRefF32Ordered(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, g: ConvGeom): Float32Array {
  const f = Math.fround;
  const [OH, OW] = convOutSize(g);
  const Cg = g.Cin / g.groups, Cog = g.Cout / g.groups;
  const y = new Float32Array(g.batch * OH * OW * g.Cout);
  for (let b = 0; b < g.batch; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let n = 0; n < g.Cout; n++) {
          const grp = Math.floor(n / Cog);
          let s = 0;
          for (let kh = 0; kh < g.KH; kh++)
            for (let kw = 0; kw < g.KW; kw++)
              for (let c = 0; c < Cg; c++) {
                const ih = oh * g.stride[0] - g.pads[0] + kh * g.dilation[0], iw = ow * g.stride[1] - g.pads[1] + kw * g.dilation[1];
                const xv = ih < 0 || ih >= g.H || iw < 0 || iw >= g.W ? 0 : f(x[((b * g.H + ih) * g.W + iw) * g.Cin + grp * Cg + c]);
                s = f(s + f(xv * f(w[((n * g.KH + kh) * g.KW + kw) * Cg + c])));
              }
          y[((b * OH + oh) * OW + ow) * g.Cout + n] = bias ? f(s + f(bias[n])) : s;
        }
  return y;
}

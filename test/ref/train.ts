// Scalar f64 references for the training kernels, written from the ONNX Conv / MaxPool /
// AveragePool definitions in NHWC layout.

/** x [B,H,W,C], w [Cout,KH,KW,C/g]; pads top/left (bottom/right implied by OH/OW). */
export function conv2dF64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, g: { B: number; H: number; W: number; C: number; OH: number; OW: number; Cout: number; KH: number; KW: number; SH: number; SW: number; PT: number; PL: number; DH: number; DW: number; Groups: number }): Float64Array {
  const y = new Float64Array(g.B * g.OH * g.OW * g.Cout);
  const Cg = g.C / g.Groups, Og = g.Cout / g.Groups;
  for (let n = 0; n < g.B; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let o = 0; o < g.Cout; o++) {
          const grp = Math.floor(o / Og);
          let s = b ? b[o] : 0;
          for (let kh = 0; kh < g.KH; kh++)
            for (let kw = 0; kw < g.KW; kw++) {
              const ih = oh * g.SH - g.PT + kh * g.DH, iw = ow * g.SW - g.PL + kw * g.DW;
              if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
              for (let c = 0; c < Cg; c++) s += x[((n * g.H + ih) * g.W + iw) * g.C + grp * Cg + c] * w[((o * g.KH + kh) * g.KW + kw) * Cg + c];
            }
          y[((n * g.OH + oh) * g.OW + ow) * g.Cout + o] = s;
        }
  return y;
}

export function poolF64(x: ArrayLike<number>, g: { B: number; H: number; W: number; C: number; OH: number; OW: number; KH: number; KW: number; SH: number; SW: number; PT: number; PL: number; CountIncludePad: number }, max: boolean): Float64Array {
  const y = new Float64Array(g.B * g.OH * g.OW * g.C);
  for (let n = 0; n < g.B; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let c = 0; c < g.C; c++) {
          let s = max ? -Infinity : 0, count = 0;
          for (let kh = 0; kh < g.KH; kh++)
            for (let kw = 0; kw < g.KW; kw++) {
              const ih = oh * g.SH - g.PT + kh, iw = ow * g.SW - g.PL + kw;
              if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
              const v = x[((n * g.H + ih) * g.W + iw) * g.C + c];
              s = max ? Math.max(s, v) : s + v;
              count++;
            }
          y[((n * g.OH + oh) * g.OW + ow) * g.C + c] = max ? s : s / (g.CountIncludePad ? g.KH * g.KW : count);
        }
  return y;
}

// NHWC max / average pooling for training, forward and backward. Max pooling records for every
// output the flat index of the input it took (first maximum in (kh, kw) order), so its backward
// is a scatter; an output whose window holds no pixel gets -inf and index -1.
import { PoolDesc, pd } from "./desc";

@inline function f(p: usize, i: usize): f32 { return load<f32>(p + (i << 2)); }

export function f32_maxpool_nhwc(d: usize, x: usize, y: usize, argmax: usize): void {
  const B = pd(d, PoolDesc.B), H = pd(d, PoolDesc.H), W = pd(d, PoolDesc.W), C = pd(d, PoolDesc.C);
  const OH = pd(d, PoolDesc.OH), OW = pd(d, PoolDesc.OW), KH = pd(d, PoolDesc.KH), KW = pd(d, PoolDesc.KW);
  const sh = pd(d, PoolDesc.SH), sw = pd(d, PoolDesc.SW), pt = pd(d, PoolDesc.PT), pl = pd(d, PoolDesc.PL);
  const lane = i32x4(0, 1, 2, 3);
  let o: i32 = 0;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++, o += C) {
        // the window clipped to the image; scanned in (kh, kw) order, first maximum wins
        const h0 = max(oh * sh - pt, 0), h1 = min(oh * sh - pt + KH, H);
        const w0 = max(ow * sw - pl, 0), w1 = min(ow * sw - pl + KW, W);
        const yo = y + (<usize>o << 2), ao = argmax + (<usize>o << 2);
        if (h0 >= h1 || w0 >= w1) {
          for (let c = 0; c < C; c++) { store<f32>(yo + (<usize>c << 2), -Infinity); store<i32>(ao + (<usize>c << 2), -1); }
          continue;
        }
        const first = ((b * H + h0) * W + w0) * C;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          let best = v128.load(x + (<usize>(first + c) << 2));
          let bi = i32x4.add(i32x4.splat(first + c), lane);
          for (let ih = h0; ih < h1; ih++)
            for (let iw = w0; iw < w1; iw++) {
              const i = ((b * H + ih) * W + iw) * C + c;
              const v = v128.load(x + (<usize>i << 2));
              const gt = f32x4.gt(v, best);
              best = v128.bitselect(v, best, gt);
              bi = v128.bitselect(i32x4.add(i32x4.splat(i), lane), bi, gt);
            }
          v128.store(yo + (<usize>c << 2), best);
          v128.store(ao + (<usize>c << 2), bi);
        }
        for (; c < C; c++) {
          let best = f(x, <usize>(first + c));
          let bi = first + c;
          for (let ih = h0; ih < h1; ih++)
            for (let iw = w0; iw < w1; iw++) {
              const i = ((b * H + ih) * W + iw) * C + c;
              const v = f(x, <usize>i);
              if (v > best) { best = v; bi = i; }
            }
          store<f32>(yo + (<usize>c << 2), best);
          store<i32>(ao + (<usize>c << 2), bi);
        }
      }
}

/** dx[argmax[o]] += dy[o]; indices outside [0, limit) are ignored. */
export function f32_maxpool_backward_nhwc(count: i32, dy: usize, argmax: usize, limit: i32, dx: usize): void {
  for (let o = 0; o < count; o++) {
    const i = load<i32>(argmax + (<usize>o << 2));
    if (i < 0 || i >= limit) continue;
    const p = dx + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + f(dy, <usize>o));
  }
}

@inline function divisor(d: usize, oh: i32, ow: i32): i32 {
  const H = pd(d, PoolDesc.H), W = pd(d, PoolDesc.W), KH = pd(d, PoolDesc.KH), KW = pd(d, PoolDesc.KW);
  if (pd(d, PoolDesc.CountIncludePad)) return KH * KW;
  const h0 = oh * pd(d, PoolDesc.SH) - pd(d, PoolDesc.PT), w0 = ow * pd(d, PoolDesc.SW) - pd(d, PoolDesc.PL);
  const n = (min(h0 + KH, H) - max(h0, 0)) * (min(w0 + KW, W) - max(w0, 0));
  return n > 0 ? n : 1;
}

/** Average pooling; backward = true spreads dy (at `a`) over the windows into dx (at `b`), adding. */
export function f32_avgpool_nhwc(d: usize, a: usize, b_: usize, backward: bool): void {
  const B = pd(d, PoolDesc.B), H = pd(d, PoolDesc.H), W = pd(d, PoolDesc.W), C = pd(d, PoolDesc.C);
  const OH = pd(d, PoolDesc.OH), OW = pd(d, PoolDesc.OW), KH = pd(d, PoolDesc.KH), KW = pd(d, PoolDesc.KW);
  const sh = pd(d, PoolDesc.SH), sw = pd(d, PoolDesc.SW), pt = pd(d, PoolDesc.PT), pl = pd(d, PoolDesc.PL);
  let o: usize = 0;
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        const inv: f32 = 1 / <f32>divisor(d, oh, ow);
        for (let c = 0; c < C; c++, o++) {
          let s: f32 = 0;
          const g = backward ? f(a, o) * inv : 0;
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * sh - pt + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * sw - pl + kw;
              if (iw < 0 || iw >= W) continue;
              const i = <usize>(((b * H + ih) * W + iw) * C + c);
              if (backward) store<f32>(b_ + (i << 2), f(b_, i) + g);
              else s += f(a, i);
            }
          }
          if (!backward) store<f32>(b_ + (o << 2), s * inv);
        }
      }
}

// Activation memory plan: tensors whose lifetimes do not overlap share arena bytes. Offsets are
// per sample (sizes rounded to 16), so the arena for a batch is the same plan scaled by batch.
// Model inputs and outputs are pinned for the whole run: the host writes and reads them.
import { ErrorCode, Format, Kind } from "./format/spec";
import { alloc, free } from "./runtime/alloc";
import { fail } from "./runtime/errors";
import { Model, inputId, opIn, opNumIn, opNumOut, opOut, outputId, rt, tKind } from "./model";

const PINNED: i32 = 0x7fffffff;

/** Free extents as (offset, size) u32 pairs sorted by offset, coalesced on insert. */
let holes: usize = 0;
let nHoles: i32 = 0;

function take(size: u32, top: usize): u32 {
  for (let i = 0; i < nHoles; i++) {
    const p = holes + (<usize>i << 3);
    const off = load<u32>(p), sz = load<u32>(p, 4);
    if (sz >= size) {
      if (sz == size) {
        memory.copy(p, p + 8, <usize>(nHoles - i - 1) << 3);
        nHoles--;
      } else {
        store<u32>(p, off + size);
        store<u32>(p, sz - size, 4);
      }
      return off;
    }
  }
  const off = load<u32>(top);
  store<u32>(top, off + size);
  return off;
}

function give(off: u32, size: u32): void {
  let i = 0;
  while (i < nHoles && load<u32>(holes + (<usize>i << 3)) < off) i++;
  memory.copy(holes + (<usize>(i + 1) << 3), holes + (<usize>i << 3), <usize>(nHoles - i) << 3);
  store<u32>(holes + (<usize>i << 3), off);
  store<u32>(holes + (<usize>i << 3), size, 4);
  nHoles++;
  // merge with the next, then with the previous extent
  if (i + 1 < nHoles) {
    const p = holes + (<usize>i << 3), q = p + 8;
    if (load<u32>(p) + load<u32>(p, 4) == load<u32>(q)) {
      store<u32>(p, load<u32>(p, 4) + load<u32>(q, 4), 4);
      memory.copy(q, q + 8, <usize>(nHoles - i - 2) << 3);
      nHoles--;
    }
  }
  if (i > 0) {
    const p = holes + (<usize>(i - 1) << 3), q = p + 8;
    if (load<u32>(p) + load<u32>(p, 4) == load<u32>(q)) {
      store<u32>(p, load<u32>(p, 4) + load<u32>(q, 4), 4);
      memory.copy(q, q + 8, <usize>(nHoles - i - 1) << 3);
      nHoles--;
    }
  }
}

@inline function bytesOf(m: Model, t: u32): u32 {
  const info = rt(m, t);
  return (info.numel * info.elemSize + 15) & ~15;
}

/** Assigns TensorRt.arenaOff for every activation and sets m.arenaPerSample. */
export function planArena(m: Model): i32 {
  const nT = m.nTensors;
  const last = alloc(<usize>nT << 2); // last op reading each tensor, PINNED, or -1
  holes = alloc(<usize>(nT + 1) << 3);
  const top = alloc(16);
  if (last == 0 || holes == 0 || top == 0) {
    free(last); free(holes); free(top);
    return fail(ErrorCode.OutOfMemory, "out of memory planning activations");
  }
  nHoles = 0;
  store<u32>(top, 0);
  for (let t: u32 = 0; t < nT; t++) store<i32>(last + (<usize>t << 2), -1);
  for (let o: u32 = 0; o < m.nOps; o++) {
    const nin = opNumIn(m, o);
    for (let i = 0; i < nin; i++) {
      const t = opIn(m, o, i);
      if (t != <u32>Format.NoTensor && tKind(m, t) == Kind.Act) store<i32>(last + (<usize>t << 2), <i32>o);
    }
  }
  for (let i: u32 = 0; i < m.nIn; i++) store<i32>(last + (<usize>inputId(m, i) << 2), PINNED);
  for (let i: u32 = 0; i < m.nOut; i++) store<i32>(last + (<usize>outputId(m, i) << 2), PINNED);
  for (let i: u32 = 0; i < m.nIn; i++) {
    const t = inputId(m, i);
    rt(m, t).arenaOff = take(bytesOf(m, t), top);
  }
  for (let o: u32 = 0; o < m.nOps; o++) {
    const nout = opNumOut(m, o);
    for (let i = 0; i < nout; i++) {
      const t = opOut(m, o, i);
      rt(m, t).arenaOff = take(bytesOf(m, t), top);
    }
    // release what this op read for the last time, and outputs nobody reads
    const nin = opNumIn(m, o);
    for (let i = 0; i < nin + nout; i++) {
      const t = i < nin ? opIn(m, o, i) : opOut(m, o, i - nin);
      if (t == <u32>Format.NoTensor || tKind(m, t) != Kind.Act) continue;
      const l = load<i32>(last + (<usize>t << 2));
      if (l == <i32>o || (i >= nin && l == -1)) {
        give(rt(m, t).arenaOff, bytesOf(m, t));
        store<i32>(last + (<usize>t << 2), -2); // released once even if read twice
      }
    }
    if (load<u32>(top) > 0x40000000) break;
  }
  const total = load<u32>(top);
  free(last); free(holes); free(top);
  holes = 0;
  if (total > 0x40000000) return fail(ErrorCode.Overflow, "activations exceed 1 GiB per sample");
  m.arenaPerSample = total;
  return 0;
}

// Timing: warm-up, then >= 7 timed runs; medians are the headline, minima are kept too because
// a shared machine preempts long runs (the minimum is the least disturbed run).
export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

export interface TimingOptions {
  runs: number;
  warmup: number;
  /** Repeat a run until it lasts at least this long, so sub-millisecond kernels time well. */
  minBatchMs: number;
}

export const FULL: TimingOptions = { runs: 15, warmup: 3, minBatchMs: 5 };
export const QUICK: TimingOptions = { runs: 7, warmup: 1, minBatchMs: 0 };

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Times fn (one inference). Async fns (onnxruntime-web) are awaited. */
export async function time(fn: () => unknown | Promise<unknown>, o: TimingOptions): Promise<Timing> {
  for (let i = 0; i < o.warmup; i++) await fn();
  // calibrate how many calls make one sample
  let reps = 1;
  if (o.minBatchMs > 0) {
    const t0 = performance.now();
    await fn();
    const one = Math.max(performance.now() - t0, 1e-3);
    reps = Math.max(1, Math.min(1000, Math.ceil(o.minBatchMs / one)));
  }
  const t: number[] = [];
  for (let i = 0; i < Math.max(7, o.runs); i++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) await fn();
    t.push((performance.now() - t0) / reps);
  }
  return { medianMs: median(t), minMs: Math.min(...t), runs: t.length };
}

// Timing options and helpers: warm-up, then >= 7 rounds; medians are the headline, minima kept.
// Samples are CPU time of the process (see harness.ts cpuMs), batched to at least minBatchMs.
export interface TimingOptions {
  runs: number;
  warmup: number;
  /** Repeat a run until it lasts at least this long, so sub-millisecond kernels time well. */
  minBatchMs: number;
}

export const FULL: TimingOptions = { runs: 15, warmup: 2, minBatchMs: 10 };
export const QUICK: TimingOptions = { runs: 7, warmup: 1, minBatchMs: 0 };

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

// Batch-1 latency of a loaded model: warm up, then time single runs for a fixed wall-clock budget
// and report the median (robust to the odd GC pause or a noisy neighbour).
import type { Model } from "../runtime/engine.ts";

export interface Latency {
  medianUs: number;
  p90Us: number;
  runs: number;
}

export function latency(model: Model, sample: Float32Array, budgetMs = 300): Latency {
  const feed = [sample];
  for (let i = 0; i < 20; i++) model.run(feed);
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < 20) {
    const t0 = performance.now();
    model.run(feed);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return { medianUs: times[Math.floor(times.length / 2)], p90Us: times[Math.floor(times.length * 0.9)], runs: times.length };
}

// The synthetic int8 dot peak (bench/peak.wat), compiled with wabt at bench time.
import { readFileSync } from "node:fs";
import wabtInit from "wabt";

const OPS_PER_ITER = 8 * 8 * 2; // 8 dots x 8 multiply-adds x 2 ops

export async function peakModule(): Promise<(n: number) => number> {
  const wabt = await wabtInit();
  const src = readFileSync(new URL("./peak.wat", import.meta.url), "utf8");
  const mod = wabt.parseWat("peak.wat", src, { simd: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const { instance } = await WebAssembly.instantiate(new Uint8Array(buffer));
  return instance.exports.peak as (n: number) => number;
}

/** GOPS of the register-only dot loop: median of `runs` calls after warm-up, in CPU time. */
export async function measurePeak(runs: number, iters = 2_000_000): Promise<number> {
  const peak = await peakModule();
  peak(iters / 10);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const u0 = process.cpuUsage();
    peak(iters);
    const u = process.cpuUsage(u0);
    t.push((u.user + u.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return (iters * OPS_PER_ITER) / (t[t.length >> 1] * 1e6);
}

/** A sampler of the peak for round-robin timing: each call times one short run (~1 ms). */
export async function peakSampler(iters = 500_000): Promise<() => number> {
  const peak = await peakModule();
  peak(iters);
  return () => {
    const u0 = process.cpuUsage();
    peak(iters);
    const u = process.cpuUsage(u0);
    return (iters * OPS_PER_ITER) / (((u.user + u.system) / 1000) * 1e6);
  };
}

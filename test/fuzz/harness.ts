// Loads mutants into one engine: each must load or fail with a typed EdgeqError (never a trap
// or a host exception), a loaded mutant must run without trapping, and nothing may leak.
import { ErrorCode } from "../../assembly/format/spec.ts";
import type { Engine } from "../../src/runtime/engine.ts";
import { EdgeqError } from "../../src/runtime/errors.ts";
import { Rng } from "../helpers/rng.ts";
import { seedModels } from "./corpus.ts";
import { mutate } from "./mutate.ts";

export interface FuzzStats {
  runs: number;
  loaded: number;
  rejected: Record<string, number>;
  crashes: { seed: number; error: string }[];
}

function fillInputs(m: ReturnType<Engine["load"]>, rng: Rng, batch: number) {
  return m.inputs.map((i) => {
    const n = batch * i.shape.reduce((a, b) => a * b, 1);
    if (i.dtype === 2) return rng.i8(n);
    if (i.dtype === 3) return Int32Array.from({ length: n }, () => rng.int(-1000, 1000));
    return rng.f32(n);
  });
}

export function fuzz(engine: Engine, runs: number, seed = 1, onProgress?: (done: number) => void): FuzzStats {
  const seeds = seedModels();
  const stats: FuzzStats = { runs: 0, loaded: 0, rejected: {}, crashes: [] };
  const baseline = engine.memoryStats().inUse;
  for (let i = 0; i < runs; i++) {
    const caseSeed = seed * 1_000_003 + i;
    const rng = new Rng(caseSeed);
    const bytes = mutate(seeds[rng.int(0, seeds.length - 1)].bytes, rng);
    stats.runs++;
    try {
      const m = engine.load(bytes);
      stats.loaded++;
      try {
        for (const batch of [1, 3]) {
          const ins = fillInputs(m, rng, batch);
          if (ins.reduce((a, x) => a + x.length, 0) > 1 << 22) break;
          m.run(ins);
        }
      } finally {
        m.dispose();
      }
    } catch (e) {
      if (e instanceof EdgeqError && e.code !== ErrorCode.Aborted && e.code !== ErrorCode.Internal) {
        stats.rejected[e.codeName] = (stats.rejected[e.codeName] ?? 0) + 1;
      } else if (e instanceof EdgeqError && e.code === ErrorCode.OutOfMemory) {
        stats.rejected[e.codeName] = (stats.rejected[e.codeName] ?? 0) + 1;
      } else {
        stats.crashes.push({ seed: caseSeed, error: String((e as Error)?.stack ?? e) });
      }
    }
    if (onProgress && i % 1000 === 999) onProgress(i + 1);
  }
  const leaked = engine.memoryStats().inUse - baseline;
  if (leaked !== 0) stats.crashes.push({ seed: -1, error: `allocator holds ${leaked} more bytes than before fuzzing` });
  return stats;
}

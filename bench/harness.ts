// Shared bench plumbing: result rows, verify-then-time for one contender, output checks.
import type { Engine } from "../src/runtime/engine.ts";
import { median, type TimingOptions } from "./timing.ts";

export interface Row {
  group: string;
  case: string;
  contender: string;
  /** int8-equivalent (or f32) operations per run: 2 per multiply-add. */
  ops: number;
  int8: boolean;
  status: "ok" | "wrong" | "error" | "unavailable";
  medianMs?: number;
  minMs?: number;
  gops?: number;
  pctPeak?: number;
  wallMedianMs?: number;
  /** memory rows: peak wasm memory / (model bytes + activation bytes) */
  memRatio?: number;
  /** The dot peak measured in the same rounds as this row (int8 rows). */
  peakGops?: number;
  /** CPU ms per call in each round, in round order (rows settled together share rounds). */
  samplesMs?: number[];
  /** The dot peak's GOPS in each round, in round order (int8 rows). */
  peakSamples?: number[];
  /** Rows with the same id were timed in the same rounds (one settle() call). */
  settleId?: number;
  note?: string;
}

export interface Ctx {
  opts: TimingOptions;
  quick: boolean;
  engine: Engine;
  /** edgeq engines to run, by contender tag: the SIMD128 build, plus the relaxed one in the child. */
  engines: [string, Engine][];
  /** "main" runs every contender; "relaxed" (the child process) only edgeq's int8 paths. */
  role: "main" | "relaxed";
  rows: Row[];
  pending: Pending[];
  /** One timed sample of the dot peak, in GOPS. */
  peakSample: () => number;
  log: (s: string) => void;
}

export interface Runner {
  run(): unknown;
  release?(): unknown;
}

export type Check = (out: unknown) => string | null;

export interface CaseInfo { group: string; name: string; ops: number; int8: boolean }

interface Pending { info: CaseInfo; contender: string; make: () => Runner | Promise<Runner>; check: Check }

/** Registers a contender for the current case; `settle` verifies and times them together. */
export function contend(ctx: Ctx, info: CaseInfo, contender: string, make: () => Runner | Promise<Runner>, check: Check): void {
  ctx.pending.push({ info, contender, make, check });
}

/**
 * Verifies every pending contender against its reference, then times the correct ones
 * round-robin: each round takes one sample of every contender (and of the dot peak, for int8
 * cases), so all contenders of a case see the same machine conditions and their ratios hold
 * even on a loaded machine. Medians over rounds are reported, minima kept.
 */
let settles = 0;
export async function settle(ctx: Ctx): Promise<void> {
  const settleId = ++settles;
  const live: { row: Row; r: Runner; reps: number; t: number[]; wall: number[] }[] = [];
  for (const p of ctx.pending.splice(0)) {
    const row: Row = { group: p.info.group, case: p.info.name, contender: p.contender, ops: p.info.ops, int8: p.info.int8, status: "ok" };
    ctx.rows.push(row);
    let r: Runner | undefined;
    try {
      r = await p.make();
      const err = p.check(await r.run());
      if (err) { row.status = "wrong"; row.note = err; await r.release?.(); continue; }
      for (let i = 0; i < ctx.opts.warmup; i++) await r.run();
      live.push({ row, r, reps: await calibrate(() => r!.run(), ctx.opts.minBatchMs), t: [], wall: [] });
    } catch (e) {
      row.status = "error";
      row.note = (e as Error).message.split("\n")[0].slice(0, 160);
      try { await r?.release?.(); } catch { /* reported above */ }
    }
  }
  const int8 = live.some((l) => l.row.int8);
  const peakT: number[] = [];
  const rounds = Math.max(7, ctx.opts.runs);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < live.length; i++) {
      const l = live[(i + round) % live.length];
      const w0 = performance.now(), c0 = cpuMs();
      for (let k = 0; k < l.reps; k++) await l.r.run();
      l.t.push((cpuMs() - c0) / l.reps);
      l.wall.push((performance.now() - w0) / l.reps);
    }
    if (int8) peakT.push(ctx.peakSample());
  }
  const peak = int8 ? median(peakT) : 0;
  for (const l of live) {
    l.row.medianMs = median(l.t);
    l.row.minMs = Math.min(...l.t);
    l.row.wallMedianMs = median(l.wall);
    l.row.samplesMs = l.t;
    l.row.settleId = settleId;
    l.row.gops = l.row.ops / (l.row.medianMs * 1e6);
    if (l.row.int8) { l.row.pctPeak = (100 * l.row.gops) / peak; l.row.peakGops = peak; l.row.peakSamples = peakT; }
    try { await l.r.release?.(); } catch { /* timing already recorded */ }
  }
  for (const l of live) ctx.log(`  ${l.row.group} ${l.row.case} ${l.row.contender}: ${l.row.medianMs!.toFixed(3)} ms`);
}

/**
 * CPU time of this process in ms. The bench machine is shared (load average far above its two
 * cores), so wall-clock samples mostly measure the scheduler; CPU time counts only the time the
 * process actually ran. Wall-clock medians are kept in the JSON as wallMedianMs.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function calibrate(fn: () => unknown, minBatchMs: number): Promise<number> {
  if (minBatchMs <= 0) return 1;
  const t0 = performance.now();
  await fn();
  const one = Math.max(performance.now() - t0, 1e-3);
  return Math.max(1, Math.min(1000, Math.ceil(minBatchMs / one)));
}

type Num = ArrayLike<number> | ArrayLike<bigint>;

/** Every value equal. */
export function exact(ref: ArrayLike<number>): Check {
  return (out) => {
    const o = out as ArrayLike<number>;
    if (o.length !== ref.length) return `length ${o.length}, expected ${ref.length}`;
    let bad = 0, first = -1;
    for (let i = 0; i < ref.length; i++) if (Number(o[i]) !== ref[i]) { bad++; if (first < 0) first = i; }
    return bad ? `${bad}/${ref.length} values differ (first [${first}] ${o[first]} vs ${ref[first]})` : null;
  };
}

/** |out - ref| <= rel * (1 + |ref|) everywhere (float kernels with their own summation order). */
export function close(ref: ArrayLike<number>, rel = 1e-3): Check {
  return (out) => {
    const o = out as ArrayLike<number>;
    if (o.length !== ref.length) return `length ${o.length}, expected ${ref.length}`;
    let scale = 0;
    for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
    for (let i = 0; i < ref.length; i++)
      if (!(Math.abs(o[i] - ref[i]) <= rel * (1 + Math.abs(ref[i]) + 1e-3 * scale))) return `[${i}] ${o[i]} vs ${ref[i]}`;
    return null;
  };
}

/** Quantized outputs: every value within `tol` of the reference (rounding ties may differ by one). */
export function within(ref: ArrayLike<number>, tol: number, offset = 0): Check {
  return (out) => {
    const o = out as Num;
    if (o.length !== ref.length) return `length ${o.length}, expected ${ref.length}`;
    let bad = 0, first = -1;
    for (let i = 0; i < ref.length; i++) if (Math.abs(Number(o[i]) - offset - ref[i]) > tol) { bad++; if (first < 0) first = i; }
    return bad ? `${bad}/${ref.length} values off by more than ${tol} (first [${first}] ${Number((o as ArrayLike<number>)[first]) - offset} vs ${ref[first]})` : null;
  };
}

export const reference: Check = () => null;

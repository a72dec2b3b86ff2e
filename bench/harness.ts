// Shared bench plumbing: result rows, verify-then-time for one contender, output checks.
import type { Engine } from "../src/runtime/engine.ts";
import { time, type TimingOptions } from "./timing.ts";

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
  note?: string;
}

export interface Ctx {
  opts: TimingOptions;
  quick: boolean;
  engine: Engine;
  /** "main" runs every contender; "relaxed" (the child process) only edgeq's int8 paths. */
  role: "main" | "relaxed";
  rows: Row[];
  log: (s: string) => void;
}

export interface Runner {
  run(): unknown;
  release?(): unknown;
}

export type Check = (out: unknown) => string | null;

export interface CaseInfo { group: string; name: string; ops: number; int8: boolean }

/** Builds the contender, checks its output against the reference, and times it only if correct. */
export async function contend(ctx: Ctx, c: CaseInfo, contender: string, make: () => Runner | Promise<Runner>, check: Check): Promise<Row> {
  const row: Row = { group: c.group, case: c.name, contender, ops: c.ops, int8: c.int8, status: "ok" };
  let r: Runner | undefined;
  try {
    r = await make();
    const err = check(await r.run());
    if (err) {
      row.status = "wrong";
      row.note = err;
    } else {
      const t = await time(() => r!.run(), ctx.opts);
      row.medianMs = t.medianMs;
      row.minMs = t.minMs;
      row.gops = c.ops / (t.medianMs * 1e6);
    }
  } catch (e) {
    row.status = "error";
    row.note = (e as Error).message.split("\n")[0].slice(0, 160);
  } finally {
    try { await r?.release?.(); } catch { /* already reported */ }
  }
  ctx.rows.push(row);
  ctx.log(`  ${c.group} ${c.name} ${contender}: ${row.status}${row.medianMs !== undefined ? ` ${row.medianMs.toFixed(3)} ms` : ""}${row.note ? ` (${row.note})` : ""}`);
  return row;
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

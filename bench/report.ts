// The printed table and the issue-3 target figures computed from one run's rows.
import type { Row } from "./harness.ts";

export interface Target { figure: string; target: string; value: number | null; met: boolean | null; from: string; valueFromMinima?: number | null }

let useMin = false;
const find = (rows: Row[], group: string, caseName: string | RegExp, contender: string | RegExp): Row | undefined =>
  rows.find((x) => x.group === group && x.status === "ok" && (typeof caseName === "string" ? x.case === caseName : caseName.test(x.case)) && (typeof contender === "string" ? x.contender === contender : contender.test(x.contender)));
const ms = (rows: Row[], group: string, caseName: string | RegExp, contender: string | RegExp): Row | null => find(rows, group, caseName, contender) ?? null;
const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const pct = (rows: Row[], group: string, caseName: string, contender: string): number | null => {
  const r = find(rows, group, caseName, contender);
  if (!r) return null;
  if (useMin) return (100 * r.ops) / (r.minMs! * 1e6) / r.peakGops!;
  // paired: each round's speed over the peak sampled in that round
  if (r.samplesMs && r.peakSamples?.length === r.samplesMs.length) return med(r.samplesMs.map((t, i) => (100 * r.ops) / (t * 1e6) / r.peakSamples![i]));
  return r.pctPeak ?? null;
};
/**
 * How many times faster b is than a. Rows timed in the same rounds give the median of the
 * per-round ratios (paired: a drift of the machine's speed between rounds cancels); otherwise,
 * and for the minima, the ratio of the two statistics.
 */
const ratio = (a: Row | null, b: Row | null): number | null => {
  if (!a || !b) return null;
  if (useMin) return a.minMs! / b.minMs!;
  if (a.samplesMs && b.samplesMs && a.settleId === b.settleId && a.samplesMs.length === b.samplesMs.length) return med(a.samplesMs.map((t, i) => t / b.samplesMs![i]));
  return a.medianMs! / b.medianMs!;
};

/** Targets from medians, each also recomputed from minima (the least disturbed runs). */
export function summarize(rows: Row[]): Target[] {
  useMin = false;
  const t = summarizeWith(rows);
  useMin = true;
  const m = summarizeWith(rows);
  useMin = false;
  t.forEach((x, i) => (x.valueFromMinima = m[i].value));
  return t;
}

function summarizeWith(rows: Row[]): Target[] {
  const t: Target[] = [];
  const add = (figure: string, target: string, value: number | null, min: number, from: string) =>
    t.push({ figure, target, value: value === null ? null : +value.toFixed(3), met: value === null ? null : value >= min, from });
  // GEMV vs onnxruntime-web's fastest correct mode (int8 or f32)
  for (const c of ["1x1024x1024", "1x64x32"]) {
    const ort = rows.filter((r) => r.case === c && r.status === "ok" && r.contender.startsWith("ort-web") && r.medianMs !== undefined).sort((a, b) => a.medianMs! - b.medianMs!)[0];
    if (!ort) continue;
    add(`GEMV ${c}: edgeq int8 vs ${ort.contender}`, ">= 4x", ratio(ort, ms(rows, "gemm-int8", c, "edgeq-simd128 int8")), 4, "gemm-int8");
    add(`GEMV ${c}: % of dot peak`, ">= 50 %", pct(rows, "gemm-int8", c, "edgeq-simd128 int8"), 50, "gemm-int8");
  }
  for (const c of ["64x1024x1024", "5x40x24"]) add(`GEMM ${c}: % of dot peak`, ">= 65 %", pct(rows, "gemm-int8", c, "edgeq-simd128 int8"), 65, "gemm-int8");
  const dense = ms(rows, "sparse-int8", / dense$/, "edgeq-simd128");
  add("CSR 90 % zeros vs dense int8", ">= 4x", ratio(dense, ms(rows, "sparse-int8", / csr 90%$/, "edgeq-simd128")), 4, "sparse-int8");
  add("2:4 vs dense int8", ">= 1.5x", ratio(dense, ms(rows, "sparse-int8", / 2:4$/, "edgeq-simd128")), 1.5, "sparse-int8");
  add("50 % channel-pruned vs dense", ">= 1.8x", ratio(dense, ms(rows, "sparse-int8", / channel-pruned 50%$/, "edgeq-simd128")), 1.8, "sparse-int8");
  add("codebook 4-bit vs int8 dense", ">= 0.9x", ratio(dense, ms(rows, "sparse-int8", / codebook 4-bit$/, "edgeq-simd128")), 0.9, "sparse-int8");
  for (const net of ["lenet-5", "lenet-300-100"]) {
    const b1 = new RegExp(`^${net} b1$`), bN = new RegExp(`^${net} b(32|2|3)$`);
    const i8b1 = ms(rows, "model", b1, "edgeq-simd128 int8");
    add(`${net} int8 b1 vs ort-web f32`, ">= 3x", ratio(ms(rows, "model", b1, "ort-web f32"), i8b1), 3, "model");
    add(`${net} int8 b1 vs ort-web int8`, ">= 2x", ratio(ms(rows, "model", b1, /^ort-web int8/), i8b1), 2, "model");
    add(`${net}: edgeq int8 vs edgeq f32, b1`, ">= 2x", ratio(ms(rows, "model", b1, "edgeq-simd128 f32"), i8b1), 2, "model");
    add(`${net}: edgeq int8 vs edgeq f32, batch`, ">= 2x", ratio(ms(rows, "model", bN, "edgeq-simd128 f32"), ms(rows, "model", bN, "edgeq-simd128 int8")), 2, "model");
  }
  const mem = rows.filter((r) => r.group === "memory" && r.memRatio !== undefined);
  if (mem.length) {
    const worst = mem.reduce((a, b) => (b.memRatio! > a.memRatio! ? b : a));
    add(`peak wasm memory / (model + activation bytes), worst: ${worst.case}`, "<= 2x", 2 / worst.memRatio!, 1, "memory");
    t[t.length - 1].value = worst.memRatio!;
  }
  const big = rows.some((r) => r.case === "64x1024x1024") ? "64x1024x1024" : "5x40x24";
  add(`relaxed vs SIMD128, 7-bit weights (exact), ${big}`, ">= 1.4x", ratio(ms(rows, "gemm-int8-w7", big, "edgeq-simd128 (child) int8 w7"), ms(rows, "gemm-int8-w7", big, "edgeq-relaxed int8 w7")), 1.4, "gemm-int8-w7");
  const gv = rows.some((r) => r.case === "1x1024x1024") ? "1x1024x1024" : "1x64x32";
  add(`relaxed vs SIMD128, 7-bit weights (exact), ${gv}`, ">= 1.4x", ratio(ms(rows, "gemm-int8-w7", gv, "edgeq-simd128 (child) int8 w7"), ms(rows, "gemm-int8-w7", gv, "edgeq-relaxed int8 w7")), 1.4, "gemm-int8-w7");
  return t;
}

const f = (v: number | undefined, d = 3) => (v === undefined ? "" : v.toFixed(d));

export function table(res: { machine: Record<string, unknown>; peakGops: number; rows: Row[]; targets: Target[]; command: string }): string {
  const lines: string[] = [];
  lines.push(`# ${res.command}`);
  lines.push(`machine: ${Object.entries(res.machine).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("/") : v}`).join(", ")}`);
  lines.push(`int8 dot peak (register-only i32x4.dot_i16x8_s loop): ${res.peakGops.toFixed(1)} GOPS at start; "% peak" uses the peak sampled in the same rounds as each row`);
  lines.push("");
  const head = ["group", "case", "contender", "median ms", "min ms", "GOPS", "% peak", "status"];
  const body = res.rows.map((r) => [r.group, r.case, r.contender, f(r.medianMs), f(r.minMs), f(r.gops, 1), f(r.pctPeak, 1), r.status + (r.note ? `: ${r.note}` : "")]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => Math.min(60, b[i].length))));
  const fmt = (c: string[]) => "| " + c.map((s, i) => (i >= 3 && i <= 6 ? s.padStart(w[i]) : s.padEnd(w[i]))).join(" | ") + " |";
  lines.push(fmt(head), "|" + w.map((n, i) => (i >= 3 && i <= 6 ? "-".repeat(n + 1) + ":" : "-".repeat(n + 2))).join("|") + "|", ...body.map(fmt));
  lines.push("", "targets (medians from this run; from minima in brackets):");
  for (const t of res.targets) lines.push(`  ${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${t.figure}: ${t.value ?? "-"} [${t.valueFromMinima ?? "-"}] (target ${t.target})`);
  return lines.join("\n");
}

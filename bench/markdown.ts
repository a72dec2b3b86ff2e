// Renders a bench result file as the Markdown tables of docs/performance.md, so the record is
// regenerated from a run instead of copied by hand:
//   node --import tsx bench/markdown.ts bench/results/final.json
import { readFileSync } from "node:fs";
import type { Row } from "./harness.ts";
import type { Target } from "./report.ts";

interface Result {
  command: string;
  machine: { cpu: string; cores: number; node: string; v8: string; loadavg: number[]; ortWeb: string; tfjs: string; date: string };
  peakGops: number;
  rows: Row[];
  targets: Target[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: bench/markdown.ts <bench/results/name.json>");
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, "utf8")) as Result;
const f = (x: number | undefined | null, d = 3) => (x === undefined || x === null ? "" : x.toFixed(d));
const m = r.machine;
const lines: string[] = [];
lines.push(`Run of ${m.date.slice(0, 16).replace("T", " ")} UTC (\`${r.command}\`): ${m.cpu}, ${m.cores} cores, Node ${m.node} (V8 ${m.v8}), onnxruntime-web ${m.ortWeb}, tfjs ${m.tfjs}, load average [${m.loadavg.map((x) => x.toFixed(2)).join(", ")}]; synthetic dot peak ${f(r.peakGops, 1)} GOPS (CPU time) at start.`, "");

const child = (x: Row) => x.contender.includes("(child)") || x.contender.startsWith("edgeq-relaxed");
lines.push("| case | contender | median ms | GOPS | % peak |", "|---|---|---:|---:|---:|");
for (const x of r.rows.filter((x) => x.group !== "memory" && !child(x))) {
  const status = x.status === "ok" ? "" : ` (${x.status})`;
  lines.push(`| ${x.case} | ${x.contender}${status} | ${f(x.medianMs)} | ${f(x.gops, 1)} | ${x.int8 && x.pctPeak !== undefined ? f(x.pctPeak, 0) : ""} |`);
}

const relaxed = r.rows.filter((x) => x.contender.startsWith("edgeq-relaxed") && x.status === "ok");
if (relaxed.length) {
  lines.push("", "Relaxed build vs SIMD128, timed in the same rounds in the child Node:", "", "| group | case | SIMD128 ms | relaxed ms | ratio |", "|---|---|---:|---:|---:|");
  for (const x of relaxed) {
    const base = r.rows.find((y) => y.group === x.group && y.case === x.case && y.contender === x.contender.replace("edgeq-relaxed", "edgeq-simd128 (child)"));
    if (base?.medianMs && x.medianMs) lines.push(`| ${x.group} | ${x.case} | ${f(base.medianMs)} | ${f(x.medianMs)} | ${f(base.medianMs / x.medianMs, 2)} |`);
  }
}

const mem = r.rows.filter((x) => x.group === "memory");
if (mem.length) {
  lines.push("", "Memory (peak allocator bytes during load + one run over container bytes + all activation bytes):", "", "| model | ratio | detail |", "|---|---:|---|");
  for (const x of mem) lines.push(`| ${x.case} | ${x.status === "ok" ? f(x.memRatio) : x.status} | ${x.note ?? ""} |`);
}

lines.push("", "Targets (medians; from minima in brackets):", "", "| figure | target | value | |", "|---|---|---|---|");
for (const t of r.targets.filter((t) => t.value !== null)) lines.push(`| ${t.figure} | ${t.target} | ${t.value ?? "n/a"} [${t.valueFromMinima ?? "n/a"}] | ${t.met ? "met" : "**missed**"} |`);
console.log(lines.join("\n"));

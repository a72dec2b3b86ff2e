// `node --import tsx bench/load-dot.ts`: what one int8 dot costs under this V8 in four inner-loop
// shapes, all on L1-resident data (wat compiled with wabt; 16 dots an iteration into 8
// accumulators). It is the evidence for the 2:4 pair kernel's ceiling in docs/performance.md:
// the pair kernel needs its own 16-byte load for every dot (the pair's activations differ per
// weight row), the dense 4x2 tile shares each widening load between 2-4 dots.
import wabtInit from "wabt";
import { median } from "./timing.ts";

const acc = (i: number, v: string) => `(local.set $a${i % 8} (i32x4.add (local.get $a${i % 8}) ${v}))\n`;
const load = (off: number) => `(v128.load offset=${off % 2048} (local.get $p))`;
const load8 = (off: number) => `(v128.load8x8_s offset=${off % 2048} (local.get $p))`;
const dot = (x: string, w: string) => `(i32x4.dot_i16x8_s ${x} ${w})`;
const W = "(local.get $w)";

const shapes: Record<string, () => string> = {
  // 2:4 pair kernel: a 16-byte int16 pair-table load per dot
  "pair, int16 table (1 load/dot)": () => Array.from({ length: 16 }, (_, i) => acc(i, dot(load(i * 80), W))).join(""),
  // an int8 pair table: one load feeds two dots through extend_low / extend_high
  "pair, int8 table + extend (0.5 load/dot)": () => {
    let s = "";
    for (let i = 0; i < 16; i += 2) s += `(local.set $t ${load(i * 40)})\n` + acc(i, dot("(i16x8.extend_low_i8x16_s (local.get $t))", W)) + acc(i + 1, dot("(i16x8.extend_high_i8x16_s (local.get $t))", W));
    return s;
  },
  // an int8 pair table read with load8x8_s (the load folds into the widening)
  "pair, int8 table via load8x8_s (1 load/dot)": () => Array.from({ length: 16 }, (_, i) => acc(i, dot(load8(i * 40), W))).join(""),
  // the dense 4x2 tile: 4 activation + 2 weight load8x8_s per 8 dots
  "dense 4x2 tile (0.75 load/dot)": () => {
    let s = "";
    for (let h = 0; h < 2; h++) {
      s += `(local.set $v0 ${load8(h * 64)}) (local.set $v1 ${load8(h * 64 + 8)})\n`;
      for (let r = 0; r < 4; r++) s += `(local.set $t ${load8(h * 64 + 16 + 8 * r)})\n` + acc(2 * r, dot("(local.get $t)", "(local.get $v0)")) + acc(2 * r + 1, dot("(local.get $t)", "(local.get $v1)"));
    }
    return s;
  },
};

const module = (body: string) => `(module (memory 1)
 (func (export "run") (param $n i32) (result i32)
  (local $p i32) (local $w v128) (local $t v128) (local $v0 v128) (local $v1 v128)
  ${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `(local $a${i} v128)`).join(" ")}
  (local.set $w (i32x4.splat (i32.const 3)))
  (loop $l
    ${body}
    (local.set $p (i32.and (i32.add (local.get $p) (i32.const 16)) (i32.const 1023)))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
  (i32x4.extract_lane 0 (i32x4.add (i32x4.add (i32x4.add (local.get $a0) (local.get $a1)) (i32x4.add (local.get $a2) (local.get $a3)))
    (i32x4.add (i32x4.add (local.get $a4) (local.get $a5)) (i32x4.add (local.get $a6) (local.get $a7)))))))`;

const wabt = await wabtInit();
const runs: [string, (n: number) => number][] = [];
for (const [name, body] of Object.entries(shapes)) {
  const bin = wabt.parseWat(name, module(body()), { simd: true }).toBinary({}).buffer;
  const { instance } = await WebAssembly.instantiate(new Uint8Array(bin));
  runs.push([name, instance.exports.run as (n: number) => number]);
}
const N = 1_000_000, rounds = 15;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const ns: number[][] = runs.map(() => []);
for (let r = 0; r < rounds; r++)
  runs.forEach(([, run], i) => { run(1000); const t0 = cpuMs(); run(N); ns[i].push(((cpuMs() - t0) * 1e6) / N / 16); });
const dense = ns[ns.length - 1];
console.log(`ns per dot (median of ${rounds} rounds, process CPU time), and per-round ratio to the dense tile:`);
runs.forEach(([name], i) => console.log(`  ${name.padEnd(44)} ${median(ns[i]).toFixed(3)} ns   x${median(ns[i].map((v, k) => v / dense[k])).toFixed(2)}`));

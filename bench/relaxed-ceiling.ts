// The ceiling of the relaxed-vs-SIMD128 int8 ratio on this machine: the kernels' inner loops alone
// (bench/relaxed-ceiling.wat: same instruction mix, one L1-resident block, no epilogues), timed
// interleaved in CPU time. Not part of `npm run bench`; run it on its own:
//   node --experimental-wasm-relaxed-simd --no-liftoff --import tsx bench/relaxed-ceiling.ts
// It answers "how far can a kernel of this shape go", separately from what the engine adds.
import { readFileSync } from "node:fs";
import wabtInit from "wabt";

const MACS: Record<string, number> = { r2x2: 128, s4x2: 64, r1x4: 128, s1x4: 64, rxor: 64 }; // multiply-adds per iteration
const ITERS = 1_000_000;
const ROUNDS = Number(process.env.ROUNDS ?? 21);

const wabt = await wabtInit();
const mod = wabt.parseWat("relaxed-ceiling.wat", readFileSync(new URL("./relaxed-ceiling.wat", import.meta.url), "utf8"), { simd: true, relaxed_simd: true });
const { buffer } = mod.toBinary({});
mod.destroy();
const { instance } = await WebAssembly.instantiate(new Uint8Array(buffer));
const fns = instance.exports as Record<string, (n: number) => number>;

const gmacs: Record<string, number[]> = {};
for (const f of Object.keys(MACS)) fns[f](ITERS / 10);
for (let r = 0; r < ROUNDS; r++) {
  for (const f of Object.keys(MACS)) {
    const u0 = process.cpuUsage();
    fns[f](ITERS);
    const u = process.cpuUsage(u0);
    (gmacs[f] ??= []).push((ITERS * MACS[f]) / ((u.user + u.system) * 1000));
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const ratio = (a: string, b: string) => median(gmacs[a].map((v, i) => v / gmacs[b][i])); // paired, per round
for (const f of Object.keys(MACS)) console.log(`${f}: ${median(gmacs[f]).toFixed(1)} GMAC/s`);
console.log(`GEMM loop ratio relaxed 2x2 / SIMD128 4x2: ${ratio("r2x2", "s4x2").toFixed(3)}`);
console.log(`GEMV loop ratio relaxed 1x4 / SIMD128 1x4: ${ratio("r1x4", "s1x4").toFixed(3)}`);
console.log(`xor/shift widening vs by-ones dot (relaxed 2x2): ${ratio("rxor", "r2x2").toFixed(3)}`);

// Benchmark (not a test): one MNIST training epoch of LeNet-5 (zoo recipe, batch 64) on one
// core. Prints wall and CPU seconds and, with --breakdown, where the time went per kernel call.
//   node --import tsx bench/train-lenet5.ts [--samples N] [--breakdown]
import { take } from "../src/data/dataset.ts";
import { loadMnist } from "../src/data/mnist.ts";
import { createEngine } from "../src/node.ts";
import { Backend } from "../src/train/backend.ts";
import { Sequential } from "../src/train/model.ts";
import { Adam } from "../src/train/optim.ts";
import { fit } from "../src/train/trainer.ts";
import { ZOO } from "../src/train/zoo.ts";

const args = process.argv.slice(2);
const samples = Number(args[args.indexOf("--samples") + 1] || 60000);
const be = new Backend(await createEngine());
const spent = new Map<string, number>();
if (args.includes("--breakdown")) {
  for (const k of ["matmul", "conv2dForward", "conv2dBackwardInput", "conv2dBackwardWeights", "maxpoolForward", "maxpoolBackward", "relu", "reluBackward", "biasAdd", "biasGrad"] as const) {
    const f = (be[k] as (...a: unknown[]) => void).bind(be);
    (be as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => {
      const t = performance.now();
      f(...a);
      spent.set(k, (spent.get(k) ?? 0) + performance.now() - t);
    };
  }
}
const r = ZOO.lenet5;
const data = take(loadMnist("train"), samples);
const model = new Sequential(be, data.shape, r.layers, r.seed);
const t0 = performance.now(), c0 = process.cpuUsage();
const p = fit(model, data, { epochs: 1, batchSize: r.batchSize, optimizer: new Adam(model.params, { lr: r.optimizer.lr }), seed: 2 });
const wall = (performance.now() - t0) / 1000, cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;
console.log(`LeNet-5, ${data.n} MNIST samples, batch ${r.batchSize}: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s cpu (load average ${(await import("node:os")).loadavg()[0].toFixed(1)}), train accuracy ${(p.accuracy * 100).toFixed(2)}%`);
if (spent.size) {
  const total = [...spent.values()].reduce((a, b) => a + b, 0);
  for (const [k, v] of [...spent].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(22)} ${(v / 1000).toFixed(2)} s`);
  console.log(`  ${"kernels total".padEnd(22)} ${(total / 1000).toFixed(2)} s; host (JS) ${(wall - total / 1000).toFixed(2)} s`);
}

// `npm start`: the main job on an embedded default. Until the quantization pipeline lands this
// builds a real linear classifier from MNIST (class-mean templates, no training), stores it as
// f32 and as int8 with dynamic activation quantization, and compares accuracy, size and latency
// of both in edgeq.wasm on the 10 000 test images.
import { DType, Op } from "../assembly/format/spec.ts";
import { GraphBuilder } from "./format/builder.ts";
import { loadMnist } from "./data/mnist.ts";
import { createEngine } from "./node.ts";
import type { Model } from "./runtime/engine.ts";

const K = 784, N = 10;

function centroidClassifier(): { w: Float32Array; b: Float32Array } {
  const train = loadMnist("train");
  const sum = new Float64Array(N * K);
  const count = new Float64Array(N);
  for (let i = 0; i < train.n; i++) {
    const c = train.y[i];
    count[c]++;
    for (let k = 0; k < K; k++) sum[c * K + k] += train.x[i * K + k];
  }
  // argmax_c  x.mu_c - |mu_c|^2 / 2  == nearest class mean
  const w = new Float32Array(N * K), b = new Float32Array(N);
  for (let c = 0; c < N; c++) {
    let sq = 0;
    for (let k = 0; k < K; k++) { w[c * K + k] = sum[c * K + k] / count[c]; sq += w[c * K + k] ** 2; }
    b[c] = -sq / 2;
  }
  return { w, b };
}

function buildModel(w: Float32Array, b: Float32Array, int8: boolean): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("image", DType.F32, [K]);
  let W: number;
  if (int8) {
    const scales = Array.from({ length: N }, (_, n) => Math.max(...w.subarray(n * K, (n + 1) * K).map(Math.abs)) / 127);
    const q = Int8Array.from(w, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[Math.floor(i / K)]))));
    W = g.constant("W", DType.I8, [N, K], q, { scales });
  } else W = g.constant("W", DType.F32, [N, K], w);
  const B = g.constant("b", DType.F32, [N], b);
  const y = g.act("logits", DType.F32, [N]);
  return g.op(Op.Dense, [x, W, B], [y]).output(y).encode();
}

function evaluate(m: Model, x: Float32Array, y: Uint8Array, n: number) {
  const logits = m.run({ image: x }).logits.data;
  const right = new Array(N).fill(0), total = new Array(N).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < N; c++) if (logits[i * N + c] > logits[i * N + best]) best = c;
    total[y[i]]++;
    if (best === y[i]) right[y[i]]++;
  }
  const perClass = right.map((r, c) => r / total[c]);
  return { accuracy: right.reduce((a, b) => a + b) / n, worst: Math.min(...perClass), worstClass: perClass.indexOf(Math.min(...perClass)) };
}

function latencyUs(m: Model, sample: Float32Array): number {
  for (let i = 0; i < 200; i++) m.run({ image: sample });
  const runs: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) m.run({ image: sample });
    runs.push(((performance.now() - t0) / 500) * 1000);
  }
  return runs.sort((a, b) => a - b)[4];
}

const t0 = performance.now();
const test = loadMnist("test");
const { w, b } = centroidClassifier();
const engine = await createEngine();
console.log(`edgeq — MNIST nearest-class-mean classifier (784→10), ${test.n} test images\n`);
console.log("model      accuracy  worst class   bytes   batch-1 latency");
for (const int8 of [false, true]) {
  const bytes = buildModel(w, b, int8);
  const m = engine.load(bytes);
  const r = evaluate(m, test.x, test.y, test.n);
  const lat = latencyUs(m, test.x.subarray(0, K));
  console.log(`${(int8 ? "int8-dyn" : "f32").padEnd(10)} ${(r.accuracy * 100).toFixed(2).padStart(7)}%  ${(r.worst * 100).toFixed(2).padStart(6)}% (${r.worstClass})  ${String(bytes.length).padStart(6)}  ${lat.toFixed(2).padStart(8)} µs`);
  m.dispose();
}
console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

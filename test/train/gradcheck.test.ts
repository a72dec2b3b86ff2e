// Every differentiable op and loss of src/train against central finite differences.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as ops from "../../src/train/ops.ts";
import { klDivergence, mse, softmaxCrossEntropy } from "../../src/train/losses.ts";
import { Random } from "../../src/train/rng.ts";
import { backend, gradcheck, separated, type Input } from "../helpers/train.ts";
import { Rng } from "../helpers/rng.ts";

const rng = new Rng(11);
const rand = (shape: number[], scale = 1): Input => ({ data: rng.f32(shape.reduce((a, b) => a * b, 1), scale), shape });
const sep = (shape: number[], gap = 0.05): Input => ({ data: separated(rng, shape.reduce((a, b) => a * b, 1), gap), shape });

async function check(name: string, build: Parameters<typeof gradcheck>[1], inputs: Input[], opts = {}) {
  const err = gradcheck(await backend(), build, inputs, opts);
  assert.is(err, null, `${name}: ${err}`);
}

test("matmul in all four transpose combinations", async () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const [M, K, N] = [5, 7, 9];
    await check(`matmul ${ta} ${tb}`, (t, [a, b]) => ops.matmul(t, a, b, ta, tb), [rand(ta ? [K, M] : [M, K]), rand(tb ? [N, K] : [K, N])]);
  }
});

test("dense with and without bias, awkward sizes", async () => {
  await check("dense+b", (t, [x, w, b]) => ops.dense(t, x, w, b), [rand([3, 13]), rand([11, 13]), rand([11])]);
  await check("dense", (t, [x, w]) => ops.dense(t, x, w, null), [rand([4, 8]), rand([17, 8])]);
});

test("conv2d: padding, stride, dilation, groups", async () => {
  const cases: [number[], number[], ops.ConvOptions][] = [
    [[2, 6, 5, 3], [4, 3, 3, 3], {}],
    [[1, 7, 7, 2], [6, 3, 3, 2], { stride: [2, 2], pads: [1, 1, 1, 1] }],
    [[2, 8, 6, 4], [6, 3, 2, 2], { groups: 2, pads: [1, 0, 2, 1], dilation: [2, 1] }],
    [[1, 5, 5, 3], [3, 3, 3, 1], { groups: 3, pads: [1, 1, 1, 1] }],
    [[3, 9, 9, 1], [9, 5, 5, 1], { pads: [2, 2, 2, 2] }],
  ];
  for (const [xs, ws, o] of cases) {
    await check(`conv ${xs} ${ws}`, (t, [x, w, b]) => ops.conv2d(t, x, w, b, o), [rand(xs), rand(ws, 0.5), rand([ws[0]])]);
  }
});

test("max and average pooling", async () => {
  await check("maxpool 2x2", (t, [x]) => ops.maxPool(t, x, { kernel: [2, 2] }), [sep([2, 6, 6, 3])]);
  await check("maxpool 3x3 s2 padded", (t, [x]) => ops.maxPool(t, x, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }), [sep([1, 7, 7, 2])]);
  await check("avgpool 2x2", (t, [x]) => ops.avgPool(t, x, { kernel: [2, 2] }), [rand([2, 4, 6, 3])]);
  await check("avgpool padded", (t, [x]) => ops.avgPool(t, x, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }), [rand([1, 5, 5, 2])]);
  await check("avgpool padded incl", (t, [x]) => ops.avgPool(t, x, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true }), [rand([1, 5, 5, 2])]);
});

test("activations, softmax, reshape", async () => {
  await check("relu", (t, [x]) => ops.relu(t, x), [sep([4, 10])]);
  await check("relu6", (t, [x]) => ops.relu6(t, x), [{ data: separated(rng, 60, 0.23), shape: [6, 10] }]);
  await check("sigmoid", (t, [x]) => ops.sigmoid(t, x), [rand([3, 7], 2)]);
  await check("tanh", (t, [x]) => ops.tanh(t, x), [rand([3, 7], 2)]);
  await check("softmax", (t, [x]) => ops.softmax(t, x), [rand([4, 6], 2)]);
  await check("flatten", (t, [x]) => ops.sigmoid(t, ops.flatten(t, x)), [rand([2, 3, 3, 2])]);
});

test("add and mul, same shape and broadcast over channels", async () => {
  await check("add", (t, [a, b]) => ops.add(t, a, b), [rand([3, 5]), rand([3, 5])]);
  await check("add bcast", (t, [a, b]) => ops.add(t, a, b), [rand([2, 3, 3, 4]), rand([4])]);
  await check("mul", (t, [a, b]) => ops.mul(t, a, b), [rand([3, 5]), rand([3, 5])]);
  await check("mul bcast", (t, [a, b]) => ops.mul(t, a, b), [rand([6, 4]), rand([4])]);
});

test("batch norm in training and evaluation mode", async () => {
  const state = () => ({ mean: Float32Array.from([0.1, -0.2, 0.3]), variance: Float32Array.from([1.5, 0.7, 2]), momentum: 0.1, eps: 1e-5 });
  await check("bn train", (t, [x, g, b]) => ops.batchNorm(t, x, g, b, state(), true), [rand([4, 2, 2, 3], 2), rand([3]), rand([3])]);
  await check("bn eval", (t, [x, g, b]) => ops.batchNorm(t, x, g, b, state(), false), [rand([5, 3]), rand([3]), rand([3])]);
});

test("dropout with a fixed mask", async () => {
  await check("dropout", (t, [x]) => { const r = new Random(3); return ops.dropout(t, x, 0.4, () => r.next(), true); }, [rand([5, 8])]);
});

test("losses: cross-entropy, MSE, KL with temperature", async () => {
  const labels = [2, 0, 4, 1];
  await check("xent", (t, [x]) => softmaxCrossEntropy(t, x, labels), [rand([4, 5], 2)]);
  const target = rng.f32(12);
  await check("mse", (t, [x]) => mse(t, x, target), [rand([3, 4])]);
  const teacher = rng.f32(20, 2);
  for (const T of [1, 4]) await check(`kl T=${T}`, (t, [x]) => klDivergence(t, x, teacher, T), [rand([4, 5], 2)]);
});

test.run();

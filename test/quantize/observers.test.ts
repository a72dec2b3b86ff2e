import { test } from "uvu";
import * as assert from "uvu/assert";
import { createObserver, METHODS } from "../../src/quantize/observers/index.ts";
import { MinMaxObserver } from "../../src/quantize/observers/minmax.ts";
import { MovingAverageMinMaxObserver } from "../../src/quantize/observers/moving-average.ts";
import { PercentileObserver } from "../../src/quantize/observers/percentile.ts";
import { EntropyObserver } from "../../src/quantize/observers/entropy.ts";
import { MseObserver } from "../../src/quantize/observers/mse.ts";
import { Histogram } from "../../src/quantize/observers/histogram.ts";
import { Rng } from "../helpers/rng.ts";
import { quantize } from "../ref/index.ts";
import { klReference } from "../ref/quant.ts";
import { klCurve } from "../../src/quantize/observers/entropy.ts";

const ASYM = { symmetric: false }, SYM = { symmetric: true };

function laplace(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() - 0.5;
    x[i] = -Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return x;
}

function laplaceWithOutliers(n: number, seed: number): Float32Array {
  const x = laplace(n, seed);
  for (let i = 0; i < 5; i++) x[i * 997] = (i % 2 ? -1 : 1) * 200; // rare huge outliers
  return x;
}

/** Mean squared error of really quantizing x with (scale, zp), by the ONNX definition. */
function realMse(x: Float32Array, q: { scale: number; zeroPoint: number }): number {
  let s = 0;
  for (const v of x) s += (v - (quantize(v, q.scale, q.zeroPoint) - q.zeroPoint) * q.scale) ** 2;
  return s / x.length;
}

test("minmax: asymmetric range [-1, 2] over 255 steps with the zero point mapping 0 exactly", () => {
  const o = new MinMaxObserver(ASYM);
  o.observe([0.5, -1]);
  o.observe([2, 0]);
  const q = o.computeQParams();
  assert.is(q.scale, Math.fround(3 / 255));
  assert.is(q.zeroPoint, Math.round(-128 + 1 / Math.fround(3 / 255)));
  assert.is(q.zeroPoint, -43);
});

test("minmax: symmetric uses the larger magnitude over 127 steps and zero point 0", () => {
  const o = new MinMaxObserver(SYM);
  o.observe([-3, 1.5]);
  assert.equal(o.computeQParams(), { scale: Math.fround(3 / 127), zeroPoint: 0 });
});

test("minmax: positive-only data widens to include 0 (ReLU outputs use all 256 levels)", () => {
  const o = new MinMaxObserver(ASYM);
  o.observe([1, 5.1]);
  assert.equal(o.computeQParams(), { scale: Math.fround(5.1 / 255), zeroPoint: -128 });
});

test("degenerate ranges fall back to scale 1, zero point 0 for every method", () => {
  for (const m of METHODS) {
    for (const scheme of [ASYM, SYM]) {
      const empty = createObserver(m, scheme);
      assert.equal(empty.computeQParams(), { scale: 1, zeroPoint: 0 }, `${m} empty`);
      const zeros = createObserver(m, scheme);
      zeros.observe(new Float32Array(100));
      assert.equal(zeros.computeQParams(), { scale: 1, zeroPoint: 0 }, `${m} zeros`);
    }
  }
});

test("every method refuses NaN and Inf with a message naming the problem", () => {
  for (const m of METHODS) {
    assert.throws(() => createObserver(m, ASYM).observe([1, NaN]), /non-finite/, m);
    assert.throws(() => createObserver(m, ASYM).observe([Infinity]), /non-finite/, m);
  }
});

test("bad settings fail in the constructor", () => {
  assert.throws(() => new PercentileObserver(ASYM, 0), /percentile/);
  assert.throws(() => new PercentileObserver(ASYM, 100.5), /percentile/);
  assert.throws(() => new MovingAverageMinMaxObserver(ASYM, 0), /averaging/);
  assert.throws(() => new MovingAverageMinMaxObserver(ASYM, 1.5), /averaging/);
  assert.throws(() => new Histogram(15), /bins/);
  assert.throws(() => createObserver("kl", ASYM), /unknown calibration method "kl"/);
});

test("moving average: each batch moves the range by the averaging constant", () => {
  const o = new MovingAverageMinMaxObserver(ASYM, 0.5);
  o.observe([0, 1]);
  o.observe([0, 3]); // hi = 1 + 0.5 (3 - 1) = 2
  o.observe([-2, 2]); // lo = 0 + 0.5 (-2 - 0) = -1, hi = 2
  const q = o.computeQParams();
  assert.is(q.scale, Math.fround(3 / 255));
  assert.is(q.zeroPoint, -43);
});

test("percentile: the 99th percentile of 0..9999 is about 9899", () => {
  const o = new PercentileObserver(ASYM, 99);
  const x = Float32Array.from({ length: 10000 }, (_, i) => i);
  for (let i = 0; i < 10; i++) o.observe(x.subarray(i * 1000, (i + 1) * 1000)); // the range grows as batches arrive
  const q = o.computeQParams();
  const hi = q.scale * 255; // lo = 1st percentile (~99) widens to 0
  assert.ok(Math.abs(hi - 9899) < 2 * (10000 / 2048), `hi ${hi}`);
  assert.is(q.zeroPoint, -128);
});

test("percentile: symmetric data gets symmetric quantiles", () => {
  const o = new PercentileObserver(SYM, 99.9);
  const x = Float32Array.from({ length: 20001 }, (_, i) => i - 10000); // uniform -10000..10000
  o.observe(x);
  const a = o.computeQParams().scale * 127; // 99.9th percentile = 9980
  assert.ok(Math.abs(a - 9980) < 25, `a ${a}`);
});

test("histogram growth merges bins exactly: counts and quantiles survive a range doubling", () => {
  const h = new Histogram(64);
  h.add([1, 0.5, 0.25]);
  h.add([3.5, -2]);
  assert.is(h.count, 5);
  assert.is(h.magnitudes().reduce((a, b) => a + b, 0), 5);
  assert.ok(h.range > 3.5);
  assert.is(h.quantile(0), -2);
  assert.is(h.quantile(1), 3.5);
});

test("entropy and MSE clip a heavy-tailed (Laplace) distribution well below its max", () => {
  const x = laplace(200000, 7);
  const max = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0); // ~ln(200000) = 12.2
  const mm = new MinMaxObserver(SYM);
  mm.observe(x);
  for (const O of [EntropyObserver, MseObserver]) {
    const o = new O(SYM);
    for (let i = 0; i < 10; i++) o.observe(x.subarray(i * 20000, (i + 1) * 20000));
    const t = o.threshold();
    assert.ok(t > 5 && t < 0.8 * max, `${O.name} threshold ${t} (max ${max})`);
    // and the clipping pays off: less real quantization error than the full min-max range
    assert.ok(realMse(x, o.computeQParams()) < 0.8 * realMse(x, mm.computeQParams()), O.name);
  }
});

test("entropy ignores rare huge outliers that plain min-max would stretch its range to", () => {
  const o = new EntropyObserver(SYM);
  o.observe(laplaceWithOutliers(100000, 5));
  assert.ok(o.threshold() < 20, `threshold ${o.threshold()} (max 200)`);
});

test("entropy and MSE keep (nearly) the full range of a uniform distribution", () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 50000 }, () => rng.next() * 10);
  for (const O of [EntropyObserver, MseObserver]) {
    const o = new O(ASYM);
    o.observe(x);
    assert.ok(o.threshold() > 9.5, `${O.name} ${o.threshold()}`);
  }
});

test("MSE picks the threshold with the lowest real quantization error among a coarse grid", () => {
  const x = laplaceWithOutliers(50000, 11);
  const o = new MseObserver(SYM);
  o.observe(x);
  const chosen = realMse(x, o.computeQParams());
  for (const t of [2, 4, 8, 16, 32, 64, 200]) {
    const other = realMse(x, { scale: Math.fround(t / 127), zeroPoint: 0 });
    assert.ok(chosen <= other * 1.05, `threshold ${t}: ${other} beats chosen ${chosen}`);
  }
});

test("entropy: the prefix-sum KL curve equals the literal TensorRT computation", () => {
  const rng = new Rng(21);
  for (const [bins, levels] of [[64, 8], [256, 128], [300, 7]]) {
    const h = Float64Array.from({ length: bins }, () => (rng.next() < 0.3 ? 0 : Math.floor(rng.next() * 1000)));
    h[bins - 1] = 0; // an empty last bin under folded outliers exercises the smoothing
    const curve = klCurve(h, levels, levels, bins);
    for (let i = levels; i <= bins; i++) {
      const ref = klReference(h, i, levels);
      assert.ok(Math.abs(curve[i - levels] - ref) <= 1e-9 * (1 + Math.abs(ref)), `bins ${bins} levels ${levels} i ${i}: ${curve[i - levels]} vs ${ref}`);
    }
  }
});

test.run();

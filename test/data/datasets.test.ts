// Dataset loaders against facts published with each dataset (sizes, class counts), plus the
// missing-dataset message and the seeded stratified split.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DatasetMissingError, split, standardize } from "../../src/data/dataset.ts";
import { loadFashionMnist } from "../../src/data/fashion-mnist.ts";
import { loadBreastCancer, loadDigits, loadIris, loadWine } from "../../src/data/sklearn.ts";

const counts = (y: Uint8Array, k: number) => Array.from({ length: k }, (_, c) => y.filter((v) => v === c).length);

test("sklearn toy datasets have their documented sizes and class counts", () => {
  const digits = loadDigits();
  assert.is(digits.n, 1797);
  assert.equal(digits.shape, [8, 8, 1]);
  assert.equal(counts(digits.y, 10), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  assert.ok(digits.x.every((v) => v >= 0 && v <= 1));
  const iris = loadIris();
  assert.equal([iris.n, iris.shape[0]], [150, 4]);
  assert.equal(counts(iris.y, 3), [50, 50, 50]);
  assert.equal(iris.classes, ["setosa", "versicolor", "virginica"]);
  assert.equal(Array.from(iris.x.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  const wine = loadWine();
  assert.equal([wine.n, wine.shape[0]], [178, 13]);
  assert.equal(counts(wine.y, 3), [59, 71, 48]);
  const bc = loadBreastCancer();
  assert.equal([bc.n, bc.shape[0]], [569, 30]);
  assert.equal(counts(bc.y, 2), [212, 357]);
  assert.equal(bc.classes, ["malignant", "benign"]);
});

test("Fashion-MNIST: 60 000 / 10 000 images, 6 000 / 1 000 per class", () => {
  const train = loadFashionMnist("train"), testSet = loadFashionMnist("test");
  assert.equal([train.n, testSet.n], [60000, 10000]);
  assert.equal(counts(train.y, 10), new Array(10).fill(6000));
  assert.equal(counts(testSet.y, 10), new Array(10).fill(1000));
  assert.is(train.x.length, 60000 * 784);
  assert.is(train.classes[9], "Ankle boot");
});

test("a missing dataset names the package that provides it", () => {
  assert.throws(() => loadFashionMnist("test", "/nonexistent"), (e: unknown) => e instanceof DatasetMissingError && /dataset-fashion-mnist/.test((e as Error).message));
  assert.throws(() => loadIris("/nonexistent"), (e: unknown) => e instanceof DatasetMissingError && /python3-sklearn/.test((e as Error).message));
});

test("split is stratified, disjoint, complete and seeded; standardize centres the fit set", () => {
  const d = loadWine();
  const a = split(d, 0.25, 3), b = split(d, 0.25, 3), c = split(d, 0.25, 4);
  assert.is(a.train.n + a.test.n, d.n);
  assert.equal(counts(a.test.y, 3), [15, 18, 12]);
  assert.equal(Array.from(a.test.x), Array.from(b.test.x));
  assert.not.equal(Array.from(a.test.x), Array.from(c.test.x));
  const [tr] = standardize(a.train, a.test);
  const F = 13;
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (let i = 0; i < tr.n; i++) s += tr.x[i * F + f];
    assert.ok(Math.abs(s / tr.n) < 1e-4, `feature ${f} mean ${s / tr.n}`);
  }
});

test.run();

/** An in-memory labelled dataset: `x` holds `n` samples of `shape`, row-major. */
export interface Dataset {
  name: string;
  x: Float32Array;
  y: Uint8Array;
  n: number;
  /** Per-sample shape, NHWC for images ([28, 28, 1]). */
  shape: number[];
  classes: string[];
}

export class DatasetMissingError extends Error {
  constructor(what: string, provider: string) {
    super(`${what} not found; it is provided by ${provider}`);
    this.name = "DatasetMissingError";
  }
}

export function take(d: Dataset, count: number, offset = 0): Dataset {
  const n = Math.max(0, Math.min(count, d.n - offset));
  const per = d.shape.reduce((a, b) => a * b, 1);
  return { ...d, n, x: d.x.subarray(offset * per, (offset + n) * per), y: d.y.subarray(offset, offset + n) };
}

/** The samples at `idx`, copied. */
export function select(d: Dataset, idx: ArrayLike<number>): Dataset {
  const per = d.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(idx.length * per), y = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    x.set(d.x.subarray(idx[i] * per, (idx[i] + 1) * per), i * per);
    y[i] = d.y[idx[i]];
  }
  return { ...d, x, y, n: idx.length };
}

/**
 * A seeded, stratified train/test split for datasets that ship without one (sklearn's): every
 * class contributes round(testFraction × its count) samples to the test side.
 */
export function split(d: Dataset, testFraction: number, seed = 1): { train: Dataset; test: Dataset } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < d.n; i++) byClass.set(d.y[i], [...(byClass.get(d.y[i]) ?? []), i]);
  const train: number[] = [], test: number[] = [];
  for (const [, idx] of [...byClass].sort((a, b) => a[0] - b[0])) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const k = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train: { ...select(d, train), name: `${d.name}:train` }, test: { ...select(d, test), name: `${d.name}:test` } };
}

/** Per-feature mean/std from `fit`, applied to each given dataset (returns new datasets). */
export function standardize(fit: Dataset, ...others: Dataset[]): Dataset[] {
  const F = fit.shape.reduce((a, b) => a * b, 1);
  const mean = new Float64Array(F), sd = new Float64Array(F);
  for (let i = 0; i < fit.n * F; i++) mean[i % F] += fit.x[i] / fit.n;
  for (let i = 0; i < fit.n * F; i++) sd[i % F] += (fit.x[i] - mean[i % F]) ** 2 / fit.n;
  const apply = (d: Dataset) => ({ ...d, x: Float32Array.from(d.x, (v, i) => (v - mean[i % F]) / (Math.sqrt(sd[i % F]) || 1)) });
  return [fit, ...others].map(apply);
}

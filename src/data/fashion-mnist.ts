// Fashion-MNIST from Debian `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist, IDX, gzip).
import { join } from "node:path";
import { type Dataset, DatasetMissingError } from "./dataset.ts";
import { firstExisting, readIdx } from "./idx.ts";

const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const PROVIDER = "the Debian package `dataset-fashion-mnist` (apt-get install dataset-fashion-mnist)";

function dataDir(only?: string): string {
  const dirs = only ? [only] : [process.env.EDGEQ_FASHION_MNIST, "/usr/share/datasets/fashion-mnist"].filter((d): d is string => !!d);
  const found = firstExisting(dirs.map((d) => join(d, "t10k-labels-idx1-ubyte.gz")));
  if (!found) throw new DatasetMissingError("Fashion-MNIST", PROVIDER);
  return join(found, "..");
}

/** Pixels scaled to [0, 1], shape [28, 28, 1]; 60 000 train / 10 000 test. `dir` overrides the search. */
export function loadFashionMnist(split: "train" | "test", dir = dataDir()): Dataset {
  dir = dataDir(dir);
  const prefix = split === "train" ? "train" : "t10k";
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  const n = images.dims[0];
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { name: `fashion-mnist:${split}`, x, y: labels.data.slice(0, n), n, shape: [28, 28, 1], classes: CLASSES };
}

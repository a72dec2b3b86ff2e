// sklearn's bundled toy datasets (digits, iris, wine, breast cancer) from Debian `python3-sklearn`.
// The package is unpacked, not installed (that would pull numpy), by scripts/fetch-sklearn-data.sh
// into .cache/python3-sklearn; an installed python3-sklearn or EDGEQ_SKLEARN_DATA also work.
// When no copy is found the loader runs that script once (apt-get download + dpkg-deb -x).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type Dataset, DatasetMissingError } from "./dataset.ts";
import { firstExisting } from "./idx.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SUFFIX = "usr/lib/python3/dist-packages/sklearn/datasets/data";
const PROVIDER = "the Debian package `python3-sklearn` (run scripts/fetch-sklearn-data.sh, or apt-get install python3-sklearn)";

function candidates(): string[] {
  const env = process.env.EDGEQ_SKLEARN_DATA;
  return [...(env ? [env] : []), join("/", SUFFIX), join(ROOT, ".cache/python3-sklearn", SUFFIX)];
}

let fetchTried = false;
function dataDir(what: string, only?: string): string {
  const probe = (d: string) => join(d, "iris.csv");
  if (only) {
    if (!firstExisting([probe(only)])) throw new DatasetMissingError(`${what} (in ${only})`, PROVIDER);
    return only;
  }
  let found = firstExisting(candidates().map(probe));
  if (!found && !fetchTried && !process.env.EDGEQ_NO_FETCH) {
    fetchTried = true;
    try {
      execFileSync(join(ROOT, "scripts/fetch-sklearn-data.sh"), { stdio: "ignore" });
    } catch {
      /* reported below */
    }
    found = firstExisting(candidates().map(probe));
  }
  if (!found) throw new DatasetMissingError(what, PROVIDER);
  return dirname(found);
}

/** sklearn's CSV layout: a first line `N,F,class names...`, then F features and an integer label. */
function readCsv(name: string, file: string, header: boolean, shape: number[], scale: number, classes: string[] | undefined, dir: string | undefined): Dataset {
  const path = join(dataDir(`sklearn ${name}`, dir), file);
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    throw new DatasetMissingError(`sklearn ${name} (${path})`, PROVIDER);
  }
  const text = (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8").trim().split("\n");
  let names = classes ?? [];
  if (header) names = text.shift()!.split(",").slice(2).map((s) => s.trim());
  const F = shape.reduce((a, b) => a * b, 1);
  const n = text.length;
  const x = new Float32Array(n * F), y = new Uint8Array(n);
  text.forEach((line, i) => {
    const v = line.split(",").map(Number);
    if (v.length !== F + 1) throw new Error(`${path}:${i + 1}: ${v.length} columns, expected ${F + 1}`);
    for (let f = 0; f < F; f++) x[i * F + f] = v[f] / scale;
    y[i] = v[F];
  });
  return { name: `sklearn:${name}`, x, y, n, shape, classes: names };
}

/** 1797 8×8 digit images, pixels 0..16 scaled to [0, 1], shape [8, 8, 1]. */
export const loadDigits = (dir?: string) => readCsv("digits", "digits.csv.gz", false, [8, 8, 1], 16, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], dir);
/** Raw features (use `standardize` from dataset.ts for training); `dir` overrides the search. */
export const loadIris = (dir?: string) => readCsv("iris", "iris.csv", true, [4], 1, undefined, dir);
export const loadWine = (dir?: string) => readCsv("wine", "wine_data.csv", true, [13], 1, undefined, dir);
export const loadBreastCancer = (dir?: string) => readCsv("breast-cancer", "breast_cancer.csv", true, [30], 1, undefined, dir);

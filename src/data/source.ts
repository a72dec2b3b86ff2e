// Named datasets for tools: "<name>:<split>[:<count>]", e.g. mnist:train:512 (the first 512
// training images), mnist:test (all 10 000 test images) or digits:test. Names and splits come
// from the dataset registry; MNIST loads only the samples asked for.
import type { Dataset } from "./dataset.ts";
import { take } from "./dataset.ts";
import { DataError } from "./errors.ts";
import { loadMnist } from "./mnist.ts";
import { DATASETS, type DatasetName, loadSplits } from "./registry.ts";

export const DATA_SPEC_HELP = `<name>:<split>[:<count>] with name ${DATASETS.join(" | ")} and split train | test, e.g. mnist:train:512`;

export function isDataSpec(s: string): boolean {
  return (DATASETS as readonly string[]).includes(s.split(":")[0]) && s.includes(":");
}

export function loadDataSpec(spec: string): Dataset {
  const [name, split, count, ...rest] = spec.split(":");
  if (!(DATASETS as readonly string[]).includes(name)) throw new DataError(`unknown dataset "${name}" in "${spec}"; expected ${DATA_SPEC_HELP}`);
  if ((split !== "train" && split !== "test") || rest.length) throw new DataError(`bad data spec "${spec}"; the splits are train and test (format ${DATA_SPEC_HELP})`);
  const n = count === undefined ? Infinity : Number(count);
  if (count !== undefined && (!Number.isInteger(n) || n < 1)) throw new DataError(`bad sample count "${count}" in "${spec}"; give a positive integer`);
  const d = name === "mnist" ? loadMnist(split, n) : take(loadSplits(name as DatasetName)[split], n);
  if (count !== undefined && d.n < n) throw new DataError(`"${spec}" asks for ${n} samples but ${name}:${split} has ${d.n}`);
  return { ...d, name: spec };
}

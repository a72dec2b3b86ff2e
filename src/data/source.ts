// Named datasets for tools: "<name>:<split>[:<count>]", e.g. mnist:train:512 (the first 512
// training images) or mnist:test (all 10 000 test images).
import type { Dataset } from "./dataset.ts";
import { DataError } from "./errors.ts";
import { loadMnist } from "./mnist.ts";

type Loader = (split: string, limit?: number) => Dataset;

const SOURCES: Record<string, { splits: string[]; load: Loader }> = {
  mnist: { splits: ["train", "test"], load: (s, limit) => loadMnist(s as "train" | "test", limit) },
};

export const DATA_SPEC_HELP = `<name>:<split>[:<count>] with name ${Object.keys(SOURCES).join(" | ")}, e.g. mnist:train:512`;

export function isDataSpec(s: string): boolean {
  return Object.keys(SOURCES).includes(s.split(":")[0]) && s.includes(":");
}

export function loadDataSpec(spec: string): Dataset {
  const [name, split, count, ...rest] = spec.split(":");
  const src = SOURCES[name];
  if (!src) throw new DataError(`unknown dataset "${name}" in "${spec}"; expected ${DATA_SPEC_HELP}`);
  if (!src.splits.includes(split) || rest.length) throw new DataError(`bad data spec "${spec}"; ${name} splits are ${src.splits.join(", ")} (format ${DATA_SPEC_HELP})`);
  const n = count === undefined ? Infinity : Number(count);
  if (count !== undefined && (!Number.isInteger(n) || n < 1)) throw new DataError(`bad sample count "${count}" in "${spec}"; give a positive integer`);
  const d = src.load(split, n);
  if (count !== undefined && d.n < n) throw new DataError(`"${spec}" asks for ${n} samples but ${name}:${split} has ${d.n}`);
  return { ...d, name: spec };
}

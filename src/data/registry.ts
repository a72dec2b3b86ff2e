// Datasets by name (CLI, zoo scripts): each gives a train and a test split.
import { type Dataset, split } from "./dataset.ts";
import { loadFashionMnist } from "./fashion-mnist.ts";
import { loadMnist } from "./mnist.ts";
import { loadBreastCancer, loadDigits, loadIris, loadWine } from "./sklearn.ts";

export const DATASETS = ["mnist", "fashion-mnist", "digits", "iris", "wine", "breast-cancer"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** sklearn sets have no official split: a fixed stratified 25 % test split (seed 1). */
export function loadSplits(name: DatasetName): { train: Dataset; test: Dataset } {
  switch (name) {
    case "mnist": return { train: loadMnist("train"), test: loadMnist("test") };
    case "fashion-mnist": return { train: loadFashionMnist("train"), test: loadFashionMnist("test") };
    case "digits": return split(loadDigits(), 0.25);
    case "iris": return split(loadIris(), 0.25);
    case "wine": return split(loadWine(), 0.25);
    case "breast-cancer": return split(loadBreastCancer(), 0.25);
  }
}

// The model zoo's architectures and training recipes (models/README.md lists results). A recipe
// is plain data: architecture, dataset, optimizer settings, seeds.
import type { DatasetName } from "../data/registry.ts";
import type { LayerSpec } from "./model.ts";

export interface Recipe {
  name: string;
  data: DatasetName;
  layers: LayerSpec[];
  epochs: number;
  batchSize: number;
  optimizer: { type: "adam"; lr: number; weightDecay?: number } | { type: "sgd"; lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number };
  /** cosine decay over all steps after `warmup` steps of linear warm-up */
  warmup?: number;
  seed: number;
  target: number;
}

const relu = { type: "relu" } as const;

export const ZOO: Record<string, Recipe> = {
  "lenet-300-100": {
    name: "lenet-300-100", data: "mnist", seed: 1, target: 0.98, epochs: 12, batchSize: 64,
    optimizer: { type: "adam", lr: 1e-3 },
    layers: [{ type: "flatten" }, { type: "dense", units: 300 }, relu, { type: "dense", units: 100 }, relu, { type: "dense", units: 10 }],
  },
  lenet5: {
    name: "lenet5", data: "mnist", seed: 1, target: 0.99, epochs: 10, batchSize: 64,
    optimizer: { type: "adam", lr: 2e-3 },
    layers: [
      { type: "conv2d", filters: 6, kernel: 5, padding: "same" }, relu, { type: "maxpool", kernel: 2 },
      { type: "conv2d", filters: 16, kernel: 5 }, relu, { type: "maxpool", kernel: 2 },
      { type: "flatten" }, { type: "dense", units: 120 }, relu, { type: "dense", units: 84 }, relu, { type: "dense", units: 10 },
    ],
  },
  "vgg-small": {
    name: "vgg-small", data: "fashion-mnist", seed: 1, target: 0.9, epochs: 8, batchSize: 64,
    optimizer: { type: "adam", lr: 2e-3 },
    layers: [
      { type: "conv2d", filters: 8, kernel: 3, padding: "same" }, relu, { type: "conv2d", filters: 8, kernel: 3, padding: "same" }, relu, { type: "maxpool", kernel: 2 },
      { type: "conv2d", filters: 16, kernel: 3, padding: "same" }, relu, { type: "conv2d", filters: 16, kernel: 3, padding: "same" }, relu, { type: "maxpool", kernel: 2 },
      { type: "flatten" }, { type: "dense", units: 64 }, relu, { type: "dense", units: 10 },
    ],
  },
  "mlp-digits": {
    name: "mlp-digits", data: "digits", seed: 1, target: 0.96, epochs: 40, batchSize: 32,
    optimizer: { type: "adam", lr: 3e-3 },
    layers: [{ type: "flatten" }, { type: "dense", units: 128 }, relu, { type: "dense", units: 64 }, relu, { type: "dense", units: 10 }],
  },
};

// Runs a Recipe (zoo.ts): loads its data, builds the model, trains with cosine decay after a
// linear warm-up, evaluates on the test split. Shared by the zoo script and `edgeq train`.
import type { Dataset } from "../data/dataset.ts";
import { loadSplits } from "../data/registry.ts";
import type { Backend } from "./backend.ts";
import { Sequential } from "./model.ts";
import { Adam, type Optimizer, SGD } from "./optim.ts";
import { cosine } from "./schedule.ts";
import { accuracy, fit, type Progress } from "./trainer.ts";
import type { Recipe } from "./zoo.ts";

export interface RecipeResult {
  model: Sequential;
  testAccuracy: number;
  trainAccuracy: number;
  trainLoss: number;
  seconds: number;
  cpuSeconds: number;
  epochs: { epoch: number; loss: number; accuracy: number; testAccuracy?: number; seconds: number }[];
}

export function runRecipe(be: Backend, r: Recipe, hooks: { data?: { train: Dataset; test: Dataset }; onBatch?: (p: Progress) => void; onEpoch?: (e: RecipeResult["epochs"][number]) => void; evalEachEpoch?: boolean } = {}): RecipeResult {
  const { train, test } = hooks.data ?? loadSplits(r.data);
  const model = new Sequential(be, train.shape, r.layers, r.seed);
  const o = r.optimizer;
  const opt: Optimizer = o.type === "adam" ? new Adam(model.params, { lr: o.lr, weightDecay: o.weightDecay }) : new SGD(model.params, o);
  const steps = r.epochs * Math.ceil(train.n / r.batchSize);
  const t0 = performance.now(), c0 = process.cpuUsage();
  const epochs: RecipeResult["epochs"] = [];
  const last = fit(model, train, {
    epochs: r.epochs, batchSize: r.batchSize, optimizer: opt, seed: r.seed + 1,
    schedule: cosine(o.lr, steps, r.warmup ?? Math.min(200, Math.floor(steps / 20))),
    onBatch: hooks.onBatch,
    onEpoch: (p) => {
      const e = { epoch: p.epoch, loss: p.loss, accuracy: p.accuracy, seconds: p.seconds, ...(hooks.evalEachEpoch ? { testAccuracy: accuracy(model, test) } : {}) };
      epochs.push(e);
      hooks.onEpoch?.(e);
    },
  });
  const seconds = (performance.now() - t0) / 1000, cpuSeconds = process.cpuUsage(c0).user / 1e6;
  return { model, testAccuracy: accuracy(model, test), trainAccuracy: last.accuracy, trainLoss: last.loss, seconds, cpuSeconds, epochs };
}

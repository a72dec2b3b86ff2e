// `edgeq train`: trains a zoo architecture (src/train/zoo.ts) on a dataset and writes a float
// .edgeq. A progress bar on a terminal, one plain line per epoch otherwise, JSON with --json.
import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { writeFileSync } from "node:fs";
import { DatasetMissingError } from "../../data/dataset.ts";
import { DATASETS, type DatasetName, loadSplits } from "../../data/registry.ts";
import { createEngine } from "../../node.ts";
import { Backend } from "../../train/backend.ts";
import { toEdgeq } from "../../train/export.ts";
import { runRecipe } from "../../train/recipe.ts";
import { ZOO } from "../../train/zoo.ts";

interface Opts {
  model: string;
  data?: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  seed?: string;
  output?: string;
  json?: boolean;
}

const EXIT_BAD_DATA = 4; // EXIT.badData in ../main.ts

function positive(name: string, v: string | undefined, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command("train")
    .description("Train a model-zoo architecture on a dataset and save it as a float .edgeq")
    .requiredOption("--model <name>", `architecture: ${Object.keys(ZOO).join(", ")}`)
    .option("--data <name>", `dataset (default: the model's own): ${DATASETS.join(", ")}`)
    .option("--epochs <n>", "epochs (default: the recipe's)")
    .option("--batch-size <n>", "mini-batch size")
    .option("--lr <rate>", "peak learning rate (cosine decay after warm-up)")
    .option("--seed <n>", "seed for initialization and shuffling")
    .option("-o, --output <file>", "where to write the trained model (.edgeq)")
    .option("--json", "print the result as JSON (no progress bar)")
    .addHelpText("after", "\nExamples:\n  $ edgeq train --model lenet5 --data mnist --epochs 1 -o lenet5.edgeq\n  $ edgeq train --model mlp-digits --json")
    .action((opts: Opts) => {
      const base = ZOO[opts.model];
      if (!base) throw new Error(`unknown model "${opts.model}"; choose one of ${Object.keys(ZOO).join(", ")}`);
      const data = (opts.data ?? base.data) as DatasetName;
      if (!DATASETS.includes(data)) throw new Error(`unknown dataset "${data}"; choose one of ${DATASETS.join(", ")}`);
      const seed = positive("seed", opts.seed) ?? base.seed;
      const lr = positive("lr", opts.lr, false) ?? base.optimizer.lr;
      const recipe = { ...base, data, seed, epochs: positive("epochs", opts.epochs) ?? base.epochs, batchSize: positive("batch-size", opts.batchSize) ?? base.batchSize, optimizer: { ...base.optimizer, lr } };
      let splits;
      try {
        splits = loadSplits(data);
      } catch (e) {
        if (e instanceof DatasetMissingError) {
          console.error(`error: ${e.message}`);
          process.exit(EXIT_BAD_DATA);
        }
        throw e;
      }
      return createEngine().then((engine) => {
        const be = new Backend(engine);
        const tty = !opts.json && process.stdout.isTTY;
        const bar = tty ? new SingleBar({ format: "epoch {epoch}/{epochs} [{bar}] batch {value}/{total} loss {loss} acc {acc} eta {eta_formatted}", hideCursor: true }) : null;
        let epochStarted = 0;
        const res = runRecipe(be, recipe, {
          data: splits,
          onBatch: (p) => {
            if (!bar) return;
            if (p.epoch !== epochStarted) {
              if (epochStarted) bar.stop();
              bar.start(p.batches, 0, { epoch: p.epoch, epochs: p.epochs, loss: "-", acc: "-" });
              epochStarted = p.epoch;
            }
            bar.update(p.batch, { epoch: p.epoch, epochs: p.epochs, loss: p.loss.toFixed(4), acc: `${(p.accuracy * 100).toFixed(2)}%` });
          },
          onEpoch: (e) => {
            if (opts.json) return;
            if (bar) bar.stop();
            console.log(`epoch ${e.epoch}/${recipe.epochs}: loss ${e.loss.toFixed(4)}, train accuracy ${(e.accuracy * 100).toFixed(2)}%, ${e.seconds.toFixed(1)} s`);
            epochStarted = 0;
          },
        });
        const bytes = toEdgeq(res.model);
        if (opts.output) writeFileSync(opts.output, bytes);
        const result = {
          model: recipe.name, data, epochs: recipe.epochs, batchSize: recipe.batchSize, seed, lr,
          testAccuracy: res.testAccuracy, trainAccuracy: res.trainAccuracy, trainLoss: res.trainLoss,
          parameters: res.model.parameterCount(), bytes: bytes.length, seconds: +res.seconds.toFixed(2), output: opts.output ?? null,
        };
        if (opts.json) console.log(JSON.stringify(result, null, 2));
        else console.log(`test accuracy ${(res.testAccuracy * 100).toFixed(2)}% on ${splits.test.n} samples; ${result.parameters} parameters, ${bytes.length} bytes${opts.output ? ` → ${opts.output}` : ""}`);
        res.model.dispose();
      });
    });
}

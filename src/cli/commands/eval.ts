// `edgeq eval`: accuracy, per-class accuracy and the confusion matrix of a model on a dataset.
import type { Command } from "commander";
import { DATA_SPEC_HELP, loadDataSpec } from "../../data/source.ts";
import { evaluate } from "../../eval/accuracy.ts";
import { createEngine } from "../../node.ts";
import { pct, readModelFile } from "../io.ts";
import { progress } from "../progress.ts";

export function register(program: Command): void {
  program
    .command("eval")
    .description("Measure a classifier's accuracy, per-class accuracy and confusion matrix in edgeq.wasm")
    .argument("<model>", ".edgeq model (f32 or quantized)")
    .requiredOption("--data <data>", `labelled samples, ${DATA_SPEC_HELP}`)
    .option("--batch <n>", "samples per run", "256")
    .option("--json", "machine-readable output")
    .addHelpText("after", `
Examples:
  $ edgeq eval lenet5.int8.edgeq --data mnist:test
  $ edgeq eval lenet5.edgeq --data mnist:test:1000 --json

Exit codes: 0 ok, 2 bad usage, 3 bad model, 4 bad data.`)
    .action(async (path: string, opts: { data: string; batch: string; json?: boolean }) => {
      const bytes = readModelFile(path);
      const data = loadDataSpec(opts.data);
      const engine = await createEngine();
      const model = engine.load(bytes);
      const bar = progress("evaluating", !opts.json);
      const batchSize = Math.max(1, Number.parseInt(opts.batch, 10) || 256);
      const t0 = performance.now();
      const r = (() => {
        try {
          return evaluate(model, data, { batchSize, onProgress: (d, t) => bar.update(d, t) });
        } finally {
          bar.stop();
          model.dispose();
        }
      })();
      const ms = performance.now() - t0;
      if (opts.json) {
        console.log(JSON.stringify({ model: path, data: data.name, classes: data.classes, ...r, ms: Math.round(ms) }, null, 2));
        return;
      }
      console.log(`${path} on ${data.name} (${r.n} samples, ${(ms / 1000).toFixed(2)} s)`);
      console.log(`accuracy ${pct(r.accuracy)}, worst class ${data.classes[r.worstClass]} at ${pct(r.worstAccuracy)}\n`);
      console.log("per class:");
      for (let c = 0; c < data.classes.length; c++) console.log(`  ${data.classes[c].padStart(5)}  ${pct(r.perClass[c]).padStart(7)}`);
      const w = Math.max(5, ...r.confusion.flat().map((v) => String(v).length + 1));
      console.log("\nconfusion matrix (rows: true class, columns: predicted):");
      console.log(`${"".padStart(6)}${data.classes.map((c) => c.padStart(w)).join("")}`);
      r.confusion.forEach((row, c) => console.log(`${data.classes[c].padStart(5)} ${row.map((v) => String(v).padStart(w)).join("")}`));
    });
}

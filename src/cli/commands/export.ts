// `edgeq export model.edgeq -o model.onnx`: float as plain ONNX, int8 as QDQ.
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { exportOnnx } from "../../export/onnx.ts";
import { decode } from "../../format/reader.ts";
import { createEngine } from "../../node.ts";

export function register(program: Command): void {
  program
    .command("export")
    .description("Write an .edgeq model as ONNX (opset 17): float as plain ops, int8 as QDQ")
    .argument("<model.edgeq>", "edgeq model")
    .requiredOption("-o, --output <file>", "where to write the .onnx model")
    .addHelpText("after", `
Inputs and outputs keep edgeq's names, dtypes and per-sample shapes with a leading batch dim;
images stay NHWC. Compressed weights are written decoded.

Example:
  $ edgeq export mnist-int8.edgeq -o mnist-int8.onnx`)
    .action(async (file: string, opts: { output: string }) => {
      const bytes = new Uint8Array(readFileSync(file));
      (await createEngine()).load(bytes).dispose(); // full validation before trusting the decode
      const onnx = exportOnnx(decode(bytes), basename(file).replace(/\.edgeq$/, ""));
      writeFileSync(opts.output, onnx);
      console.log(`wrote ${opts.output} (${onnx.length} bytes)`);
    });
}

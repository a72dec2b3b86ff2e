// `edgeq inspect model.(onnx|edgeq)`: graph, parameters, bytes per tensor and encoding, MACs.
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { formatReport, inspectEdgeq, inspectOnnx } from "../../tools/inspect.ts";

export function register(program: Command): void {
  program
    .command("inspect")
    .description("Show a model's graph, parameter counts, bytes per tensor and encoding, and MACs")
    .argument("<model>", ".edgeq or .onnx file")
    .option("--input-shape <name=dims>", "ONNX: per-sample shape for inputs with symbolic dims (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExamples:\n  $ edgeq inspect model.edgeq\n  $ edgeq inspect cls.onnx --input-shape x=3,48,192 --json")
    .action((file: string, opts: { inputShape: string[]; json?: boolean }) => {
      const bytes = new Uint8Array(readFileSync(file));
      const isEdgeq = bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === 0x51474445;
      const shapes = Object.fromEntries(opts.inputShape.map((s) => { const [k, v] = s.split("="); return [k, v.split(/[,x]/).map(Number)]; }));
      const r = isEdgeq ? inspectEdgeq(bytes) : inspectOnnx(bytes, { inputShapes: shapes });
      console.log(opts.json ? JSON.stringify(r, null, 2) : formatReport(r));
    });
}

// `edgeq import model.onnx -o model.edgeq`: float ONNX -> .edgeq, verified by loading it into the
// artifact before anything is written.
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { Op } from "../../../assembly/format/spec.ts";
import { encode } from "../../format/writer.ts";
import { importOnnx } from "../../import/onnx.ts";
import { createEngine } from "../../node.ts";

function parseShapes(list: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of list) {
    const m = /^([^=]+)=(\d+(?:[,x]\d+)*)$/.exec(s);
    if (!m) throw new Error(`--input-shape expects name=d1,d2,... (per sample, no batch), got "${s}"`);
    out[m[1]] = m[2].split(/[,x]/).map(Number);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command("import")
    .description("Convert a float ONNX model (opsets 9-17) to .edgeq")
    .argument("<model.onnx>", "ONNX model")
    .requiredOption("-o, --output <file>", "where to write the .edgeq model")
    .option("--input-shape <name=dims>", "per-sample shape for inputs with symbolic dims (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--nhwc", "image inputs are NHWC ([H, W, C] per sample) instead of ONNX's NCHW")
    .option("--no-verify", "write without loading the result into the artifact first")
    .option("--json", "machine-readable summary")
    .addHelpText("after", `
The first ONNX dim of every input is the batch; edgeq shapes are per sample. Image inputs stay
NCHW like onnxruntime's unless --nhwc is given. Unsupported models are refused with the list of
every unsupported op and its nodes; nothing is written.

Examples:
  $ edgeq import mnist.onnx -o mnist.edgeq
  $ edgeq import cls.onnx -o cls.edgeq --input-shape x=3,48,192`)
    .action(async (file: string, opts: { output: string; inputShape: string[]; nhwc?: boolean; verify: boolean; json?: boolean }) => {
      const r = importOnnx(new Uint8Array(readFileSync(file)), { inputShapes: parseShapes(opts.inputShape), inputLayout: opts.nhwc ? "nhwc" : "nchw" });
      const bytes = encode(r.spec);
      if (opts.verify) (await createEngine()).load(bytes).dispose();
      writeFileSync(opts.output, bytes);
      const ops: Record<string, number> = {};
      for (const o of r.spec.ops) ops[Op[o.op] ?? `op${o.op}`] = (ops[Op[o.op] ?? `op${o.op}`] ?? 0) + 1;
      const summary = { output: opts.output, bytes: bytes.length, opset: r.opset, inputs: r.inputs, outputs: r.spec.outputs.map((i) => ({ name: r.spec.tensors[i].name, shape: r.spec.tensors[i].shape })), ops };
      if (opts.json) console.log(JSON.stringify(summary, null, 2));
      else {
        console.log(`wrote ${opts.output} (${bytes.length} bytes) from opset ${r.opset}`);
        for (const i of summary.inputs) console.log(`  input  ${i.name} [${i.shape}] ${i.layout === "plain" ? "" : i.layout.toUpperCase()}`);
        for (const o of summary.outputs) console.log(`  output ${o.name} [${o.shape}]`);
        console.log(`  ops    ${Object.entries(ops).map(([k, v]) => `${k}×${v}`).join(" ")}`);
      }
    });
}

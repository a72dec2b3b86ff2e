// `edgeq inspect`: what is inside a container: tensors, ops, precisions and where the bytes go.
import type { Command } from "commander";
import { DType, Encoding, Kind } from "../../../assembly/format/spec.ts";
import { decode } from "../../format/reader.ts";
import { opName } from "../../quantize/ops.ts";
import { readModelFile } from "../io.ts";

export function register(program: Command): void {
  program
    .command("inspect")
    .description("List a model's ops and tensors with dtypes, quantization and sizes")
    .argument("<model>", ".edgeq model")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  $ edgeq inspect lenet5.int8.edgeq")
    .action((path: string, opts: { json?: boolean }) => {
      const bytes = readModelFile(path);
      const g = decode(bytes);
      const tensors = g.tensors.map((t, id) => ({
        id,
        name: t.name,
        kind: t.kind === Kind.Const ? "const" : "act",
        dtype: DType[t.dtype] ?? t.dtype,
        encoding: Encoding[t.encoding ?? 0],
        shape: t.shape,
        bytes: (t.data?.byteLength ?? 0) + (t.aux?.byteLength ?? 0) + (t.scales?.length ?? 0) * 4,
        scales: t.scales?.length ?? 0,
        scale: t.scales?.length === 1 ? t.scales[0] : undefined,
        zeroPoint: t.zeroPoint ?? 0,
      }));
      const ops = g.ops.map((o, i) => ({
        index: i,
        op: opName(o.op),
        inputs: o.inputs.map((t) => (t === null ? null : g.tensors[t].name)),
        outputs: o.outputs.map((t) => g.tensors[t].name),
        attrs: o.attrs ?? [],
      }));
      const summary = { file: path, bytes: bytes.length, inputs: g.inputs.map((i) => g.tensors[i].name), outputs: g.outputs.map((i) => g.tensors[i].name), ops, tensors };
      if (opts.json) {
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      console.log(`${path}: ${bytes.length} bytes, ${ops.length} ops, ${tensors.length} tensors; inputs ${summary.inputs.join(", ")}; outputs ${summary.outputs.join(", ")}\n`);
      for (const o of ops) console.log(`  ${String(o.index).padStart(3)} ${o.op.padEnd(14)} ${o.inputs.map((n) => n ?? "-").join(", ")} -> ${o.outputs.join(", ")}${o.attrs.length ? `  [${o.attrs.join(" ")}]` : ""}`);
      console.log("");
      for (const t of tensors) {
        const q = t.scales === 0 ? "" : t.scales === 1 ? ` scale ${t.scale!.toPrecision(4)} zp ${t.zeroPoint}` : ` ${t.scales} channel scales`;
        console.log(`  ${t.name.padEnd(24)} ${t.kind.padEnd(5)} ${String(t.dtype).padEnd(4)} [${t.shape.join(",")}]${t.encoding !== "Dense" ? ` ${t.encoding}` : ""}${q}${t.bytes ? `  ${t.bytes} B` : ""}`);
      }
    });
}

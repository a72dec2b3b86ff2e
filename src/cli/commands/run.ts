// `edgeq run`: one model, one input file (or dataset samples), outputs printed.
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { DataError } from "../../data/errors.ts";
import { isDataSpec, loadDataSpec } from "../../data/source.ts";
import { createEngine } from "../../node.ts";
import { CliError, EXIT } from "../errors.ts";
import { readModelFile } from "../io.ts";

/** .npy (little-endian f4/f8/u1/i1/i4), little-endian f32 rows. */
function readNpy(buf: Buffer, path: string): Float32Array {
  if (buf.readUInt32BE(0) !== 0x934e554d) throw new DataError(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + hlen).toString("latin1");
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new DataError(`${path}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const body = buf.subarray(start + hlen);
  const ab = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  switch (descr) {
    case "<f4": return new Float32Array(ab);
    case "<f8": return Float32Array.from(new Float64Array(ab));
    case "|u1": return Float32Array.from(new Uint8Array(ab));
    case "|i1": return Float32Array.from(new Int8Array(ab));
    case "<i4": return Float32Array.from(new Int32Array(ab));
    default: throw new DataError(`${path}: unsupported .npy dtype ${descr}; use float32`);
  }
}

export function readInput(spec: string): Float32Array | Record<string, number[]> {
  if (!existsSync(spec) && isDataSpec(spec)) return loadDataSpec(spec).x;
  if (!existsSync(spec)) throw new CliError(`cannot read input "${spec}": no such file (give a .json, .npy or raw little-endian f32 file, or a dataset such as mnist:test:1)`, EXIT.usage);
  const buf = readFileSync(spec);
  const ext = extname(spec).toLowerCase();
  if (ext === ".json") {
    let v: unknown;
    try {
      v = JSON.parse(buf.toString("utf8"));
    } catch (e) {
      throw new DataError(`${spec}: not valid JSON (${(e as Error).message})`);
    }
    const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flatMap(flat) : typeof a === "number" ? [a] : (() => { throw new DataError(`${spec}: expected numbers, found ${JSON.stringify(a)}`); })());
    if (Array.isArray(v)) return Float32Array.from(flat(v));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, a]) => [k, flat(a)]));
    throw new DataError(`${spec}: expected an array of numbers or an object of arrays by input name`);
  }
  if (ext === ".npy") return readNpy(buf, spec);
  if (buf.length % 4 !== 0) throw new DataError(`${spec}: ${buf.length} bytes is not a whole number of little-endian f32 values`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

export function register(program: Command): void {
  program
    .command("run")
    .description("Run a model on an input and print its outputs")
    .argument("<model>", ".edgeq model")
    .requiredOption("--input <file>", "input: .json (array, or object by input name), .npy, raw little-endian f32, or a dataset like mnist:test:3")
    .option("--top <k>", "text output: the k highest scores per sample", "3")
    .option("--json", "machine-readable output (every output value)")
    .addHelpText("after", `
Examples:
  $ edgeq run lenet5.int8.edgeq --input digit.npy
  $ edgeq run lenet5.int8.edgeq --input mnist:test:2 --json

Exit codes: 0 ok, 2 bad usage, 3 bad model or input shape, 4 bad input data.`)
    .action(async (path: string, opts: { input: string; top: string; json?: boolean }) => {
      const bytes = readModelFile(path);
      const input = readInput(opts.input);
      const engine = await createEngine();
      const model = engine.load(bytes);
      const t0 = performance.now();
      const feed = input instanceof Float32Array ? [input] : input;
      const out = model.run(feed);
      const ms = performance.now() - t0;
      model.dispose();
      if (opts.json) {
        const json = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype, data: Array.from(t.data) }]));
        console.log(JSON.stringify({ model: path, ms, outputs: json }, null, 2));
        return;
      }
      const k = Math.max(1, Number.parseInt(opts.top, 10) || 3);
      for (const [name, t] of Object.entries(out)) {
        const [batch, ...per] = t.shape;
        const n = per.reduce((a, b) => a * b, 1);
        console.log(`${name} [${t.shape}]`);
        for (let b = 0; b < batch; b++) {
          const row = Array.from(t.data.subarray(b * n, (b + 1) * n));
          const top = row.map((v, i) => [i, v]).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k);
          console.log(`  sample ${b}: argmax ${top[0][0]}; top ${top.map(([i, v]) => `${i}:${v.toPrecision(4)}`).join(" ")}`);
        }
      }
      console.log(`(${ms.toFixed(2)} ms)`);
    });
}

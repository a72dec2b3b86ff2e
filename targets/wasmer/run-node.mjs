#!/usr/bin/env node
// Runs the WASI command build (build/edgeq-cli.wasm) under node:wasi, for machines without a
// wasmer binary:  node targets/wasmer/run-node.mjs --mapdir /m:./models -- infer /m/x.edgeq /m/in.bin
// One process per invocation on purpose: node:wasi has crashed intermittently when one compiled
// module was instantiated many times in a process (nodejs/node#52402), so nothing is reused.
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const preopens = {};
let wasmPath = join(dirname(fileURLToPath(import.meta.url)), "../../build/edgeq-cli.wasm");
while (argv.length && argv[0] !== "--") {
  const flag = argv.shift();
  const value = argv.shift();
  if (flag === "--mapdir" && value?.includes(":")) {
    const at = value.indexOf(":");
    preopens[value.slice(0, at)] = resolve(value.slice(at + 1));
  } else if (flag === "--wasm" && value) wasmPath = resolve(value);
  else {
    process.stderr.write("usage: run-node.mjs [--wasm edgeq-cli.wasm] [--mapdir /guest:hostdir]... -- <edgeq-cli args>\n");
    process.exit(2);
  }
}
argv.shift(); // "--"
const wasi = new WASI({ version: "preview1", args: ["edgeq-cli", ...argv], preopens, returnOnExit: true });
const instance = await WebAssembly.instantiate(new WebAssembly.Module(readFileSync(wasmPath)), wasi.getImportObject());
process.exitCode = wasi.start(instance);

// edgeq-cli.wasm: a WASI command over the same executor as edgeq.wasm, for `wasmer run` and
// any WASI host. It calls the artifact's ABI functions directly (assembly/index.ts), so the
// load/validate/run path is byte for byte the one edgeq.wasm runs.
//
//   edgeq-cli infer <model.edgeq> <input.bin | ->   prints {"outputs": {name: {dtype, shape, data}}}
//   edgeq-cli info  <model.edgeq>                   prints the inputs and outputs
//
// input.bin: the model's inputs in order, little-endian, concatenated; the batch is the file
// size divided by the bytes of one sample of all inputs. f32 values print as decimals that read
// back to the same float (non-finite ones as null). Exit codes: 0 ok, 2 usage, 3 bad model or
// input, 1 I/O failure.
import {
  edgeq_alloc, edgeq_free, edgeq_load, edgeq_io_count, edgeq_io_info, edgeq_prepare, edgeq_io_ptr, edgeq_run,
  edgeq_last_error, edgeq_error_ptr, edgeq_error_len,
} from "../../../assembly/index";
import { DType } from "../../../assembly/format/spec";
import { fd_read, fd_close, fd_prestat_get, fd_prestat_dir_name, path_open, errno, prestat } from "bindings/wasi_snapshot_preview1";

const EXIT_USAGE = 2, EXIT_BAD = 3, EXIT_IO = 1;
const USAGE = "usage: edgeq-cli infer <model.edgeq> <input.bin|->\n       edgeq-cli info <model.edgeq>\n";
const RIGHTS_READ: u64 = 2 | 4 | (1 << 21); // fd_read | fd_seek | fd_filestat_get
const scratch = memory.data(64);

function die(code: i32, msg: string): void {
  process.stderr.write("error: " + msg + "\n");
  process.exit(code);
}

function engineError(): string {
  return String.UTF8.decodeUnsafe(edgeq_error_ptr(), <usize>edgeq_error_len()) + " (code " + edgeq_last_error().toString() + ")";
}

/** Preopened directory whose name is the longest prefix of `path`; sets relPath. */
let relPath = "";
function findPreopen(path: string): i32 {
  let best: i32 = -1, bestLen: i32 = -1;
  for (let fd: u32 = 3; fd < 64; fd++) {
    if (fd_prestat_get(fd, changetype<prestat>(scratch)) != errno.SUCCESS) break;
    if (load<u8>(scratch) != 0) continue;
    const len = load<u32>(scratch, 4);
    const buf = heap.alloc(len);
    if (fd_prestat_dir_name(fd, buf, len) != errno.SUCCESS) continue;
    let name = String.UTF8.decodeUnsafe(buf, len);
    while (name.length > 1 && name.endsWith("/")) name = name.substring(0, name.length - 1);
    let rel: string | null = null;
    if (name == "." || name == "") { if (!path.startsWith("/")) rel = path.startsWith("./") ? path.substring(2) : path; }
    else if (name == "/") { if (path.startsWith("/")) rel = path.substring(1); }
    else if (path.startsWith(name + "/")) rel = path.substring(name.length + 1);
    if (rel !== null && name.length > bestLen) { best = <i32>fd; bestLen = name.length; relPath = rel; }
  }
  return best;
}

/** Whole file (or stdin for "-") in a block from edgeq_alloc; its length in fileLen. */
let fileLen: usize = 0;
function readAll(path: string): usize {
  let fd: u32 = 0;
  if (path != "-") {
    const dir = findPreopen(path);
    if (dir < 0) { die(EXIT_IO, "no preopened directory holds " + path + " (use --mapdir / --dir)"); return 0; }
    const p = String.UTF8.encode(relPath);
    const err = path_open(<u32>dir, 1, changetype<usize>(p), <usize>p.byteLength, 0, RIGHTS_READ, 0, 0, changetype<usize>(scratch));
    if (err != errno.SUCCESS) { die(EXIT_IO, "cannot open " + path + " (WASI errno " + err.toString() + ")"); return 0; }
    fd = load<u32>(scratch);
  }
  let cap: usize = 1 << 16;
  let buf = edgeq_alloc(<u32>cap);
  let len: usize = 0;
  while (true) {
    if (buf == 0) { die(EXIT_IO, "out of memory reading " + path); return 0; }
    if (len == cap) {
      const bigger = edgeq_alloc(<u32>(cap << 1));
      if (bigger == 0) { die(EXIT_IO, "out of memory reading " + path); return 0; }
      memory.copy(bigger, buf, len);
      edgeq_free(buf);
      buf = bigger;
      cap <<= 1;
    }
    store<usize>(scratch, buf + len);
    store<usize>(scratch, cap - len, 4);
    const err = fd_read(fd, changetype<usize>(scratch), 1, changetype<usize>(scratch) + 8);
    if (err != errno.SUCCESS) { die(EXIT_IO, "cannot read " + path + " (WASI errno " + err.toString() + ")"); return 0; }
    const n = load<u32>(scratch, 8);
    if (n == 0) break;
    len += n;
  }
  if (fd != 0) fd_close(fd);
  fileLen = len;
  return buf;
}

const INFO = memory.data(48);

function dtypeName(d: u32): string {
  return d == DType.F32 ? "float32" : d == DType.I8 ? "int8" : "int32";
}
function dtypeSize(d: u32): u32 {
  return d == DType.I8 ? 1 : 4;
}
/** Reads IoInfo into INFO; returns per-sample element count. */
function ioInfo(h: i32, isOut: i32, i: i32): u32 {
  if (edgeq_io_info(h, isOut, i, changetype<usize>(INFO)) < 0) die(EXIT_BAD, engineError());
  const rank = load<u32>(INFO, 8);
  let n: u32 = 1;
  for (let j: u32 = 0; j < rank; j++) n *= load<u32>(changetype<usize>(INFO) + 12 + (<usize>j << 2));
  return n;
}
function ioName(): string {
  return String.UTF8.decodeUnsafe(<usize>load<u32>(INFO, 36), <usize>load<u32>(INFO, 40));
}
function shapeJson(batch: i32): string {
  const rank = load<u32>(INFO, 8);
  let s = batch >= 0 ? "[" + batch.toString() : "[";
  for (let j: u32 = 0; j < rank; j++) s += (batch >= 0 || j > 0 ? "," : "") + load<u32>(changetype<usize>(INFO) + 12 + (<usize>j << 2)).toString();
  return s + "]";
}

function loadModel(path: string): i32 {
  const ptr = readAll(path);
  const h = edgeq_load(ptr, <u32>fileLen);
  if (h < 0) die(EXIT_BAD, path + ": " + engineError());
  return h;
}

function info(path: string): void {
  const h = loadModel(path);
  for (let isOut = 0; isOut < 2; isOut++) {
    const n = edgeq_io_count(h, isOut);
    for (let i = 0; i < n; i++) {
      ioInfo(h, isOut, i);
      process.stdout.write((isOut ? "output " : "input  ") + ioName() + " " + dtypeName(load<u32>(INFO, 4)) + " " + shapeJson(-1) + "\n");
    }
  }
}

function infer(modelPath: string, inputPath: string): void {
  const h = loadModel(modelPath);
  const nIn = edgeq_io_count(h, 0), nOut = edgeq_io_count(h, 1);
  let perSample: usize = 0;
  for (let i = 0; i < nIn; i++) perSample += <usize>ioInfo(h, 0, i) * dtypeSize(load<u32>(INFO, 4));
  const data = readAll(inputPath);
  if (fileLen == 0 || fileLen % perSample != 0) die(EXIT_BAD, inputPath + " has " + fileLen.toString() + " bytes; expected a positive multiple of " + perSample.toString() + " (one sample of every input)");
  const batch = <i32>(fileLen / perSample);
  if (edgeq_prepare(h, batch) < 0) die(EXIT_BAD, engineError());
  let off: usize = 0;
  for (let i = 0; i < nIn; i++) {
    const bytes = <usize>ioInfo(h, 0, i) * dtypeSize(load<u32>(INFO, 4)) * <usize>batch;
    memory.copy(edgeq_io_ptr(h, 0, i), data + off, bytes);
    off += bytes;
  }
  edgeq_free(data);
  if (edgeq_run(h) < 0) die(EXIT_BAD, engineError());
  process.stdout.write("{\"outputs\":{");
  for (let i = 0; i < nOut; i++) {
    const n = <usize>ioInfo(h, 1, i) * <usize>batch;
    const dt = load<u32>(INFO, 4);
    const p = edgeq_io_ptr(h, 1, i);
    process.stdout.write((i ? "," : "") + "\"" + ioName() + "\":{\"dtype\":\"" + dtypeName(dt) + "\",\"shape\":" + shapeJson(batch) + ",\"data\":[");
    // print in chunks: the stub runtime never frees, so keep each string small
    let line = "";
    for (let j: usize = 0; j < n; j++) {
      let v: string;
      if (dt == DType.F32) {
        const f = load<f32>(p + (j << 2));
        v = isFinite(f) ? (<f64>f).toString() : "null";
      } else if (dt == DType.I8) v = load<i8>(p + j).toString();
      else v = load<i32>(p + (j << 2)).toString();
      line += (j ? "," : "") + v;
      if (line.length > 2048) { process.stdout.write(line); line = ""; }
    }
    process.stdout.write(line + "]}");
  }
  process.stdout.write("}}\n");
}

const argv = process.argv;
// argv[0] is the program name
const cmd = argv.length > 1 ? argv[1] : "";
if (cmd == "infer" && argv.length == 4) infer(argv[2], argv[3]);
else if (cmd == "info" && argv.length == 3) info(argv[2]);
else if (cmd == "--help" || cmd == "-h" || cmd == "help") process.stdout.write(USAGE);
else die(EXIT_USAGE, "bad arguments\n" + USAGE);

// The native Wasmer host's HTTP gateway (`edgeq-host <wasm> serve --listen ...`, Rust + tiny_http)
// against the same API the Node gateway serves: the conformance set through HTTP (even vectors as
// JSON, odd ones as binary tensors) checked against the reference and bit for bit against the JS
// engine, then every kind of bad request answered with a 4xx JSON error, each followed by a good
// request that must still succeed, and a clean exit on SIGTERM.
// Run by `npm run test:wasmer` after native-wasmer.ts. Not a *.test.ts file: `npm test` must not need cargo.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { PACKAGE_ROOT, artifactPath } from "../../src/node.ts";
import { BINARY_TYPE, decodeTensors, encodeTensors } from "../../src/serve/wire.ts";
import { conformanceCases } from "./cases.ts";
import { engineTarget, runConformance } from "./harness.ts";
import { httpTarget } from "./http.ts";
import { writeCaseFiles } from "./wasi.ts";
import { engine } from "../helpers/engine.ts";
import { denseF64 } from "../ref/index.ts";
import { Rng } from "../helpers/rng.ts";

const profile = process.env.EDGEQ_HOST_PROFILE ?? "debug";
const HOST = join(process.env.CARGO_TARGET_DIR ?? join(PACKAGE_ROOT, "targets/wasmer/host/target"), profile, "edgeq-host");
const cases = conformanceCases();
const total = cases.reduce((a, c) => a + c.vectors.length, 0);
const dir = writeCaseFiles(cases);

interface Host {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `edgeq-host serve` on a free port; the first stdout line names the bound address. */
async function startHost(args: string[]): Promise<Host> {
  const child = spawn(HOST, [artifactPath(), "serve", "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (l) => resolve(l));
    child.once("exit", (code) => reject(new Error(`edgeq-host exited ${code} before listening: ${err}`)));
  });
  const url = /http:\/\/[^\s]+/.exec(first)?.[0];
  if (!url) throw new Error(`no address in "${first}"`);
  return {
    url,
    child,
    stderr: () => err,
    stop(signal = "SIGTERM") {
      child.kill(signal);
      return exited;
    },
  };
}

test("native Wasmer HTTP gateway: conformance in JSON and binary matches the reference and the JS engine's bits", async () => {
  // the engine in Node runs first, so the bit comparison has a JS baseline in this process
  const e = await engine();
  assert.is(await runConformance(engineTarget(e), cases), total);
  const host = await startHost(cases.flatMap((c) => ["--model", `${c.name}=${join(dir, c.name + ".edgeq")}`]));
  try {
    // the listing agrees with the JS engine's view of every model
    const list = (await (await fetch(`${host.url}/v1/models`)).json()) as { models: { name: string; bytes: number; inputs: unknown[]; outputs: unknown[] }[] };
    assert.equal(list.models.map((m) => m.name), cases.map((c) => c.name));
    for (const c of cases) {
      const m = e.load(c.bytes);
      const io = (i: { name: string; dtype: number; shape: number[]; scale: number; zeroPoint: number }) => ({ name: i.name, dtype: ["", "float32", "int8", "int32"][i.dtype], shape: i.shape, scale: i.scale, zeroPoint: i.zeroPoint });
      const got = list.models.find((x) => x.name === c.name)!;
      assert.equal(got, { name: c.name, bytes: c.bytes.length, inputs: m.inputs.map(io), outputs: m.outputs.map(io) }, c.name);
      m.dispose();
    }
    assert.is(await runConformance(httpTarget("wasmer-native-http", host.url), cases), total);
  } finally {
    assert.is(await host.stop(), 0, host.stderr());
  }
});

// ---- bad requests, each followed by a good one (the models of test/targets/gateway.test.ts) ----

const rng = new Rng(77);
const K = 6, N = 3;
const w = rng.f32(N * K), b = rng.f32(N);
function f32Model(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [K]);
  const y = g.act("y", DType.F32, [N]);
  g.op(Op.Dense, [x, g.constant("W", DType.F32, [N, K], w), g.constant("b", DType.F32, [N], b)], [y], [Activation.None]).output(y);
  return g.encode();
}
function i8Model(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("q", DType.I8, [4], { zeroPoint: 0 });
  const y = g.act("acc", DType.I32, [2]);
  g.op(Op.Dense, [x, g.constant("W", DType.I8, [2, 4], Int8Array.from([1, 2, 3, 4, -1, -2, -3, -4]))], [y]).output(y);
  return g.encode();
}

let host: Host;
const post = (path: string, body: BodyInit, type = "application/json", headers: Record<string, string> = {}) =>
  fetch(host.url + path, { method: "POST", headers: { "content-type": type, ...headers }, body });
const x0 = [0.5, -1, 2, 0, 1.25, -0.75];

async function expectWorking() {
  const res = await post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: x0 } } }));
  assert.is(res.status, 200);
  const body = (await res.json()) as { model: string; outputs: { y: { data: number[]; shape: number[]; dtype: string } } };
  assert.is(body.model, "dense");
  assert.equal(body.outputs.y.shape, [1, N]);
  assert.is(body.outputs.y.dtype, "float32");
  const ref = denseF64(x0, w, b, 1, K, N);
  body.outputs.y.data.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5, `y[${i}] = ${v}, reference ${ref[i]}`));
}

test("bad-input host starts", async () => {
  writeFileSync(join(dir, "dense.edgeq"), f32Model());
  writeFileSync(join(dir, "ints.edgeq"), i8Model());
  host = await startHost(["--model", `dense=${join(dir, "dense.edgeq")}`, "--model", join(dir, "ints.edgeq"), "--max-body", "4096", "--max-batch", "16"]);
});

test("healthz, model list, int8 model by position, binary answer on Accept", async () => {
  assert.equal(await (await fetch(host.url + "/healthz")).json(), { ok: true, models: 2 });
  const list = (await (await fetch(host.url + "/v1/models")).json()) as { models: { name: string; inputs: unknown[]; outputs: unknown[] }[] };
  assert.equal(list.models.map((m) => m.name), ["dense", "ints"]);
  assert.equal(list.models[0].inputs, [{ name: "x", dtype: "float32", shape: [K], scale: 0, zeroPoint: 0 }]);
  assert.equal(list.models[1].inputs, [{ name: "q", dtype: "int8", shape: [4], scale: 0, zeroPoint: 0 }]);
  assert.equal(list.models[1].outputs, [{ name: "acc", dtype: "int32", shape: [2], scale: 0, zeroPoint: 0 }]);
  // [1,1,1,1]·W = [10, -10]; [0,0,0,2]·W = [8, -8]; nested rows, input by position
  const res = await post("/v1/models/ints/infer", JSON.stringify({ inputs: [[[1, 1, 1, 1], [0, 0, 0, 2]]] }));
  const out = (await res.json()) as { outputs: { acc: unknown } };
  assert.equal(out.outputs.acc, { dtype: "int32", shape: [2, 2], data: [10, -10, 8, -8] });
  const bin = await post("/v1/models/ints/infer", JSON.stringify({ inputs: { q: { shape: [1, 4], data: [1, 1, 1, 1] } } }), "application/json", { accept: BINARY_TYPE });
  assert.is(bin.headers.get("content-type"), BINARY_TYPE);
  const [acc] = decodeTensors(new Uint8Array(await bin.arrayBuffer()));
  assert.equal([acc.name, acc.dtype, acc.shape, Array.from(acc.data)], ["acc", DType.I32, [1, 2], [10, -10]]);
  await expectWorking();
});

const f32Frame = (data: Float32Array, shape = [1, K], name = "x") => encodeTensors([{ name, dtype: DType.F32, shape, data }]);
const BAD: [string, () => Promise<Response>, number, string][] = [
  ["malformed JSON", () => post("/v1/models/dense/infer", "{inputs: [1,"), 400, "BadRequest"],
  ["NaN literal in JSON", () => post("/v1/models/dense/infer", '{"inputs":{"x":[NaN,0,0,0,0,0]}}'), 400, "BadRequest"],
  ["no inputs key", () => post("/v1/models/dense/infer", JSON.stringify({ x: [1] })), 400, "BadRequest"],
  ["inputs not an object", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: 3 })), 400, "BadRequest"],
  ["unknown model", () => post("/v1/models/nope/infer", JSON.stringify({ inputs: { x: { data: x0 } } })), 404, "UnknownModel"],
  ["missing input", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: {} })), 400, "BadRequest"],
  ["wrong length", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: [1, 2, 3] } } })), 400, "BadRequest"],
  ["wrong shape", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { shape: [2, 3], data: x0 } } })), 400, "BadRequest"],
  ["shape not integers", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { shape: [1, 6.5], data: x0 } } })), 400, "BadRequest"],
  ["wrong dtype", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { dtype: "int8", data: [1, 2, 3, 4, 5, 6] } } })), 400, "BadRequest"],
  ["unknown dtype", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { dtype: "float64", data: x0 } } })), 400, "BadRequest"],
  ["int8 out of range", () => post("/v1/models/ints/infer", JSON.stringify({ inputs: { q: [1, 2, 3, 300] } })), 400, "BadRequest"],
  ["non-integer int8", () => post("/v1/models/ints/infer", JSON.stringify({ inputs: { q: [1, 2, 3, 0.5] } })), 400, "BadRequest"],
  ["f32 overflow to Infinity", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: [1e39, 0, 0, 0, 0, 0] } })), 400, "BadRequest"],
  ["NaN in JSON (string)", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: ["NaN", 0, 0, 0, 0, 0] } })), 400, "BadRequest"],
  ["null in JSON", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: [null, 0, 0, 0, 0, 0] } })), 400, "BadRequest"],
  ["too deeply nested", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: [[[[[[[1, 0, 0, 0, 0, 0]]]]]]] } })), 400, "BadRequest"],
  ["position past the inputs", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: [x0, x0] })), 400, "BadRequest"],
  ["batch over --max-batch", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: new Array(17 * K).fill(0) } })), 413, "PayloadTooLarge"],
  ["NaN in binary", () => post("/v1/models/dense/infer", f32Frame(Float32Array.from([NaN, 0, 0, 0, 0, 0])), BINARY_TYPE), 400, "BadRequest"],
  ["Infinity in binary", () => post("/v1/models/dense/infer", f32Frame(Float32Array.from([Infinity, 0, 0, 0, 0, 0])), BINARY_TYPE), 400, "BadRequest"],
  ["binary dtype mismatch", () => post("/v1/models/dense/infer", encodeTensors([{ name: "x", dtype: DType.I8, shape: [1, K], data: new Int8Array(K) }]), BINARY_TYPE), 400, "BadRequest"],
  ["binary wrong shape", () => post("/v1/models/dense/infer", f32Frame(new Float32Array(K), [2, 3]), BINARY_TYPE), 400, "BadRequest"],
  ["binary zero dimension", () => post("/v1/models/dense/infer", f32Frame(new Float32Array(0), [0, K]), BINARY_TYPE), 400, "BadRequest"],
  ["binary huge dims", () => post("/v1/models/dense/infer", f32Frame(new Float32Array(K), [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), BINARY_TYPE), 400, "BadRequest"],
  ["truncated binary", () => post("/v1/models/dense/infer", f32Frame(new Float32Array(K)).subarray(0, 30), BINARY_TYPE), 400, "BadRequest"],
  ["binary garbage", () => post("/v1/models/dense/infer", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), BINARY_TYPE), 400, "BadRequest"],
  ["binary too many tensors", () => post("/v1/models/dense/infer", Uint8Array.from([0x45, 0x51, 0x54, 0x31, 65, 0, 0, 0]), BINARY_TYPE), 400, "BadRequest"],
  ["binary input given twice", () => post("/v1/models/dense/infer", encodeTensors([0, 1].map(() => ({ name: "x", dtype: DType.F32, shape: [1, K], data: new Float32Array(K) }))), BINARY_TYPE), 400, "BadRequest"],
  ["unknown input name", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: x0, z: [1] } })), 400, "BadRequest"],
  ["oversize body", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: new Array(2000).fill(1.2345) } } })), 413, "PayloadTooLarge"],
  ["unsupported content type", () => post("/v1/models/dense/infer", "x=1", "application/x-www-form-urlencoded"), 415, "UnsupportedMediaType"],
  ["unknown route", () => fetch(host.url + "/v2/whatever"), 404, "NotFound"],
  ["wrong method", () => fetch(host.url + "/v1/models/dense/infer"), 404, "NotFound"],
];

for (const [what, send, status, code] of BAD) {
  test(`bad input → ${status} ${code}, host keeps serving: ${what}`, async () => {
    const res = await send();
    assert.is(res.status, status, what);
    const body = (await res.json()) as { error: { status: number; code: string; message: string } };
    assert.is(body.error.status, status);
    assert.is(body.error.code, code);
    assert.type(body.error.message, "string");
    await expectWorking();
  });
}

test("metrics count requests, errors and latencies", async () => {
  const text = await (await fetch(host.url + "/metrics")).text();
  const errors = [...text.matchAll(/^edgeq_errors_total\{[^}]*class="4xx"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  assert.ok(errors >= BAD.length, `4xx count ${errors}`);
  const count = Number(/^edgeq_request_seconds_count (\d+)$/m.exec(text)?.[1]);
  const inf = Number(/^edgeq_request_seconds_bucket\{le="\+Inf"\} (\d+)$/m.exec(text)?.[1]);
  assert.ok(count >= 2 * BAD.length, `count ${count}`);
  assert.is(inf, count);
  assert.match(text, /edgeq_requests_total\{route="\/v1\/models\/:name\/infer",status="200"\} \d+/);
  assert.match(text, /edgeq_wasm_linear_bytes [1-9]\d*/);
  assert.match(text, /edgeq_models_loaded 2/);
});

test("a stalled upload does not hold up other requests; SIGINT lets it finish, then the port closes", async () => {
  const { request } = await import("node:http");
  // over 1 KiB (whitespace is valid JSON): tiny_http reads smaller bodies whole before handing
  // the request over, so only a larger one is in the gateway's hands while it arrives
  const body = JSON.stringify({ inputs: { x: x0 } }) + " ".repeat(2000);
  let finish!: () => void;
  // request A: headers and part of the body sent, the rest held back
  const stalled = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(host.url + "/v1/models/dense/infer", { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.write(body.slice(0, 10));
    finish = () => req.end(body.slice(10));
  });
  await new Promise((r) => setTimeout(r, 100));
  // while A's body is incomplete, other clients are still answered
  await expectWorking();
  const stopped = host.stop("SIGINT");
  await new Promise((r) => setTimeout(r, 100));
  finish();
  const a = await stalled;
  assert.is(a.status, 200, a.text);
  const y = (JSON.parse(a.text) as { outputs: { y: { data: number[] } } }).outputs.y.data;
  const ref = denseF64(x0, w, b, 1, K, N);
  y.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5));
  assert.is(await stopped, 0, host.stderr());
  let refused = false;
  try {
    await fetch(host.url + "/healthz");
  } catch {
    refused = true;
  }
  assert.ok(refused);
});

test("serve refuses bad command lines and bad models before listening", () => {
  const run = (...args: string[]) => spawnSync(HOST, [artifactPath(), "serve", "--listen", "127.0.0.1:0", ...args], { encoding: "utf8", timeout: 60_000 });
  assert.is(run().status, 2); // no model
  assert.is(run("--model", join(dir, "dense.edgeq"), "--bogus").status, 2);
  assert.is(run("--model", join(dir, "dense.edgeq"), "--max-body", "lots").status, 2);
  assert.is(run("--model", `a=${join(dir, "dense.edgeq")}`, "--model", `a=${join(dir, "ints.edgeq")}`).status, 2);
  assert.is(run("--model", join(dir, "missing.edgeq")).status, 1);
  const bad = f32Model();
  bad[bad.length - 1] ^= 0xff;
  writeFileSync(join(dir, "corrupt.edgeq"), bad);
  const corrupt = run("--model", join(dir, "corrupt.edgeq"));
  assert.is(corrupt.status, 3);
  assert.match(corrupt.stderr, /code 4/); // Checksum
});

test.after(async () => {
  if (host && host.child.exitCode === null) await host.stop();
  rmSync(dir, { recursive: true, force: true });
});
test.run();

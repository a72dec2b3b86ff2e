// The committed model zoo (models/*.edgeq): every model loads in edgeq.wasm and reaches its
// target accuracy on its test split, and a zoo script run reproduces its model bit for bit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadSplits, type DatasetName } from "../../src/data/registry.ts";
import { toEdgeq } from "../../src/train/export.ts";
import { runRecipe } from "../../src/train/recipe.ts";
import { ZOO } from "../../src/train/zoo.ts";
import { engine } from "../helpers/engine.ts";
import { backend } from "../helpers/train.ts";

const dir = join(import.meta.dirname, "../../models");
const names = readdirSync(dir).filter((f) => f.endsWith(".edgeq")).map((f) => f.slice(0, -6));

test("the zoo holds the four reference models", () => {
  for (const n of ["mlp-digits", "lenet-300-100", "lenet5", "vgg-small"]) assert.ok(names.includes(n) || !existsSync(join(dir, `${n}.json`)), `${n}.edgeq missing`);
  assert.ok(names.length >= 2, `models: ${names}`);
});

test("every committed model reaches its target accuracy in edgeq.wasm", async () => {
  const e = await engine();
  for (const n of names) {
    const meta = JSON.parse(readFileSync(join(dir, `${n}.json`), "utf8")) as { data: DatasetName; target: number; testAccuracy: number };
    const m = e.load(new Uint8Array(readFileSync(join(dir, `${n}.edgeq`))));
    const { test: held } = loadSplits(meta.data);
    const C = m.outputs[0].shape[0];
    let right = 0;
    for (let from = 0; from < held.n; from += 1000) {
      const k = Math.min(1000, held.n - from), per = held.x.length / held.n;
      const y = m.run({ input: held.x.subarray(from * per, (from + k) * per) }).logits.data;
      for (let i = 0; i < k; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (y[i * C + c] > y[i * C + best]) best = c;
        if (best === held.y[from + i]) right++;
      }
    }
    const acc = right / held.n;
    assert.ok(acc >= meta.target, `${n}: ${acc} < target ${meta.target}`);
    assert.ok(Math.abs(acc - meta.testAccuracy) < 0.002, `${n}: engine ${acc} vs recorded ${meta.testAccuracy}`);
    m.dispose();
  }
});

test("the zoo script reproduces mlp-digits bit for bit", async () => {
  const res = runRecipe(await backend(), ZOO["mlp-digits"]);
  const bytes = toEdgeq(res.model);
  res.model.dispose();
  assert.ok(Buffer.from(bytes).equals(readFileSync(join(dir, "mlp-digits.edgeq"))), "retrained mlp-digits differs from models/mlp-digits.edgeq");
});

test.run();

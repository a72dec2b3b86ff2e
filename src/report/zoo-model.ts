// The float model behind `npm start`: the zoo's LeNet-5 (models/lenet5.edgeq, trained by
// models/train.ts). On a checkout without it, a LeNet-5 is trained here with the zoo recipe,
// shortened to one epoch on 20 000 images so the whole job still fits in its time budget.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadMnist } from "../data/mnist.ts";
import { PACKAGE_ROOT } from "../node.ts";
import type { Engine } from "../runtime/engine.ts";
import { Backend } from "../train/backend.ts";
import { toEdgeq } from "../train/export.ts";
import { runRecipe } from "../train/recipe.ts";
import { ZOO } from "../train/zoo.ts";

export interface ZooModel {
  name: string;
  origin: string;
  bytes: Uint8Array;
}

export function zooModel(engine: Engine, log: (s: string) => void = () => {}): ZooModel {
  const file = join(PACKAGE_ROOT, "models", "lenet5.edgeq");
  if (existsSync(file)) return { name: "LeNet-5", origin: "models/lenet5.edgeq", bytes: new Uint8Array(readFileSync(file)) };
  log("models/lenet5.edgeq not found: training LeNet-5 briefly (zoo recipe, 1 epoch on 20 000 images)...");
  const t0 = performance.now();
  const res = runRecipe(new Backend(engine), { ...ZOO.lenet5, epochs: 1 }, { data: { train: loadMnist("train", 20000), test: loadMnist("test", 1000) } });
  const bytes = toEdgeq(res.model);
  res.model.dispose();
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  return { name: "LeNet-5", origin: `trained here in ${s} s: 1 epoch on 20 000 images; run models/train.ts lenet5 for the full zoo model`, bytes };
}

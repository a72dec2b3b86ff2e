import { test } from "uvu";
import * as assert from "uvu/assert";
import { createEngine } from "../../src/node.ts";
import { seedModels } from "./corpus.ts";
import { fuzz } from "./harness.ts";

test("10 000 mutated models: typed errors only, no traps, no leaks, engine keeps serving", async () => {
  const engine = await createEngine();
  const seeds = seedModels();
  const probe = engine.load(seeds[0].bytes);
  const input = new Float32Array(24).map((_, i) => Math.sin(i));
  const before = probe.run([input]).y.data.slice();
  const stats = fuzz(engine, 10_000, 7);
  assert.equal(stats.crashes, [], JSON.stringify(stats.crashes.slice(0, 3)));
  assert.ok(stats.loaded > 0, "some mutants are still valid models and must run");
  assert.ok(Object.keys(stats.rejected).length >= 8, `rejections spread over codes: ${JSON.stringify(stats.rejected)}`);
  // the model loaded before fuzzing still answers identically
  assert.equal(Array.from(probe.run([input]).y.data), Array.from(before));
  probe.dispose();
});

test.run();

import { createEngine } from "../../src/node.ts";
import type { Engine } from "../../src/runtime/engine.ts";

let shared: Promise<Engine> | undefined;
/** One engine per test process: loading many models into one instance is itself under test. */
export function engine(): Promise<Engine> {
  shared ??= createEngine();
  return shared;
}

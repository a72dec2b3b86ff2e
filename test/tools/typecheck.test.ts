import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/node.ts";

test("host, tests, bench and targets typecheck under strict TypeScript", () => {
  const r = spawnSync(join(PACKAGE_ROOT, "node_modules/.bin/tsc"), ["--noEmit", "-p", join(PACKAGE_ROOT, "tsconfig.json")], { encoding: "utf8" });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test.run();

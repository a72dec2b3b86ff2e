import { test } from "uvu";
import * as assert from "uvu/assert";
import { passesSelfCheck, selfCheckCase } from "../../src/runtime/selfcheck.ts";
import { engine } from "../helpers/engine.ts";
import { denseInt } from "../ref/index.ts";

function runOn(e: Awaited<ReturnType<typeof engine>>) {
  return (bytes: Uint8Array, x: Int8Array) => {
    const m = e.load(bytes);
    try {
      const out = m.run([x]);
      return Int32Array.from([...out.y7.data, ...out.y8.data]);
    } finally {
      m.dispose();
    }
  };
}

test("the self-check's expected values agree with the independent reference", () => {
  const c = selfCheckCase();
  assert.is(c.expected.length, 2 * 5 * 11);
  assert.ok(c.x.includes(-128) && c.x.includes(127));
  // rebuild the weights from the container would need a decoder; check the int32 range instead
  // and that the SIMD128 engine reproduces it (next test) — here: the reference helper agrees on a slice
  const ref = denseInt(c.x.subarray(0, 37), -3, new Int8Array(37).fill(1), 0, null, 1, 37, 1)[0];
  let s = 0;
  for (let k = 0; k < 37; k++) s += c.x[k] + 3;
  assert.is(ref, s);
});

test("the SIMD128 build passes the numeric self-check", async () => {
  assert.ok(passesSelfCheck(runOn(await engine())));
});

test("a build that is off by one anywhere, or traps, fails the self-check", async () => {
  const good = runOn(await engine());
  assert.not.ok(passesSelfCheck((b, x) => { const o = good(b, x); o[17] += 1; return o; }));
  assert.not.ok(passesSelfCheck((b, x) => { const o = good(b, x); o[o.length - 1] ^= 1 << 30; return o; }));
  assert.not.ok(passesSelfCheck(() => { throw new WebAssembly.RuntimeError("unreachable"); }));
  assert.not.ok(passesSelfCheck((b, x) => good(b, x).subarray(1)));
});

test.run();

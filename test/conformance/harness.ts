// Checks one target's output for one conformance vector: against the TS reference (int8/int32
// exact except flagged near-ties, f32 within F32_TOL), and bit for bit against the outputs the
// first target produced for the same vector (every target runs the same artifact).
import * as assert from "uvu/assert";
import { DType } from "../../assembly/format/spec.ts";
import { F32_TOL, type Case, type Vector } from "./cases.ts";
import type { Engine } from "../../src/runtime/engine.ts";

export interface Output {
  shape: number[];
  data: ArrayLike<number>;
}

export interface Target {
  name: string;
  run(c: Case, v: Vector, vectorIndex: number): Promise<Output>;
  close?(): Promise<void>;
}

/** Bits of an output value, so f32 comparisons are exact (and NaN-safe). */
function bits(dtype: DType, data: ArrayLike<number>): number[] {
  if (dtype !== DType.F32) return Array.from(data);
  return Array.from(new Uint32Array(Float32Array.from(data).buffer));
}

const firstSeen = new Map<string, { target: string; bits: number[] }>();

export function checkOutput(target: string, c: Case, v: Vector, vi: number, out: Output): void {
  const N = v.expect.length / v.batch;
  assert.is(out.shape[0], v.batch, `${target} ${c.name}#${vi}: batch`);
  assert.is(out.shape.slice(1).reduce((a, b) => a * b, 1), N, `${target} ${c.name}#${vi}: per-sample size`);
  assert.is(out.data.length, v.expect.length, `${target} ${c.name}#${vi}: length`);
  for (let i = 0; i < v.expect.length; i++) {
    const got = out.data[i], want = v.expect[i];
    if (c.outputDType === DType.F32) assert.ok(Math.abs(got - want) <= F32_TOL * (1 + Math.abs(want)), `${target} ${c.name}#${vi} y[${i}] = ${got}, reference ${want}`);
    else if (v.nearTie?.[i]) assert.ok(Math.abs(got - want) <= 1, `${target} ${c.name}#${vi} y[${i}] = ${got}, reference ${want} (near tie)`);
    else assert.is(got, want, `${target} ${c.name}#${vi} y[${i}]`);
  }
  const key = `${c.name}#${vi}`;
  const b = bits(c.outputDType, out.data);
  const prev = firstSeen.get(key);
  if (!prev) firstSeen.set(key, { target, bits: b });
  else assert.equal(b, prev.bits, `${target} ${key}: output bits differ from ${prev.target}`);
}

/** Runs every case and vector through a target. */
export async function runConformance(t: Target, cases: Case[]): Promise<number> {
  let n = 0;
  for (const c of cases)
    for (let vi = 0; vi < c.vectors.length; vi++) {
      checkOutput(t.name, c, c.vectors[vi], vi, await t.run(c, c.vectors[vi], vi));
      n++;
    }
  return n;
}

/** The engine in this process as a target: load, run output "y", dispose. */
export function engineTarget(e: Engine, name = "node"): Target {
  return {
    name,
    async run(c, v) {
      const m = e.load(c.bytes);
      const y = m.run(v.inputs).y;
      m.dispose();
      return { shape: y.shape, data: y.data };
    },
  };
}

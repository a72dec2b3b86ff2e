// edgeq through its public API: models built with GraphBuilder, run with Engine/Model.
import { Activation, DType, Op } from "../../assembly/format/spec.ts";
import { GraphBuilder } from "../../src/format/builder.ts";
import type { TensorSpec } from "../../src/format/writer.ts";
import type { Engine, TensorData } from "../../src/runtime/engine.ts";

/** int8 x [K] (zero point 0) times int8 W [N,K] -> raw int32 [N] (MatMulInteger semantics). */
export function denseI8Model(K: number, N: number, w: Int8Array, enc: Partial<TensorSpec> = {}): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.I8, [K]);
  const W = g.constant("W", DType.I8, [N, K], w, enc);
  const y = g.act("y", DType.I32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

export function denseF32Model(K: number, N: number, w: Float32Array): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DType.F32, [K]);
  const W = g.constant("W", DType.F32, [N, K], w);
  const y = g.act("y", DType.F32, [N]);
  return g.op(Op.Dense, [x, W], [y]).output(y).encode();
}

export interface MlpLayer { N: number; K: number; wf: Float32Array; bf: Float32Array; wq: Int8Array; bq: Int32Array; sw: number; sy: number; zy: number; relu: boolean }

/** f32 MLP: Dense (+ReLU) per layer. */
export function mlpF32Model(layers: MlpLayer[]): Uint8Array {
  const g = new GraphBuilder();
  let t = g.input("x", DType.F32, [layers[0].K]);
  layers.forEach((l, i) => {
    const W = g.constant(`W${i}`, DType.F32, [l.N, l.K], l.wf);
    const B = g.constant(`b${i}`, DType.F32, [l.N], l.bf);
    const y = g.act(i === layers.length - 1 ? "y" : `h${i}`, DType.F32, [l.N]);
    g.op(Op.Dense, [t, W, B], [y], [l.relu ? Activation.Relu : Activation.None]);
    t = y;
  });
  return g.output(t).encode();
}

/** int8 MLP, int8 in and out, per-tensor scales; ReLU comes from the output range (zy = -128). */
export function mlpI8Model(layers: MlpLayer[], sx: number): Uint8Array {
  const g = new GraphBuilder();
  let t = g.input("x", DType.I8, [layers[0].K], { scales: [sx], zeroPoint: 0 });
  layers.forEach((l, i) => {
    const W = g.constant(`W${i}`, DType.I8, [l.N, l.K], l.wq, { scales: [l.sw] });
    const B = g.constant(`b${i}`, DType.I32, [l.N], l.bq);
    const y = g.act(i === layers.length - 1 ? "y" : `h${i}`, DType.I8, [l.N], { scales: [l.sy], zeroPoint: l.zy });
    g.op(Op.Dense, [t, W, B], [y], [l.relu ? Activation.Relu : Activation.None]);
    t = y;
  });
  return g.output(t).encode();
}

/**
 * keepOutput: write into one kept output array (Model.run's `outputs` option) instead of a new
 * array per call; used where only edgeq contenders are compared (a 256 KB output costs ~150 us to
 * allocate, which would dilute the kernels' ratio), not against peers that allocate their outputs.
 */
export function edgeqRunner(e: Engine, bytes: Uint8Array, x: Int8Array | Float32Array, keepOutput = false) {
  const m = e.load(bytes);
  const name = m.outputs[0].name;
  let out: Record<string, TensorData> | undefined;
  return {
    run: () => {
      const r = m.run([x], out === undefined ? {} : { outputs: out })[name].data;
      if (keepOutput && out === undefined) out = { [name]: r.slice() };
      return r;
    },
    release: () => m.dispose(),
  };
}

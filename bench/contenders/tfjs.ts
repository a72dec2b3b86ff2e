// TF.js with the wasm backend (single thread: Node has no wasm threads for it), float only.
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let ready: Promise<void> | undefined;
export function tfReady(): Promise<void> {
  ready ??= (async () => {
    const dir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    setWasmPaths(join(dir, "dist") + "/");
    setThreadsCount(1);
    if (!(await tf.setBackend("wasm"))) throw new Error("tfjs wasm backend did not initialise");
    await tf.ready();
  })();
  return ready;
}

/** y = x W^T for x [M,K] and W [N,K]; returns a runner producing y [M,N]. */
export function tfMatMul(x: Float32Array, M: number, K: number, w: Float32Array, N: number) {
  const xt = tf.tensor2d(x, [M, K]);
  const wt = tf.tensor2d(w, [N, K]);
  return {
    run(): Float32Array {
      const y = tf.matMul(xt, wt, false, true);
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return d;
    },
    release() { xt.dispose(); wt.dispose(); },
  };
}

/** NHWC conv, W given as [Cout,KH,KW,Cin] (edgeq layout), 'same'-style explicit padding. */
export function tfConv2d(x: Float32Array, H: number, W: number, C: number, w: Float32Array, Cout: number, KH: number, KW: number, pad: number, depthwise: boolean) {
  const xt = tf.tensor4d(x, [1, H, W, C]);
  let wt: tf.Tensor4D;
  if (depthwise) {
    // edgeq [C,KH,KW,1] -> tf [KH,KW,C,1]
    const d = new Float32Array(KH * KW * C);
    for (let c = 0; c < C; c++) for (let i = 0; i < KH * KW; i++) d[i * C + c] = w[c * KH * KW + i];
    wt = tf.tensor4d(d, [KH, KW, C, 1]);
  } else {
    const d = new Float32Array(KH * KW * C * Cout);
    for (let o = 0; o < Cout; o++) for (let i = 0; i < KH * KW; i++) for (let c = 0; c < C; c++) d[(i * C + c) * Cout + o] = w[(o * KH * KW + i) * C + c];
    wt = tf.tensor4d(d, [KH, KW, C, Cout]);
  }
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  return {
    run(): Float32Array {
      const y = depthwise ? tf.depthwiseConv2d(xt, wt, 1, padding) : tf.conv2d(xt, wt, 1, padding);
      const d = y.dataSync() as Float32Array;
      y.dispose();
      return d;
    },
    release() { xt.dispose(); wt.dispose(); },
  };
}

export const tfVersion = (): string => tf.version_core;

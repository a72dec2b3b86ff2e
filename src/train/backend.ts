// The training engine's view of edgeq.wasm: f32 buffers in the artifact's linear memory and the
// `edgeq_train_*` kernels over them. Tensors stay in wasm memory; JavaScript only ever holds
// fresh views (memory growth detaches old ones), so a view must be taken after the last
// allocation of the operation that uses it.
import { CONV_DESC, POOL_DESC, type EdgeqExports } from "../runtime/abi.ts";
import type { Engine } from "../runtime/engine.ts";
import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

export interface ConvGeometry {
  B: number; H: number; W: number; C: number; OH: number; OW: number; Cout: number;
  KH: number; KW: number; SH: number; SW: number; PT: number; PL: number; DH: number; DW: number; Groups: number;
}
export interface PoolGeometry {
  B: number; H: number; W: number; C: number; OH: number; OW: number;
  KH: number; KW: number; SH: number; SW: number; PT: number; PL: number; CountIncludePad: number;
}

export class Backend {
  readonly ex: EdgeqExports;
  private readonly desc: number;

  constructor(readonly engine: Engine) {
    this.ex = engine.exports;
    if (typeof this.ex.edgeq_train_matmul !== "function") throw new EdgeqError(ErrorCode.BadArgument, "this edgeq.wasm has no training kernels");
    this.desc = this.alloc(CONV_DESC.length);
  }

  /** A zeroed buffer of n f32 values. */
  alloc(n: number): number {
    const ptr = this.ex.edgeq_alloc(Math.max(1, n) * 4);
    if (ptr === 0) throw new EdgeqError(ErrorCode.OutOfMemory, `cannot allocate ${n} floats for training`);
    new Float32Array(this.ex.memory.buffer, ptr, n).fill(0);
    return ptr;
  }

  free(ptr: number): void {
    this.ex.edgeq_free(ptr);
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, ptr, n);
  }

  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.ex.memory.buffer, ptr, n);
  }

  private check(r: number): void {
    if (r < 0) throw this.engine.lastError(-r);
  }

  matmul(transA: boolean, transB: boolean, M: number, N: number, K: number, a: number, b: number, c: number, accumulate: boolean): void {
    this.check(this.ex.edgeq_train_matmul(+transA, +transB, M, N, K, a, b, c, +accumulate));
  }

  private convDesc(g: ConvGeometry): number {
    this.i32(this.desc, CONV_DESC.length).set(CONV_DESC.map((k) => g[k]));
    return this.desc;
  }

  private poolDesc(g: PoolGeometry): number {
    this.i32(this.desc, POOL_DESC.length).set(POOL_DESC.map((k) => g[k]));
    return this.desc;
  }

  conv2dForward(g: ConvGeometry, x: number, w: number, bias: number, y: number): void {
    this.check(this.ex.edgeq_train_conv2d_forward(this.convDesc(g), x, w, bias, y));
  }
  conv2dBackwardInput(g: ConvGeometry, dy: number, w: number, dx: number): void {
    this.check(this.ex.edgeq_train_conv2d_backward_input(this.convDesc(g), dy, w, dx));
  }
  conv2dBackwardWeights(g: ConvGeometry, x: number, dy: number, dw: number, db: number): void {
    this.check(this.ex.edgeq_train_conv2d_backward_weights(this.convDesc(g), x, dy, dw, db));
  }
  maxpoolForward(g: PoolGeometry, x: number, y: number, argmax: number): void {
    this.check(this.ex.edgeq_train_maxpool_forward(this.poolDesc(g), x, y, argmax));
  }
  maxpoolBackward(g: PoolGeometry, dy: number, argmax: number, dx: number): void {
    this.check(this.ex.edgeq_train_maxpool_backward(this.poolDesc(g), dy, argmax, dx));
  }
  avgpoolForward(g: PoolGeometry, x: number, y: number): void {
    this.check(this.ex.edgeq_train_avgpool_forward(this.poolDesc(g), x, y));
  }
  relu(x: number, y: number, n: number, hi: number): void {
    this.check(this.ex.edgeq_train_relu(x, y, n, hi));
  }
  reluBackward(x: number, dy: number, dx: number, n: number, hi: number): void {
    this.check(this.ex.edgeq_train_relu_backward(x, dy, dx, n, hi));
  }
  biasAdd(y: number, bias: number, rows: number, n: number): void {
    this.check(this.ex.edgeq_train_bias_add(y, bias, rows, n));
  }
  biasGrad(dy: number, rows: number, n: number, db: number): void {
    this.check(this.ex.edgeq_train_bias_grad(dy, rows, n, db));
  }
  avgpoolBackward(g: PoolGeometry, dy: number, dx: number): void {
    this.check(this.ex.edgeq_train_avgpool_backward(this.poolDesc(g), dy, dx));
  }
}

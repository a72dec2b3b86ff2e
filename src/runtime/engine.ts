// Sessions over edgeq.wasm. No Node-only APIs: this file runs in Node, browsers, Workers and
// anything else with WebAssembly. Targets only move bytes in and out of this API.
import { instantiate } from "@assemblyscript/loader";
import { DType } from "../../assembly/format/spec.ts";
import { ABI_VERSION, type EdgeqExports, IO_INFO_SIZE } from "./abi.ts";
import { EdgeqError, ErrorCode } from "./errors.ts";
import { hasRelaxedSimd, hasSimd } from "./probe.ts";
import { passesSelfCheck } from "./selfcheck.ts";

export type WasmSource = WebAssembly.Module | BufferSource;
export type TensorData = Float32Array | Int8Array | Int32Array;

export interface RunOptions {
  /**
   * Arrays to write outputs into (by name or position), instead of a new array per output and
   * call: a 256 KB output costs ~150 us to allocate in Node and ~8 us to copy into a kept array.
   * Each must have the output's element type and exactly batch x per-sample length.
   */
  outputs?: Record<string, TensorData> | (TensorData | undefined)[];
}

export interface EngineOptions {
  /** The relaxed-SIMD build; used only when the host supports it, `allowRelaxed` is set and it passes a self-check. */
  relaxed?: WasmSource;
  allowRelaxed?: boolean;
}

export interface IoInfo {
  name: string;
  dtype: DType;
  /** Per-sample shape; a run takes `batch` samples. */
  shape: number[];
  /** int8 tensors: quantization scale (0 when unscaled) and zero point. */
  scale: number;
  zeroPoint: number;
}

export interface Tensor {
  data: TensorData;
  /** Full shape including the leading batch dimension. */
  shape: number[];
  dtype: DType;
}

const ELEMENT: Record<number, { size: number; ctor: new (buf: ArrayBuffer, off: number, len: number) => TensorData }> = {
  [DType.F32]: { size: 4, ctor: Float32Array },
  [DType.I8]: { size: 1, ctor: Int8Array },
  [DType.I32]: { size: 4, ctor: Int32Array },
};

function bytesOf(src: BufferSource): Uint8Array {
  return src instanceof ArrayBuffer ? new Uint8Array(src) : new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
}

async function instantiateExports(source: WasmSource): Promise<EdgeqExports> {
  const { exports } = await instantiate<Record<string, unknown>>(source instanceof WebAssembly.Module ? source : bytesOf(source), {});
  const ex = exports as unknown as EdgeqExports;
  if (typeof ex.edgeq_abi_version !== "function" || ex.edgeq_abi_version() !== ABI_VERSION)
    throw new EdgeqError(ErrorCode.BadArgument, `artifact ABI version differs from host ABI ${ABI_VERSION}`);
  return ex;
}

export class Engine {
  readonly relaxed: boolean;
  private readonly ex: EdgeqExports;
  private readonly live = new Set<Model>();

  private constructor(ex: EdgeqExports, relaxed: boolean) {
    this.ex = ex;
    this.relaxed = relaxed;
  }

  /** @internal An engine over already-instantiated exports, for the self-check. */
  static trusting(ex: EdgeqExports): Engine {
    return new Engine(ex, true);
  }

  static async create(wasm: WasmSource, options: EngineOptions = {}): Promise<Engine> {
    if (!hasSimd()) throw new EdgeqError(ErrorCode.BadArgument, "this WebAssembly host lacks SIMD128, which edgeq.wasm requires");
    if (options.relaxed && options.allowRelaxed && hasRelaxedSimd()) {
      const ex = await instantiateExports(options.relaxed);
      if (relaxedSelfCheck(ex)) return new Engine(ex, true);
    }
    return new Engine(await instantiateExports(wasm), false);
  }

  /** Copies the container into the instance, validates it there and returns a session. */
  load(bytes: Uint8Array): Model {
    const ex = this.ex;
    const ptr = ex.edgeq_alloc(bytes.length);
    if (ptr === 0) throw new EdgeqError(ErrorCode.OutOfMemory, "cannot allocate memory for the model bytes");
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    const h = this.call(() => ex.edgeq_load(ptr, bytes.length)); // the artifact owns ptr from here on
    const m = new Model(this, h);
    this.live.add(m);
    return m;
  }

  /** Bytes the artifact's allocator holds, and its high-water mark. */
  memoryStats(): { inUse: number; peak: number; linear: number } {
    return { inUse: this.ex.edgeq_mem_in_use() >>> 0, peak: this.ex.edgeq_mem_peak() >>> 0, linear: this.ex.memory.buffer.byteLength };
  }

  resetPeak(): void {
    this.ex.edgeq_mem_reset_peak();
  }

  dispose(): void {
    for (const m of [...this.live]) m.dispose();
  }

  /** @internal */
  get exports(): EdgeqExports {
    return this.ex;
  }

  /** @internal Runs an ABI call; a negative result or a trap becomes an EdgeqError. */
  call(fn: () => number): number {
    let r: number;
    try {
      r = fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new EdgeqError(this.ex.edgeq_last_error() || ErrorCode.Aborted, `engine trapped: ${e.message}`);
      throw e;
    }
    if (r < 0) throw this.lastError(-r);
    return r;
  }

  /** @internal */
  lastError(fallback: number): EdgeqError {
    const code = this.ex.edgeq_last_error() || fallback;
    const msg = new TextDecoder().decode(new Uint8Array(this.ex.memory.buffer, this.ex.edgeq_error_ptr(), this.ex.edgeq_error_len()));
    return new EdgeqError(code, msg);
  }

  /** @internal */
  forget(m: Model): void {
    this.live.delete(m);
  }
}

export class Model {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  private handle: number;
  private batch = 0;

  /** @internal */
  constructor(private readonly engine: Engine, handle: number) {
    this.handle = handle;
    this.inputs = this.readInfo(0);
    this.outputs = this.readInfo(1);
  }

  private readInfo(isOutput: number): IoInfo[] {
    const ex = this.engine.exports;
    const n = this.engine.call(() => ex.edgeq_io_count(this.handle, isOutput));
    const scratch = ex.edgeq_alloc(IO_INFO_SIZE);
    try {
      const list: IoInfo[] = [];
      for (let i = 0; i < n; i++) {
        this.engine.call(() => ex.edgeq_io_info(this.handle, isOutput, i, scratch));
        const dv = new DataView(ex.memory.buffer, scratch, IO_INFO_SIZE);
        const rank = dv.getUint32(8, true);
        const shape = Array.from({ length: rank }, (_, j) => dv.getUint32(12 + 4 * j, true));
        const name = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, dv.getUint32(36, true), dv.getUint32(40, true)));
        list.push({ name, dtype: dv.getUint32(4, true), shape, scale: dv.getFloat32(28, true), zeroPoint: dv.getInt32(32, true) });
      }
      return list;
    } finally {
      ex.edgeq_free(scratch);
    }
  }

  /**
   * Runs the model on a batch. Inputs by name or position; each holds `batch` samples of the
   * input's per-sample shape, batch inferred from the first input's length.
   */
  run(inputs: Record<string, ArrayLike<number> | TensorData> | (ArrayLike<number> | TensorData)[], options: RunOptions = {}): Record<string, Tensor> {
    if (this.handle === 0) throw new EdgeqError(ErrorCode.BadHandle, "model was disposed");
    const ex = this.engine.exports;
    const given = this.inputs.map((info, i) => {
      const v = Array.isArray(inputs) ? inputs[i] : (inputs as Record<string, ArrayLike<number>>)[info.name];
      if (v === undefined) throw new EdgeqError(ErrorCode.BadArgument, `missing input "${info.name}"`);
      return v;
    });
    if (!Array.isArray(inputs)) {
      for (const k of Object.keys(inputs)) if (!this.inputs.some((i) => i.name === k)) throw new EdgeqError(ErrorCode.BadArgument, `unknown input "${k}"; the model takes ${this.inputs.map((i) => `"${i.name}"`).join(", ")}`);
    }
    const per = this.inputs.map((i) => i.shape.reduce((a, b) => a * b, 1));
    const batch = given[0].length / per[0];
    if (!Number.isInteger(batch) || batch < 1)
      throw new EdgeqError(ErrorCode.BadArgument, `input "${this.inputs[0].name}" has ${given[0].length} values; expected a multiple of ${per[0]} (shape [${this.inputs[0].shape}])`);
    this.inputs.forEach((info, i) => {
      const v = given[i];
      if (v.length !== batch * per[i]) throw new EdgeqError(ErrorCode.BadArgument, `input "${info.name}" has ${v.length} values; expected ${batch * per[i]} (batch ${batch} of [${info.shape}])`);
      const want = ELEMENT[info.dtype].ctor;
      if (ArrayBuffer.isView(v) && !(v instanceof want)) throw new EdgeqError(ErrorCode.BadArgument, `input "${info.name}" must be a ${want.name}, got ${v.constructor.name}`);
    });
    if (batch !== this.batch) {
      this.engine.call(() => ex.edgeq_prepare(this.handle, batch));
      this.batch = batch;
    }
    this.inputs.forEach((info, i) => {
      const ptr = this.engine.call(() => ex.edgeq_io_ptr(this.handle, 0, i));
      const e = ELEMENT[info.dtype];
      const view = new e.ctor(ex.memory.buffer, ptr, batch * per[i]);
      const v = given[i];
      if (info.dtype === DType.I8 && !(v instanceof Int8Array)) {
        for (let j = 0; j < v.length; j++) {
          const x = v[j];
          if (!Number.isInteger(x) || x < -128 || x > 127) throw new EdgeqError(ErrorCode.BadArgument, `input "${info.name}"[${j}] = ${x} is not an int8 value`);
        }
      }
      view.set(v as ArrayLike<number>);
    });
    // caller-provided output arrays are checked before the run, so a bad one changes nothing
    const into = this.outputs.map((info, i) => {
      const d = options.outputs === undefined ? undefined : Array.isArray(options.outputs) ? options.outputs[i] : options.outputs[info.name];
      if (d === undefined) return undefined;
      const n = batch * info.shape.reduce((a, b) => a * b, 1);
      const want = ELEMENT[info.dtype].ctor;
      if (!(d instanceof want)) throw new EdgeqError(ErrorCode.BadArgument, `output "${info.name}" must be written into a ${want.name}, got ${(d as object)?.constructor?.name ?? typeof d}`);
      if (d.length !== n) throw new EdgeqError(ErrorCode.BadArgument, `output "${info.name}" has ${n} values (batch ${batch} of [${info.shape}]); the array given holds ${d.length}`);
      return d;
    });
    if (options.outputs !== undefined && !Array.isArray(options.outputs)) {
      for (const k of Object.keys(options.outputs)) if (!this.outputs.some((o) => o.name === k)) throw new EdgeqError(ErrorCode.BadArgument, `unknown output "${k}"; the model gives ${this.outputs.map((o) => `"${o.name}"`).join(", ")}`);
    }
    this.engine.call(() => ex.edgeq_run(this.handle));
    const out: Record<string, Tensor> = {};
    this.outputs.forEach((info, i) => {
      const ptr = this.engine.call(() => ex.edgeq_io_ptr(this.handle, 1, i));
      const e = ELEMENT[info.dtype];
      const n = batch * info.shape.reduce((a, b) => a * b, 1);
      const view = new e.ctor(ex.memory.buffer, ptr, n);
      let data: TensorData;
      if (into[i] !== undefined) {
        data = into[i]!;
        (data as Int32Array).set(view as Int32Array);
      } else data = view.slice() as TensorData;
      out[info.name] = { data, shape: [batch, ...info.shape], dtype: info.dtype };
    });
    return out;
  }

  dispose(): void {
    if (this.handle === 0) return;
    const ex = this.engine.exports;
    ex.edgeq_unload(this.handle);
    this.handle = 0;
    this.engine.forget(this);
  }
}

/**
 * The relaxed build must reproduce a known int8 result exactly before it is trusted: a tiny
 * built-in model (src/runtime/selfcheck.ts) runs in the instance and its int32 outputs are
 * compared bit for bit with an integer reference.
 */
function relaxedSelfCheck(ex: EdgeqExports): boolean {
  return passesSelfCheck((bytes, x) => {
    const probe = Engine.trusting(ex);
    const m = probe.load(bytes);
    try {
      const out = m.run([x]);
      return Int32Array.from([...out.y7.data, ...out.y8.data]);
    } finally {
      m.dispose();
    }
  });
}

// A small builder over GraphSpec so tests, importers and quantizers describe graphs tersely.
import { DType, Encoding, Kind } from "../../assembly/format/spec.ts";
import { encode, type GraphSpec, type OpSpec, type TensorSpec, type TypedData } from "./writer.ts";

export interface QuantParams {
  scales?: number[] | Float32Array;
  zeroPoint?: number;
}

export class GraphBuilder {
  readonly spec: GraphSpec = { tensors: [], ops: [], inputs: [], outputs: [] };

  private add(t: TensorSpec): number {
    if (this.spec.tensors.some((u) => u.name === t.name)) throw new Error(`duplicate tensor name "${t.name}"`);
    this.spec.tensors.push(t);
    return this.spec.tensors.length - 1;
  }

  /** A model input with a per-sample shape. */
  input(name: string, dtype: DType, shape: number[], q: QuantParams = {}): number {
    const id = this.add({ name, dtype, shape, kind: Kind.Act, ...q });
    this.spec.inputs.push(id);
    return id;
  }

  /** An intermediate or output activation with a per-sample shape. */
  act(name: string, dtype: DType, shape: number[], q: QuantParams = {}): number {
    return this.add({ name, dtype, shape, kind: Kind.Act, ...q });
  }

  constant(name: string, dtype: DType, shape: number[], data: TypedData, extra: Partial<TensorSpec> = {}): number {
    return this.add({ name, dtype, shape, kind: Kind.Const, encoding: Encoding.Dense, data, ...extra });
  }

  op(op: number, inputs: (number | null)[], outputs: number[], attrs: number[] = []): this {
    const spec: OpSpec = { op, inputs, outputs, attrs };
    this.spec.ops.push(spec);
    return this;
  }

  output(...ids: number[]): this {
    this.spec.outputs.push(...ids);
    return this;
  }

  encode(): Uint8Array {
    return encode(this.spec);
  }
}

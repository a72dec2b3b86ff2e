// Graph rewrites applied before translation: multi-node idioms that exporters emit for one
// function edgeq has as a single op.
import { attributes, type NodeProto, type OnnxTensor, tensorFromProto, type TensorProto } from "../onnx/proto.ts";

/** The scalar value of a constant input (initializer or Constant node), or null. */
function scalarLookup(nodes: NodeProto[], inits: TensorProto[]): (name: string) => number | null {
  const table = new Map<string, OnnxTensor>();
  for (const t of inits) table.set(t.name!, tensorFromProto(t));
  for (const n of nodes) if (n.opType === "Constant" && n.output?.[0]) {
    const v = attributes(n).get("value");
    if (v && typeof v === "object" && !Array.isArray(v)) table.set(n.output[0], v);
  }
  return (name) => {
    const t = table.get(name);
    return t && t.data.length === 1 ? t.data[0] : null;
  };
}

/**
 * x * clip(x + 3, 0, 6) / 6 (Paddle's hardswish) and x * HardSigmoid(x; 1/6, 0.5) (PyTorch before
 * opset 14) become one HardSwish node when the intermediates have no other readers.
 */
export function fuseHardSwish(nodes: NodeProto[], inits: TensorProto[]): NodeProto[] {
  const scalar = scalarLookup(nodes, inits);
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, number>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  const single = (name: string) => readers.get(name) === 1;
  const near = (v: number | null, want: number) => v !== null && Math.abs(v - want) < 1e-6;
  const drop = new Set<NodeProto>();
  const replace = new Map<NodeProto, NodeProto>();
  const clipRange = (n: NodeProto): [number | null, number | null] => {
    const a = attributes(n);
    if (a.has("min") || a.has("max")) return [(a.get("min") as number) ?? null, (a.get("max") as number) ?? null];
    return [n.input?.[1] ? scalar(n.input[1]) : null, n.input?.[2] ? scalar(n.input[2]) : null];
  };
  /** Mul(x, gate) where gate(x) is the hard sigmoid of x; returns x or null. */
  const gatedBy = (mul: NodeProto, isGate: (g: NodeProto, x: string) => NodeProto[] | null): { x: string; parts: NodeProto[] } | null => {
    for (const [xi, gi] of [[0, 1], [1, 0]]) {
      const x = mul.input?.[xi], gname = mul.input?.[gi];
      const g = gname ? producer.get(gname) : undefined;
      if (!x || !g || !single(gname!)) continue;
      const parts = isGate(g, x);
      if (parts) return { x, parts };
    }
    return null;
  };
  for (const div of nodes) {
    // Paddle: Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)
    if (div.opType === "Div" && near(scalar(div.input?.[1] ?? ""), 6)) {
      const mul = producer.get(div.input![0]);
      if (!mul || mul.opType !== "Mul" || !single(div.input![0])) continue;
      const hit = gatedBy(mul, (clip, x) => {
        if (clip.opType !== "Clip") return null;
        const [lo, hi] = clipRange(clip);
        if (!near(lo, 0) || !near(hi, 6)) return null;
        const add = producer.get(clip.input![0]);
        if (!add || add.opType !== "Add" || !single(clip.input![0])) return null;
        const ok = (add.input![0] === x && near(scalar(add.input![1]), 3)) || (add.input![1] === x && near(scalar(add.input![0]), 3));
        return ok ? [clip, add] : null;
      });
      if (!hit) continue;
      for (const p of [mul, ...hit.parts]) drop.add(p);
      replace.set(div, { opType: "HardSwish", name: div.name, input: [hit.x], output: div.output, attribute: [] });
    }
  }
  for (const mul of nodes) {
    // PyTorch: Mul(x, HardSigmoid(x, alpha=1/6, beta=0.5))
    if (mul.opType !== "Mul" || drop.has(mul)) continue;
    const hit = gatedBy(mul, (hs, x) => {
      if (hs.opType !== "HardSigmoid" || hs.input?.[0] !== x) return null;
      const a = attributes(hs);
      return near((a.get("alpha") as number) ?? 0.2, 1 / 6) && near((a.get("beta") as number) ?? 0.5, 0.5) ? [hs] : null;
    });
    if (!hit) continue;
    for (const p of hit.parts) drop.add(p);
    replace.set(mul, { opType: "HardSwish", name: mul.name, input: [hit.x], output: mul.output, attribute: [] });
  }
  return nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
}

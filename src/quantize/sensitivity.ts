// Mixed precision: how much accuracy each layer costs when it alone is quantized, and a greedy
// choice of layers to keep in f32 (most sensitive first) until the whole model meets a budget.
import type { Dataset } from "../data/dataset.ts";
import { evaluate } from "../eval/accuracy.ts";
import { encode, type GraphSpec } from "../format/writer.ts";
import type { Engine } from "../runtime/engine.ts";
import type { QParams } from "./observers/index.ts";
import { convert, quantizableLayers, type QuantizeOptions } from "./quantizer.ts";

export interface SensitivityRow {
  layer: string;
  type: string;
  /** accuracy with only this layer quantized */
  accuracy: number;
  /** float accuracy minus that, in percentage points */
  dropPP: number;
}

export interface SensitivityReport {
  floatAccuracy: number;
  /** accuracy with every layer quantized */
  quantizedAccuracy: number;
  /** most sensitive first */
  rows: SensitivityRow[];
}

function accuracyOf(engine: Engine, spec: GraphSpec, data: Dataset): number {
  const m = engine.load(encode(spec));
  try {
    return evaluate(m, data).accuracy;
  } finally {
    m.dispose();
  }
}

export function sensitivity(engine: Engine, g: GraphSpec, data: Dataset, opts: QuantizeOptions, qparams?: Map<string, QParams>, onProgress?: (done: number, total: number) => void): SensitivityReport {
  const layers = quantizableLayers(g);
  const total = layers.length + 2;
  let done = 0;
  const floatAccuracy = accuracyOf(engine, g, data);
  onProgress?.(++done, total);
  const quantizedAccuracy = accuracyOf(engine, convert(g, { ...opts, keepFloat: [] }, qparams), data);
  onProgress?.(++done, total);
  const rows = layers.map((l) => {
    const keepFloat = layers.filter((o) => o.op !== l.op).map((o) => o.name);
    const accuracy = accuracyOf(engine, convert(g, { ...opts, keepFloat }, qparams), data);
    onProgress?.(++done, total);
    return { layer: l.name, type: l.type, accuracy, dropPP: (floatAccuracy - accuracy) * 100 };
  });
  rows.sort((a, b) => b.dropPP - a.dropPP || a.layer.localeCompare(b.layer));
  return { floatAccuracy, quantizedAccuracy, rows };
}

/**
 * Keeps the most sensitive layers in f32, one at a time, until the quantized model is within
 * `maxDropPP` of float (or only one quantized layer is left). Returns the names kept.
 */
export function chooseKeepFloat(engine: Engine, g: GraphSpec, data: Dataset, opts: QuantizeOptions, report: SensitivityReport, maxDropPP: number, qparams?: Map<string, QParams>): string[] {
  const keep: string[] = [];
  let acc = report.quantizedAccuracy;
  for (const row of report.rows) {
    if ((report.floatAccuracy - acc) * 100 <= maxDropPP || keep.length + 1 >= report.rows.length) break;
    keep.push(row.layer);
    acc = accuracyOf(engine, convert(g, { ...opts, keepFloat: keep }, qparams), data);
  }
  return keep;
}

// Report charts: Vega-Lite specs compiled by vega-lite and rendered to SVG by vega in Node (no
// browser, no canvas). Each function returns an SVG string.
import * as vega from "vega";
import * as vl from "vega-lite";

export interface VariantPoint {
  variant: string;
  mode: string;
  accuracy: number;
  worstClassAccuracy: number;
  bytes: number;
  latencyUs: number;
}

async function render(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const accuracyAxis = { field: "accuracyPct", type: "quantitative", title: "test accuracy (%)", scale: { zero: false } } as const;

/** Accuracy against model size and against batch-1 latency, side by side. */
export function tradeoffChart(points: VariantPoint[]): Promise<string> {
  const values = points.map((p) => ({ ...p, accuracyPct: p.accuracy * 100, kib: p.bytes / 1024 }));
  const layer = (x: object) => ({
    width: 320,
    height: 240,
    layer: [
      { mark: { type: "point", filled: true, size: 90 }, encoding: { x, y: accuracyAxis, color: { field: "mode", type: "nominal", title: "mode" }, tooltip: [{ field: "variant" }] } },
      { mark: { type: "text", dx: 6, align: "left", fontSize: 9 }, encoding: { x, y: accuracyAxis, text: { field: "variant" } } },
    ],
  });
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values },
    hconcat: [
      layer({ field: "kib", type: "quantitative", title: "model size (KiB)", scale: { zero: true } }),
      layer({ field: "latencyUs", type: "quantitative", title: "batch-1 latency (µs)", scale: { zero: true } }),
    ],
  } as vl.TopLevelSpec);
}

/** Per-class accuracy of every variant. */
export function perClassChart(rows: { variant: string; perClass: number[] }[], classes: string[]): Promise<string> {
  const values = rows.flatMap((r) => r.perClass.map((a, c) => ({ variant: r.variant, cls: classes[c], accuracyPct: a * 100 })));
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values },
    width: 680,
    height: 260,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "cls", type: "ordinal", title: "class", sort: classes },
      y: { field: "accuracyPct", type: "quantitative", title: "accuracy (%)", scale: { zero: false } },
      color: { field: "variant", type: "nominal" },
    },
  } as vl.TopLevelSpec);
}

/** Accuracy change of each variant against f32, in percentage points. */
export function dropChart(rows: { variant: string; dropPP: number }[], title: string): Promise<string> {
  return render({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: { values: rows },
    width: 680,
    height: 20 * rows.length + 20,
    title,
    mark: "bar",
    encoding: {
      y: { field: "variant", type: "nominal", sort: null, title: null },
      x: { field: "dropPP", type: "quantitative", title: "accuracy drop vs f32 (pp)" },
    },
  } as vl.TopLevelSpec);
}

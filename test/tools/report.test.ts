import { test } from "uvu";
import * as assert from "uvu/assert";
import { dropChart, perClassChart, tradeoffChart } from "../../src/report/charts.ts";
import { renderHtml } from "../../src/report/html.ts";

test("report charts are SVG rendered by vega, with the data's labels in them", async () => {
  const svg = await tradeoffChart([
    { variant: "f32", mode: "f32", accuracy: 0.99, worstClassAccuracy: 0.98, bytes: 250000, latencyUs: 300 },
    { variant: "int8 static entropy", mode: "static", accuracy: 0.988, worstClassAccuracy: 0.97, bytes: 66000, latencyUs: 200 },
  ]);
  assert.match(svg, /^<svg/);
  assert.match(svg, /int8 static entropy/);
  assert.match(svg, /model size \(KiB\)/);
  assert.match(await perClassChart([{ variant: "f32", perClass: [1, 0.5] }], ["zero", "one"]), /one/);
  assert.match(await dropChart([{ variant: "conv1", dropPP: 0.3 }], "t"), /conv1/);
});

test("the HTML report escapes text and inlines the SVG", () => {
  const html = renderHtml({ title: "a <b>", intro: "x & y", table: { head: ["h"], rows: [["<td>"]] }, sections: [{ title: "s", svg: "<svg></svg>" }], footer: "f" });
  assert.match(html, /a &lt;b&gt;/);
  assert.match(html, /x &amp; y/);
  assert.match(html, /&lt;td&gt;/);
  assert.match(html, /<svg><\/svg>/);
});

test.run();

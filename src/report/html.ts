// report/index.html: one self-contained page (inline SVG charts, no scripts).
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export interface HtmlReport {
  title: string;
  intro: string;
  table: { head: string[]; rows: (string | number)[][] };
  sections: { title: string; svg?: string; html?: string; note?: string }[];
  footer: string;
}

export function renderHtml(r: HtmlReport): string {
  const table = `<table><thead><tr>${r.table.head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${r.table.rows
    .map((row) => `<tr>${row.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
  const sections = r.sections
    .map((s) => `<section><h2>${esc(s.title)}</h2>${s.note ? `<p>${esc(s.note)}</p>` : ""}${s.svg ?? ""}${s.html ?? ""}</section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}section{margin:2em 0}footer{color:#777;font-size:12px}
</style></head><body>
<h1>${esc(r.title)}</h1><p>${esc(r.intro)}</p>
${table}
${sections}
<footer>${esc(r.footer)}</footer>
</body></html>
`;
}

export function htmlTable(head: string[], rows: (string | number)[][]): string {
  return renderHtml({ title: "", intro: "", table: { head, rows }, sections: [], footer: "" }).match(/<table>[\s\S]*<\/table>/)![0];
}

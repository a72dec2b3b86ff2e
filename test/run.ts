// `npm test`: every test/**/*.test.ts through uvu. Under CI=true a skipped test fails the run.
import { parse } from "uvu/parse";
import { run } from "uvu/run";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
// optional filter: a regex matched against test file paths (only *.test.ts files are tests)
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
const ctx = await parse(root, /\.test\.ts$/, {});
if (filter) ctx.suites = ctx.suites.filter((s: { file: string }) => filter.test(s.file));
(globalThis as { UVU_DEFER?: number }).UVU_DEFER = 1;
await run(ctx.suites, { bail: false });

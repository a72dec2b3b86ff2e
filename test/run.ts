// `npm test`: every test/**/*.test.ts through uvu. Under CI=true a skipped test fails the run.
import { parse } from "uvu/parse";
import { run } from "uvu/run";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const pattern = process.argv[2] ? new RegExp(process.argv[2]) : /\.test\.ts$/;
const ctx = await parse(root, pattern, {});
(globalThis as { UVU_DEFER?: number }).UVU_DEFER = 1;
await run(ctx.suites, { bail: false });

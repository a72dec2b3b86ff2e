// Runs one uvu test file (see test/run.ts).
import { run } from "uvu/run";

const [file, name] = process.argv.slice(2);
await run([{ name: name ?? file, file }], { bail: false });

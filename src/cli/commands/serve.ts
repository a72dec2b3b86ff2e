// `edgeq serve`: the Node inference gateway (targets/node/gateway.ts) on one port.
import type { Command } from "commander";
import { parseModelArg, startGateway } from "../../../targets/node/gateway.ts";

export function register(program: Command): void {
  program
    .command("serve")
    .description("Serve .edgeq models over HTTP (JSON or binary tensors), with /healthz and /metrics")
    .argument("<models...>", "model files, as path or name=path")
    .option("-p, --port <n>", "port (0 picks a free one)", "8080")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--max-body <bytes>", "largest request body", String(8 << 20))
    .option("--max-batch <n>", "largest batch per request", "1024")
    .addHelpText("after", "\nExamples:\n  $ edgeq serve mnist=models/mnist.edgeq --port 8080\n  $ curl -s localhost:8080/v1/models/mnist/infer -d '{\"inputs\":{\"x\":{\"data\":[...]}}}'")
    .action(async (files: string[], opts: { port: string; host: string; maxBody: string; maxBatch: string }) => {
      const models = Object.fromEntries(files.map(parseModelArg));
      const gw = await startGateway({ models, host: opts.host, port: Number(opts.port), maxBodyBytes: Number(opts.maxBody), maxBatch: Number(opts.maxBatch), log: (l) => console.error(l) });
      console.log(`edgeq gateway listening on ${gw.url} (${Object.keys(models).join(", ")})`);
      const stop = async (sig: string) => {
        console.error(`${sig}: draining connections`);
        await gw.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
    });
}

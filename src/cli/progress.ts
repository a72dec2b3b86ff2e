// Progress for long CLI steps: nothing for steps under a second; after that a cli-progress bar on
// a terminal, or a plain line per 10 % when stderr is not a TTY (CI logs, pipes).
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progress(label: string, enabled = true): Progress {
  const t0 = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  let lastTenth = -1;
  let shown = false;
  return {
    update(done, total) {
      if (!enabled || (!shown && performance.now() - t0 < 1000)) return;
      shown = true;
      if (process.stderr.isTTY) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} {eta}s left`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(total, done);
        }
        bar.update(done);
      } else {
        const tenth = Math.floor((10 * done) / total);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          process.stderr.write(`${label}: ${tenth * 10}% (${done}/${total})\n`);
        }
      }
    },
    stop() {
      bar?.stop();
      if (shown && !process.stderr.isTTY) process.stderr.write(`${label}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    },
  };
}

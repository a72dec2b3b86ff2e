// Observers by name: the one place the quantizer and the CLI turn a method into an observer.
import { EdgeqError, ErrorCode } from "../../runtime/errors.ts";
import { EntropyObserver } from "./entropy.ts";
import { MinMaxObserver } from "./minmax.ts";
import { MovingAverageMinMaxObserver } from "./moving-average.ts";
import { MseObserver } from "./mse.ts";
import type { Observer, QScheme } from "./observer.ts";
import { PercentileObserver } from "./percentile.ts";

export const METHODS = ["minmax", "moving-average", "percentile", "entropy", "mse"] as const;
export type Method = (typeof METHODS)[number];

export interface ObserverSettings {
  /** percentile method: the kept percentile, default 99.99 */
  percentile?: number;
  /** moving-average method: weight of each new batch, default 0.01 */
  averagingConstant?: number;
  /** histogram methods: bin count, default 2048 */
  bins?: number;
}

export function isMethod(m: string): m is Method {
  return (METHODS as readonly string[]).includes(m);
}

export function createObserver(method: string, scheme: QScheme, s: ObserverSettings = {}): Observer {
  switch (method) {
    case "minmax": return new MinMaxObserver(scheme);
    case "moving-average": return new MovingAverageMinMaxObserver(scheme, s.averagingConstant);
    case "percentile": return new PercentileObserver(scheme, s.percentile, s.bins);
    case "entropy": return new EntropyObserver(scheme, s.bins);
    case "mse": return new MseObserver(scheme, s.bins);
    default: throw new EdgeqError(ErrorCode.BadArgument, `unknown calibration method "${method}"; use one of ${METHODS.join(", ")}`);
  }
}

export type { Observer, QParams, QScheme } from "./observer.ts";
export { rangeToQParams, MIN_SCALE, FALLBACK } from "./observer.ts";

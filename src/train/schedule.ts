// Learning-rate schedules: functions of the step (0-based) returning the rate for that step.
export type Schedule = (step: number) => number;

export const constant = (lr: number): Schedule => () => lr;

/** lr · gamma^floor(step / every) */
export const stepDecay = (lr: number, every: number, gamma = 0.1): Schedule => (s) => lr * gamma ** Math.floor(s / every);

/** lr · gamma^step */
export const exponential = (lr: number, gamma: number): Schedule => (s) => lr * gamma ** s;

/** Linear warm-up from 0 over `warmup` steps, then cosine from lr down to `floor` at `total`. */
export const cosine = (lr: number, total: number, warmup = 0, floor = 0): Schedule => (s) => {
  if (s < warmup) return (lr * (s + 1)) / warmup;
  const p = Math.min(1, (s - warmup) / Math.max(1, total - warmup));
  return floor + ((lr - floor) * (1 + Math.cos(Math.PI * p))) / 2;
};

/** Adds linear warm-up to any schedule. */
export const withWarmup = (inner: Schedule, warmup: number): Schedule => (s) => (s < warmup ? (inner(warmup) * (s + 1)) / warmup : inner(s));

// Request counters and a latency histogram, rendered in the Prometheus text format. Plain
// objects only, so the same code counts in the Node gateway and inside a Worker isolate.

/** Upper bounds in seconds; the last bucket (+Inf) is implicit. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  private sum = 0;
  private count = 0;

  /** One finished request: route label, status code, seconds spent. */
  observe(route: string, status: number, seconds: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 400) {
      const ek = `route="${route}",class="${status >= 500 ? "5xx" : "4xx"}"`;
      this.errors.set(ek, (this.errors.get(ek) ?? 0) + 1);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    this.buckets[i]++;
    this.sum += seconds;
    this.count++;
  }

  snapshot(): { requests: number; errors: number; latencyCount: number } {
    let errors = 0;
    for (const v of this.errors.values()) errors += v;
    return { requests: this.count, errors, latencyCount: this.count };
  }

  render(extra: Record<string, number> = {}): string {
    const lines: string[] = [];
    lines.push("# HELP edgeq_requests_total HTTP requests by route and status.", "# TYPE edgeq_requests_total counter");
    for (const [k, v] of this.requests) lines.push(`edgeq_requests_total{${k}} ${v}`);
    lines.push("# HELP edgeq_errors_total Requests answered with 4xx or 5xx.", "# TYPE edgeq_errors_total counter");
    for (const [k, v] of this.errors) lines.push(`edgeq_errors_total{${k}} ${v}`);
    lines.push("# HELP edgeq_request_seconds Request latency.", "# TYPE edgeq_request_seconds histogram");
    let acc = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      acc += this.buckets[i];
      lines.push(`edgeq_request_seconds_bucket{le="${le}"} ${acc}`);
    });
    acc += this.buckets[LATENCY_BUCKETS.length];
    lines.push(`edgeq_request_seconds_bucket{le="+Inf"} ${acc}`, `edgeq_request_seconds_sum ${this.sum}`, `edgeq_request_seconds_count ${this.count}`);
    for (const [k, v] of Object.entries(extra)) lines.push(`# TYPE ${k} gauge`, `${k} ${v}`);
    return lines.join("\n") + "\n";
  }
}

//! Request counters and a latency histogram in the Prometheus text format, with the same
//! metric names as the Node gateway (src/serve/metrics.ts), so one dashboard fits both.

use std::collections::BTreeMap;

/// Upper bounds in seconds; the last bucket (+Inf) is implicit.
const LATENCY_BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
pub struct Metrics {
    requests: BTreeMap<(&'static str, u16), u64>,
    errors: BTreeMap<(&'static str, &'static str), u64>,
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Metrics {
    /// One finished request: route label, status code, seconds spent.
    pub fn observe(&mut self, route: &'static str, status: u16, seconds: f64) {
        *self.requests.entry((route, status)).or_default() += 1;
        if status >= 400 {
            *self.errors.entry((route, if status >= 500 { "5xx" } else { "4xx" })).or_default() += 1;
        }
        let i = LATENCY_BUCKETS.iter().position(|le| seconds <= *le).unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[i] += 1;
        self.sum += seconds;
        self.count += 1;
    }

    pub fn render(&self, gauges: &[(&str, u64)]) -> String {
        let mut s = String::new();
        s.push_str("# HELP edgeq_requests_total HTTP requests by route and status.\n# TYPE edgeq_requests_total counter\n");
        for ((route, status), v) in &self.requests {
            s.push_str(&format!("edgeq_requests_total{{route=\"{route}\",status=\"{status}\"}} {v}\n"));
        }
        s.push_str("# HELP edgeq_errors_total Requests answered with 4xx or 5xx.\n# TYPE edgeq_errors_total counter\n");
        for ((route, class), v) in &self.errors {
            s.push_str(&format!("edgeq_errors_total{{route=\"{route}\",class=\"{class}\"}} {v}\n"));
        }
        s.push_str("# HELP edgeq_request_seconds Request latency.\n# TYPE edgeq_request_seconds histogram\n");
        let mut acc = 0;
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            acc += self.buckets[i];
            s.push_str(&format!("edgeq_request_seconds_bucket{{le=\"{le}\"}} {acc}\n"));
        }
        acc += self.buckets[LATENCY_BUCKETS.len()];
        s.push_str(&format!("edgeq_request_seconds_bucket{{le=\"+Inf\"}} {acc}\nedgeq_request_seconds_sum {}\nedgeq_request_seconds_count {}\n", self.sum, self.count));
        for (k, v) in gauges {
            s.push_str(&format!("# TYPE {k} gauge\n{k} {v}\n"));
        }
        s
    }
}

//! Prometheus metrics (text format 0.0.4): counters kept here, gauges read from the store when
//! scraped.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// The counters, by name and label set.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), f64>>,
}

/// What each counter counts.
const HELP: &[(&str, &str)] = &[
    (
        "civicflow_commands_total",
        "Requests answered through POST /v1, by op and outcome (ok, refused, error).",
    ),
    (
        "civicflow_refusals_total",
        "Refused requests, by error code.",
    ),
    (
        "civicflow_http_requests_total",
        "HTTP requests, by route and status.",
    ),
    (
        "civicflow_request_seconds_sum",
        "Time spent answering POST /v1, seconds.",
    ),
    (
        "civicflow_request_seconds_count",
        "Requests timed in civicflow_request_seconds_sum.",
    ),
    (
        "civicflow_timers_fired_total",
        "Timer steps fired by this server's sweeper.",
    ),
    (
        "civicflow_effects_delivered_total",
        "Effects delivered by this server's dispatcher.",
    ),
    (
        "civicflow_effects_failed_total",
        "Delivery attempts that failed and will be retried.",
    ),
    (
        "civicflow_cases_archived_total",
        "Closed cases moved to the archive by this server.",
    ),
];

impl Metrics {
    /// Adds `by` to a counter; `labels` is Prometheus label text (`op="apply"`), or empty.
    pub fn add(&self, name: &'static str, labels: String, by: f64) {
        if let Ok(mut counters) = self.counters.lock() {
            *counters.entry((name, labels)).or_insert(0.0) += by;
        }
    }

    pub fn count(&self, name: &'static str, labels: String) {
        self.add(name, labels, 1.0);
    }

    /// The text exposition, with the store's gauges.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().map(|c| c.clone()).unwrap_or_default();
        for (name, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((_, labels), value) in counters.iter().filter(|((n, _), _)| n == name) {
                let labels = if labels.is_empty() {
                    String::new()
                } else {
                    format!("{{{labels}}}")
                };
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        }
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// A label value escaped as the text format wants it.
pub fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

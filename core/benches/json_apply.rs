//! A transition through the JSON API, as a host with a store sends it: request text in, answer
//! text out (with its write set), per case of the 12345 path (open and 6 transitions). Also
//! with `expected_seq` and `request_id` on every command, the host's preconditions
//! (`docs/persistence.md`). And a throwaway engine per request: `clone_definitions` of an
//! engine holding 10,000 cases. `docs/performance.md` quotes it.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::time::Instant;

use civicflow::{Engine, WorkflowDef};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

fn engine() -> Engine {
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
    let mut engine = Engine::new();
    engine
        .load_calendar(
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
        )
        .unwrap();
    engine.load_workflow(def).unwrap();
    // Nothing is acknowledged here: the outbox must not fill up and refuse.
    engine.set_limits(civicflow::Limits {
        max_pending_effects: usize::MAX,
        ..civicflow::Limits::default()
    });
    engine
}

/// The requests of one case: its opening and its six transitions, as JSON text.
fn path(id: &str, preconditions: bool) -> Vec<String> {
    let op = json!({"id": "op", "roles": ["operator"]});
    let disp = json!({"id": "disp", "roles": ["dispatcher"]});
    let env = json!({"id": "h", "roles": ["handler"], "unit": "district-env"});
    let mut requests = vec![json!({"op": "open_case", "workflow": "hotline-12345",
        "case_id": id, "channel": "wechat", "actor": op, "at": 1_767_225_600_000_i64,
        "fields": {"summary": "路灯不亮", "category": "municipal", "citizen_name": "张三",
                   "citizen_phone": "13812345678"}})];
    let steps: [(&str, &Value, Value); 6] = [
        (
            "accept",
            &op,
            json!({"region": "幸福街道", "urgency": "normal"}),
        ),
        ("dispatch", &disp, json!({"assigned_unit": "district-env"})),
        ("sign", &env, json!({})),
        ("reply", &env, json!({"reply_text": "已修复"})),
        (
            "callback",
            &op,
            json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
        ),
        ("close", &op, json!({})),
    ];
    for (i, (t, actor, payload)) in steps.into_iter().enumerate() {
        let mut r = json!({"op": "apply", "case_id": id, "transition": t, "actor": actor,
            "payload": payload, "at": 1_767_225_600_000_i64 + 60_000 * (i as i64 + 1)});
        if preconditions {
            r["expected_seq"] = json!(i + 1);
            r["request_id"] = json!(format!("{id}/{i}"));
        }
        requests.push(r);
    }
    requests.into_iter().map(|r| r.to_string()).collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("json");
    let variants: &[(&str, bool)] = if std::env::var_os("CIVICFLOW_BENCH_PLAIN").is_some() {
        &[("plain", false)]
    } else {
        &[("plain", false), ("with expected_seq and request_id", true)]
    };
    for &(label, preconditions) in variants {
        let mut engine = engine();
        let mut n = 0u64;
        g.bench_function(format!("per case: open + 6 transitions, {label}"), |b| {
            b.iter_custom(|iters| {
                let cases: Vec<Vec<String>> = (0..iters)
                    .map(|i| path(&format!("c{}", n + i), preconditions))
                    .collect();
                n += iters;
                let start = Instant::now();
                for requests in &cases {
                    for r in requests {
                        let answer = engine.answer_str(r);
                        debug_assert!(answer.starts_with(r#"{"ok":true"#), "{answer}");
                    }
                }
                start.elapsed()
            })
        });
    }
    if std::env::var_os("CIVICFLOW_BENCH_PLAIN").is_none() {
        let mut full = engine();
        for i in 0..10_000 {
            for r in path(&format!("k{i}"), false).iter().take(3) {
                full.answer_str(r);
            }
        }
        g.bench_function("clone_definitions of an engine holding 10,000 cases", |b| {
            b.iter(|| std::hint::black_box(full.clone_definitions()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

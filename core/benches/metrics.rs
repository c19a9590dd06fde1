//! `metrics` over a city-year: 1,000,000 township cases (set `CIVICFLOW_BENCH_CASES` for
//! another count), opened over 2026 on three channels and six units, in every stage from just
//! arrived to closed after a callback.
//!
//! `cargo bench -p civicflow --bench metrics`. Figures are quoted in `docs/performance.md` and
//! `docs/metrics.md`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Instant;

use civicflow::{Actor, Command, Engine, Opening, OutboxMode, Values};
use civicflow::{GroupBy, MetricsQuery};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};

const T0: i64 = 1_767_229_200_000; // 2026-01-01 09:00 +08:00
const HOUR: i64 = 3_600_000;
const UNITS: [&str; 6] = [
    "dongcun",
    "xicun",
    "town-env",
    "town-land",
    "town-social",
    "police",
];
const CHANNELS: [&str; 3] = ["wechat", "weibo", "hotline"];

fn cases() -> usize {
    std::env::var("CIVICFLOW_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn city(n: usize) -> Engine {
    let mut engine = Engine::new();
    // A city's engine runs on a store, whose outbox table holds the effects: the engine keeps
    // none (it would refuse intake at its limit of 100,000 pending effects).
    engine.set_outbox_mode(OutboxMode::Host).unwrap();
    let cal = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    engine.load_calendar(cal).unwrap();
    let org = serde_json::from_str(include_str!("../../orgs/qingshan.json")).unwrap();
    engine.load_org(org).unwrap();
    let def = serde_json::from_str(include_str!("../../templates/township.json")).unwrap();
    engine.load_workflow(def).unwrap();
    let clerk = Actor {
        unit: Some("town".into()),
        ..Actor::new("clerk", &["clerk"])
    };
    let dispatcher = Actor {
        unit: Some("town".into()),
        ..Actor::new("disp", &["dispatcher"])
    };
    let handlers: Vec<Actor> = UNITS
        .iter()
        .map(|u| Actor {
            unit: Some((*u).into()),
            ..Actor::new(format!("h-{u}"), &["handler"])
        })
        .collect();
    let fields = object(json!({
        "summary": "路灯不亮", "category": "municipal", "region": "dongcun",
        "citizen_name": "张三", "citizen_phone": "13812345678"
    }));
    let reason = object(json!({ "reason": "不属于受理范围" }));
    let reply = object(json!({ "reply_text": "已修复" }));
    let satisfactions = ["satisfied", "basically_satisfied", "unsatisfied"];
    let started = Instant::now();
    for i in 0..n {
        let id = format!("C-{i}");
        let at = T0 + i as i64 * 30_000;
        let opening = Opening {
            case_id: &id,
            channel: CHANNELS[i % 3],
            fields: Values::Json(&fields),
            actor: &clerk,
            at,
            keys: None,
        };
        engine.open_case("township", None, &opening).unwrap();
        let stage = i % 10;
        let mut step = |transition: &str, actor: &Actor, payload: &Map<String, Value>, h: i64| {
            let cmd = Command {
                transition,
                actor,
                payload: Values::Json(payload),
                at: at + h * HOUR,
            };
            engine.apply(&id, &cmd).unwrap();
        };
        if stage == 0 {
            continue; // just arrived
        }
        if stage == 1 {
            step("reject", &clerk, &reason, 1);
            continue;
        }
        let unit = i % UNITS.len();
        let dispatch = object(json!({ "handling_unit": UNITS[unit] }));
        step("accept", &clerk, &Map::new(), 1);
        step("dispatch", &dispatcher, &dispatch, 1);
        step("sign", &handlers[unit], &Map::new(), 2);
        if stage <= 3 {
            continue; // being handled
        }
        step("reply", &handlers[unit], &reply, 24 + (i % 7) as i64 * 24);
        let callback = object(json!({
            "cb_contacted": i % 13 != 0, "cb_solved": i % 5 != 0,
            "satisfaction": satisfactions[i % 3]
        }));
        step("callback", &clerk, &callback, 200);
        step("close", &clerk, &Map::new(), 201);
    }
    eprintln!(
        "built {n} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    engine
}

fn metrics(c: &mut Criterion) {
    let n = cases();
    let engine = city(n);
    let now = T0 + 366 * 24 * HOUR;
    let mut g = c.benchmark_group(format!("metrics over {n} cases"));
    g.sample_size(10);
    for (name, q) in [
        ("by unit", MetricsQuery::at(now)),
        (
            "by unit, rolled up",
            MetricsQuery {
                roll_up: true,
                ..MetricsQuery::at(now)
            },
        ),
        (
            "by channel, one quarter",
            MetricsQuery {
                group_by: GroupBy::Channel,
                from: Some(T0),
                to: Some(T0 + 90 * 24 * HOUR),
                ..MetricsQuery::at(now)
            },
        ),
    ] {
        g.bench_function(name, |b| b.iter(|| engine.metrics(black_box(&q)).unwrap()));
    }
    g.bench_function("by unit, as CSV", |b| {
        b.iter(|| engine.metrics(&MetricsQuery::at(now)).unwrap().to_csv())
    });
    g.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);

//! Issue 8's workload on the typed Rust API: the 12-state petition of `bench/workload/`, one
//! path of 12 transitions per case, with and without its two SLA clocks, among many open cases.
//!
//! `cargo bench -p civicflow --bench petition` (`CIVICFLOW_BENCH_OPEN` sets how many other
//! cases are open, 1,000,000 by default). `bench/run.sh` quotes it in `docs/performance.md`;
//! `bench/` runs the same workload through the npm package next to XState and robot3.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use civicflow::{Actor, Command, Engine, Limits, Opening, Values, WorkflowDef};
use criterion::{criterion_group, criterion_main, Criterion};

mod common;

use common::PATH;

const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC

fn open_count() -> usize {
    std::env::var("CIVICFLOW_BENCH_OPEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn engine(sla: bool) -> Engine {
    // Nothing delivers the effects here: the outbox holds every one (the default limit of
    // 100,000 pending effects stops intake within the first second of the run).
    let mut engine = Engine::with_limits(Limits {
        max_pending_effects: usize::MAX,
        ..Limits::default()
    });
    engine
        .load_calendar(
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
        )
        .unwrap();
    let text = if sla {
        include_str!("../../bench/workload/petition-sla.json")
    } else {
        include_str!("../../bench/workload/petition.json")
    };
    let def: WorkflowDef = serde_json::from_str(text).unwrap();
    engine.load_workflow(def).unwrap();
    engine
}

struct Workload {
    opener: Actor,
    actors: Vec<Actor>,
    workflow: &'static str,
}

impl Workload {
    fn new(sla: bool) -> Self {
        Workload {
            opener: Actor::new("u-open", &["clerk"]),
            actors: PATH
                .iter()
                .enumerate()
                .map(|(i, (_, role))| Actor::new(format!("u{i}"), &[role]))
                .collect(),
            workflow: if sla { "petition-sla" } else { "petition" },
        }
    }

    fn open(&self, engine: &mut Engine, id: &str, at: i64) {
        let opening = Opening {
            case_id: id,
            channel: "web",
            fields: Values::NONE,
            actor: &self.opener,
            at,
            keys: None,
        };
        engine.open_case(self.workflow, None, &opening).unwrap();
    }

    fn path(&self, engine: &mut Engine, id: &str, at: i64) {
        for (k, ((transition, _), actor)) in PATH.iter().zip(&self.actors).enumerate() {
            let cmd = Command {
                transition,
                actor,
                payload: Values::NONE,
                at: at + 60_000 * (k as i64 + 1),
            };
            black_box(engine.apply(id, &cmd).unwrap());
        }
    }
}

/// An engine with `open` cases opened a minute apart, each accepted: with SLA rules, each has
/// a running handling clock and two timers indexed.
fn crowded(sla: bool, open: usize) -> Engine {
    let mut engine = engine(sla);
    let w = Workload::new(sla);
    let accept = Command {
        transition: "ACCEPT",
        actor: &w.actors[0],
        payload: Values::NONE,
        at: T0,
    };
    for i in 0..open {
        let id = format!("open-{i}");
        w.open(&mut engine, &id, T0 - 60_000 * i as i64);
        engine.apply(&id, &accept).unwrap();
    }
    engine
}

fn bench(c: &mut Criterion) {
    let open = open_count();
    let mut g = c.benchmark_group("petition");
    for sla in [false, true] {
        let label = if sla { "two SLA clocks" } else { "no SLA" };
        let w = Workload::new(sla);
        let mut fresh = engine(sla);
        let mut n = 0u64;
        g.bench_function(format!("per case: open + 12 transitions, {label}"), |b| {
            b.iter_custom(|iters| {
                let ids: Vec<String> = (0..iters).map(|i| format!("c{}", n + i)).collect();
                n += iters;
                let start = Instant::now();
                for id in &ids {
                    w.open(&mut fresh, id, T0);
                    w.path(&mut fresh, id, T0);
                }
                start.elapsed()
            })
        });

        let build = Instant::now();
        let mut crowd = crowded(sla, open);
        eprintln!(
            "petition: {open} open cases, {label}: built in {:.1} s, {} timers indexed",
            build.elapsed().as_secs_f64(),
            crowd.timer_count()
        );
        let mut m = 0u64;
        g.bench_function(
            format!("per transition among {open} open cases, {label}"),
            |b| {
                b.iter_custom(|iters| {
                    // Whole paths: `iters` transitions rounded up to cases, each opened untimed.
                    let cases = iters.div_ceil(12);
                    let ids: Vec<String> = (0..cases).map(|i| format!("p{}", m + i)).collect();
                    m += cases;
                    for id in &ids {
                        w.open(&mut crowd, id, T0);
                    }
                    let start = Instant::now();
                    for id in &ids {
                        w.path(&mut crowd, id, T0);
                    }
                    let per = start.elapsed().as_nanos() as f64 / (cases * 12) as f64;
                    Duration::from_nanos((per * iters as f64) as u64)
                })
            },
        );
        drop(crowd);
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

//! Calendar arithmetic across spans, and the timer index at a city's scale.
//!
//! `cargo bench -p civicflow --bench sla`. Figures are quoted in `docs/performance.md`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use civicflow::{Actor, Calendar, CalendarDef, Duration, Engine, Opening, Values, WorkflowDef};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};

const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC
const CASES: usize = 1_000_000;

fn calendar() -> Calendar {
    let def: CalendarDef =
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    Calendar::compile(def, None).unwrap()
}

fn calendar_ops(c: &mut Criterion) {
    let cal = calendar();
    let start = 1_738_029_600_000; // 2025-01-28 10:00 +08:00, first day of Spring Festival
    let mut g = c.benchmark_group("calendar");
    for (name, d) in [
        ("add 1 working hour", Duration::WorkingTime(3_600_000)),
        ("add 1 working day", Duration::WorkingDays(1)),
        ("add 250 working days", Duration::WorkingDays(250)),
        (
            "add 1750 working hours",
            Duration::WorkingTime(1750 * 3_600_000),
        ),
        (
            "add 60 natural days, roll forward",
            Duration::NaturalDays {
                days: 60,
                roll_forward: true,
            },
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| cal.add(black_box(start), black_box(d)).unwrap())
        });
    }
    for (name, span) in [
        ("between, 1 hour apart", 3_600_000i64),
        ("between, 1 year apart", 365 * 86_400_000),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                cal.between(black_box(start), black_box(start + span))
                    .unwrap()
            })
        });
    }
    g.finish();
}

/// An engine with `CASES` open 12345 orders, one opened every 3 seconds from `T0`: each has a
/// running 2-hour response clock with a reminder and a breach step in the timer index.
fn city() -> Engine {
    let mut e = Engine::new();
    e.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
    e.load_workflow(def).unwrap();
    let op = Actor::new("op", &["operator"]);
    let fields: Map<String, Value> =
        json!({"summary": "s", "category": "municipal", "citizen_name": "n", "citizen_phone": "1"})
            .as_object()
            .cloned()
            .unwrap();
    let started = Instant::now();
    for i in 0..CASES {
        let id = format!("WO-{i:07}");
        let opening = Opening {
            case_id: &id,
            channel: "app",
            fields: Values::Json(&fields),
            actor: &op,
            at: T0 + i as i64 * 3_000,
            keys: None,
        };
        e.open_case("hotline-12345", None, &opening).unwrap();
    }
    eprintln!(
        "opened {CASES} cases in {:.1?}; {} timers indexed",
        started.elapsed(),
        e.timer_count()
    );
    e
}

fn timers(c: &mut Criterion) {
    let mut e = city();
    let mut g = c.benchmark_group("timers at 1,000,000 open cases");
    g.sample_size(20);
    // 90 minutes in, the reminders of the first ~10 cases are due (one every 3 s from 90 min).
    let now = T0 + 90 * 60_000 + 30_000;
    g.bench_function("due(now), 11 due of 2,000,000", |b| {
        b.iter(|| black_box(e.due(black_box(now), 1000)))
    });
    g.finish();
    // Firing is measured by hand: every call changes the engine, so the count of timers fired
    // per call matters, not the number of calls. Steady state: `now` advances 3 s per call, so
    // about one reminder (and, two hours on, one breach) falls due each time.
    let mut clock = now;
    let (mut calls, mut timers) = (0u64, 0u64);
    let begin = Instant::now();
    while calls < 20_000 {
        clock += 3_000;
        timers += e
            .fire_due(clock)
            .iter()
            .map(|f| f.events.len() as u64)
            .sum::<u64>();
        calls += 1;
    }
    let took = begin.elapsed();
    eprintln!(
        "fire_due steady state: {calls} calls fired {timers} timers in {took:.1?}: {:.0} ns per call, {:.0} ns per timer",
        took.as_nanos() as f64 / calls as f64,
        took.as_nanos() as f64 / timers.max(1) as f64
    );
    // A backlog: the host was down for four days; everything missed fires at once, each with
    // its original due instant.
    let backlog_at = clock + 4 * 86_400_000;
    let due = e.due(backlog_at, usize::MAX).len();
    let begin = Instant::now();
    let events: usize = e.fire_due(backlog_at).iter().map(|f| f.events.len()).sum();
    let took = begin.elapsed();
    eprintln!(
        "fire_due backlog: {due} due timers fired as {events} events in {took:.1?}: {:.0} ns per timer; {} timers left",
        took.as_nanos() as f64 / due.max(1) as f64,
        e.timer_count()
    );
}

criterion_group!(benches, calendar_ops, timers);
criterion_main!(benches);

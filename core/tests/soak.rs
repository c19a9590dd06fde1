//! Soak: many random commands over many open cases, with SLA timers firing as time goes on,
//! invariants checked throughout, and the live heap measured after every round.
//!
//! The short version runs with `cargo test`. The full one (a million commands over a hundred
//! thousand cases) is `scripts/soak.sh`: `CIVICFLOW_SOAK_CASES` and `CIVICFLOW_SOAK_COMMANDS`
//! set the sizes. Figures are in `docs/hardening.md`.
//!
//! The case count is held steady (no command closes a case), so the heap may only grow by the
//! events the commands record: the test checks each round's growth per new event against a
//! fixed bound, and that a round of refused commands leaves the heap exactly where it was.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::System;
use std::collections::BTreeMap;

use civicflow::{verify_history, Actor, Command, Engine, Opening, Values, WorkflowDef};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// Counts every allocation and free, so that the live heap is known exactly.
#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not freed.
fn live() -> isize {
    let s = ALLOCATOR.stats();
    // Reallocations are already counted in both totals.
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC
const MINUTE: i64 = 60_000;
/// Most heap a recorded event may cost, its share of its case's growing vectors included.
const MAX_BYTES_PER_EVENT: f64 = 256.0;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// splitmix64: the soak is the same on every run and platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The petition workflow's moves, read from its definition: for each state, the transitions
/// that leave it with the role that may take them. Closing moves are left out, so that the
/// number of open cases stays steady.
struct Moves {
    by_state: BTreeMap<String, Vec<(String, String)>>,
    all: Vec<(String, String)>,
}

impl Moves {
    fn new(def: &serde_json::Value) -> Self {
        let terminal: Vec<&str> = def["states"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["terminal"] == true)
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let states: Vec<&str> = def["states"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let mut by_state: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut all = Vec::new();
        for t in def["transitions"].as_array().unwrap() {
            let (id, to) = (t["id"].as_str().unwrap(), t["to"].as_str().unwrap());
            let role = t["roles"][0].as_str().unwrap();
            all.push((id.to_owned(), role.to_owned()));
            if terminal.contains(&to) {
                continue;
            }
            let from: Vec<&str> = match &t["from"] {
                serde_json::Value::String(s) if s == "*" => states
                    .iter()
                    .copied()
                    .filter(|s| !terminal.contains(s) && *s != to)
                    .collect(),
                f => f
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect(),
            };
            for s in from {
                by_state
                    .entry(s.to_owned())
                    .or_default()
                    .push((id.to_owned(), role.to_owned()));
            }
        }
        Moves { by_state, all }
    }
}

struct Round {
    commands: usize,
    accepted: usize,
    refused: usize,
    fired: usize,
    effects: usize,
    events: usize,
    live: isize,
}

/// Replays a sample of cases from their histories and verifies their hash chains.
fn check_sample(engine: &Engine, ids: &[String], rng: &mut Rng, n: usize) {
    for _ in 0..n {
        let id = &ids[rng.below(ids.len())];
        let case = engine.case(id).unwrap();
        let history = engine.history(id).unwrap();
        assert_eq!(history.len(), case.events().len());
        let replayed = engine.replay(&history).unwrap();
        assert_eq!(replayed.view(), case.view(), "{id} replays to another case");
        verify_history(&history, None).unwrap();
    }
}

fn total_events(engine: &Engine, ids: &[String]) -> usize {
    ids.iter()
        .map(|id| engine.case(id).unwrap().events().len())
        .sum()
}

#[test]
fn soak() {
    let cases = env("CIVICFLOW_SOAK_CASES", 10_000);
    let commands = env("CIVICFLOW_SOAK_COMMANDS", 100_000);
    let rounds = 8;
    let text = include_str!("../../bench/workload/petition-sla.json");
    let def: serde_json::Value = serde_json::from_str(text).unwrap();
    let moves = Moves::new(&def);

    let mut engine = Engine::new();
    engine
        .load_calendar(
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
        )
        .unwrap();
    engine
        .load_workflow(serde_json::from_value::<WorkflowDef>(def).unwrap())
        .unwrap();
    let roles = ["clerk", "supervisor", "officer", "citizen"];
    let actors: BTreeMap<&str, Actor> = roles
        .iter()
        .map(|r| (*r, Actor::new(format!("{r}-1"), &[r])))
        .collect();
    let stranger = Actor::new("stranger", &["visitor"]);

    let ids: Vec<String> = (0..cases).map(|i| format!("P-{i}")).collect();
    for id in &ids {
        let opening = Opening {
            case_id: id,
            channel: "web",
            fields: Values::NONE,
            actor: &actors["clerk"],
            at: T0,
            keys: None,
        };
        engine.open_case("petition-sla", None, &opening).unwrap();
    }

    // A command every `step` ms of simulated time: the run spans about 200 days, so that
    // acceptance and handling clocks warn and breach along the way.
    let span = 200 * 24 * 60 * MINUTE;
    let step = (span / commands.max(1) as i64).max(1);
    let per_round = commands / rounds;
    let mut now = T0 + MINUTE;
    let mut rng = Rng(0x5eed);
    let mut report = Vec::new();
    let mut timers_fired = 0usize;
    for _ in 0..rounds {
        let mut r = Round {
            commands: per_round,
            accepted: 0,
            refused: 0,
            fired: 0,
            effects: 0,
            events: 0,
            live: 0,
        };
        for k in 0..per_round {
            now += step;
            let id = &ids[rng.below(ids.len())];
            let case = engine.case(id).unwrap();
            let (state, before) = (case.state().to_owned(), case.events().len());
            let options = moves.by_state.get(&state).filter(|o| !o.is_empty());
            // Mostly a move the workflow allows; sometimes any transition by anyone.
            let (transition, actor) = match options {
                Some(o) if rng.below(10) < 8 => {
                    let (t, role) = &o[rng.below(o.len())];
                    (t.clone(), &actors[role.as_str()])
                }
                _ => {
                    let (t, _) = &moves.all[rng.below(moves.all.len())];
                    let actor = if rng.below(2) == 0 {
                        &stranger
                    } else {
                        &actors[roles[rng.below(roles.len())]]
                    };
                    (t.clone(), actor)
                }
            };
            let cmd = Command {
                transition: &transition,
                actor,
                payload: Values::NONE,
                at: now,
            };
            let view = engine.case(id).unwrap().view();
            match engine.apply(id, &cmd) {
                Ok(case) => {
                    r.accepted += 1;
                    assert!(case.events().len() > before);
                }
                Err(_) => {
                    r.refused += 1;
                    let after = engine.case(id).unwrap();
                    assert_eq!(after.events().len(), before, "a refusal recorded an event");
                    assert_eq!(after.view(), view, "a refusal changed {id}");
                }
            }
            if k % 1000 == 999 {
                let fired = engine.fire_due(now);
                r.fired += fired.iter().map(|f| f.events.len()).sum::<usize>();
                assert!(
                    engine.due(now, 1).is_empty(),
                    "a due timer was left unfired"
                );
                // Deliver and acknowledge, as a host does: the outbox would otherwise fill
                // up to `max_pending_effects` and refuse commands (`outbox.full`).
                let effects = engine.drain_outbox(now, usize::MAX, MINUTE);
                let ids: Vec<String> = effects.into_iter().map(|e| e.id).collect();
                r.effects += ids.len();
                assert_eq!(engine.ack_effects(&ids).unwrap(), ids.len());
                assert!(engine.drain_outbox(now + 2 * MINUTE, 1, MINUTE).is_empty());
            }
        }
        timers_fired += r.fired;
        check_sample(&engine, &ids, &mut rng, 50);
        r.events = total_events(&engine, &ids);
        r.live = live();
        report.push(r);
    }

    // Refused commands leave no trace, on the cases or on the heap.
    let heap = live();
    let events = total_events(&engine, &ids);
    for k in 0..per_round {
        let cmd = Command {
            transition: "CLOSE",
            actor: &stranger,
            payload: Values::NONE,
            at: now,
        };
        assert!(engine.apply(&ids[k % ids.len()], &cmd).is_err());
    }
    let refusal_growth = live() - heap;
    assert_eq!(total_events(&engine, &ids), events);

    println!(
        "soak: {cases} cases, {commands} commands in {rounds} rounds, {timers_fired} timer events"
    );
    println!(
        "round | accepted | refused | timer events | effects delivered | events | live heap | heap per new event"
    );
    let mut prev: Option<&Round> = None;
    for (i, r) in report.iter().enumerate() {
        let per_event = prev.map(|p| {
            let grew = (r.live - p.live) as f64;
            grew / (r.events - p.events).max(1) as f64
        });
        println!(
            "{i} | {} | {} | {} | {} | {} | {:.1} MiB | {}",
            r.accepted,
            r.refused,
            r.fired,
            r.effects,
            r.events,
            r.live as f64 / 1048576.0,
            per_event.map_or("-".to_owned(), |b| format!("{b:.0} B")),
        );
        assert_eq!(r.accepted + r.refused, r.commands);
        if let Some(b) = per_event {
            assert!(
                b <= MAX_BYTES_PER_EVENT,
                "round {i}: {b:.0} B per new event"
            );
        }
        prev = Some(r);
    }
    println!("{per_round} refused commands after the last round: heap grew {refusal_growth} B");
    assert!(
        timers_fired > 0,
        "no timer fired: the soak does not cover timers"
    );
    assert_eq!(
        refusal_growth, 0,
        "refused commands left {refusal_growth} B behind"
    );
}

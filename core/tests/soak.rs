//! Soak: many random commands over many open cases, with SLA timers firing as time goes on,
//! invariants checked throughout, and the live heap measured after every round.
//!
//! The short version runs with `cargo test`. The full one (a million commands over a hundred
//! thousand cases) is `scripts/soak.sh`: `CIVICFLOW_SOAK_CASES` and `CIVICFLOW_SOAK_COMMANDS`
//! set the sizes. Figures are in `docs/hardening.md`.
//!
//! Two runs, one after the other (the heap count is global, so they must not overlap):
//! - the open cases stay open (no command closes a case), so the heap may only grow by the
//!   events the commands record: the test checks each round's growth per new event against a
//!   fixed bound, and that a round of refused commands leaves the heap exactly where it was;
//! - cases close, and the host archives each closed case once its effects are acknowledged and
//!   opens a new one in its place: the case count (a tenth of the first run's, so that each
//!   place sees many cases come and go) is steady, and so must the heap be once the cases'
//!   ages have settled. The test checks the last rounds against each other.
//!
//! Then a delivery outage, with the engine's outbox and with the host's: for a simulated
//! afternoon nothing is acknowledged (the SMS gateway is down) while the hotline goes on taking
//! calls. Intake must never stop: every new case opens, every command that queues no effect
//! goes through, and with the engine's outbox only commands that would queue one more effect
//! past `max_pending_effects` are refused, each with `outbox.full` and nothing changed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::System;
use std::collections::BTreeMap;

use civicflow::{
    verify_history, Actor, CaseError, Command, Engine, Limits, Opening, OutboxMode, Values,
    WorkflowDef,
};
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
/// that leave it with the role that may take them. Closing moves are left out unless
/// `closing`, so that the number of open cases stays steady.
struct Moves {
    by_state: BTreeMap<String, Vec<(String, String)>>,
    all: Vec<(String, String)>,
}

impl Moves {
    fn new(def: &serde_json::Value, closing: bool) -> Self {
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
            if terminal.contains(&to) && !closing {
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
    steady_open_cases();
    archived_churn();
    for mode in [OutboxMode::Engine, OutboxMode::Host] {
        delivery_outage(mode);
    }
}

/// One actor for each role of the petition workflow, by role.
fn petition_actors() -> BTreeMap<&'static str, Actor> {
    ["clerk", "supervisor", "officer", "citizen"]
        .into_iter()
        .map(|r| (r, Actor::new(format!("{r}-1"), &[r])))
        .collect()
}

/// The engine of the runs: the China calendar and the petition workflow with its two clocks.
fn petition_engine() -> (Engine, serde_json::Value) {
    let text = include_str!("../../bench/workload/petition-sla.json");
    let def: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut engine = Engine::new();
    engine
        .load_calendar(
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
        )
        .unwrap();
    engine
        .load_workflow(serde_json::from_value::<WorkflowDef>(def.clone()).unwrap())
        .unwrap();
    (engine, def)
}

fn steady_open_cases() {
    let cases = env("CIVICFLOW_SOAK_CASES", 10_000);
    let commands = env("CIVICFLOW_SOAK_COMMANDS", 100_000);
    let rounds = 8;
    let (mut engine, def) = petition_engine();
    let moves = Moves::new(&def, false);
    let actors = petition_actors();
    let roles = ["clerk", "supervisor", "officer", "citizen"];
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

/// Most the live heap may differ between the settled rounds of the archiving run, as a share
/// of their mean.
const MAX_SETTLED_SPREAD: f64 = 0.10;

/// Cases close and are archived, new ones take their place: a steady case count, and a heap
/// that must stay flat once the ages of the cases have settled.
fn archived_churn() {
    // A tenth of the cases, so that each place sees many cases open and close in turn.
    let cases = env("CIVICFLOW_SOAK_CASES", 10_000).div_ceil(10);
    let commands = env("CIVICFLOW_SOAK_COMMANDS", 100_000);
    let rounds = 8;
    let (mut engine, def) = petition_engine();
    let moves = Moves::new(&def, true);
    let actors = petition_actors();
    let open = |engine: &mut Engine, id: &str, at: i64| {
        let opening = Opening {
            case_id: id,
            channel: "web",
            fields: Values::NONE,
            actor: &actors["clerk"],
            at,
            keys: None,
        };
        engine.open_case("petition-sla", None, &opening).unwrap();
    };
    // A desk moves cases on: mostly the next step of the shortest way to a close, sometimes
    // any move the workflow allows (returns, reopenings, escalations).
    let forward: BTreeMap<String, (String, String)> = moves
        .by_state
        .keys()
        .map(|state| {
            let path = engine
                .shortest_path("petition-sla", None, Some(state))
                .unwrap();
            let t = path.steps[0].transition.clone();
            let role = moves.all.iter().find(|(id, _)| *id == t).unwrap().1.clone();
            (state.clone(), (t, role))
        })
        .collect();
    let mut opened = 0usize;
    let mut slots: Vec<String> = (0..cases).map(|i| format!("C-{i}")).collect();
    for id in &slots {
        open(&mut engine, id, T0);
        opened += 1;
    }

    let span = 200 * 24 * 60 * MINUTE;
    let step = (span / commands.max(1) as i64).max(1);
    let per_round = commands / rounds;
    let mut now = T0 + MINUTE;
    let mut rng = Rng(0xa7c4);
    let (mut archived, mut checked) = (0usize, 0usize);
    let mut heap = Vec::new();
    for _ in 0..rounds {
        let (mut accepted, mut fired) = (0usize, 0usize);
        for k in 0..per_round {
            now += step;
            let id = &slots[rng.below(slots.len())];
            let state = engine.case(id).unwrap().state().to_owned();
            if let Some(o) = moves.by_state.get(&state).filter(|o| !o.is_empty()) {
                let (t, role) = if rng.below(10) < 5 {
                    &forward[&state]
                } else {
                    &o[rng.below(o.len())]
                };
                let cmd = Command {
                    transition: t,
                    actor: &actors[role.as_str()],
                    payload: Values::NONE,
                    at: now,
                };
                accepted += usize::from(engine.apply(id, &cmd).is_ok());
            }
            if k % 1000 != 999 {
                continue;
            }
            fired += engine
                .fire_due(now)
                .iter()
                .map(|f| f.events.len())
                .sum::<usize>();
            let effects = engine.drain_outbox(now, usize::MAX, MINUTE);
            let ids: Vec<String> = effects.into_iter().map(|e| e.id).collect();
            engine.ack_effects(&ids).unwrap();
            // Every closed case leaves, its history kept by the host; a new case takes its slot.
            for slot in &mut slots {
                if !engine.case(slot).unwrap().is_terminal() {
                    continue;
                }
                let case = engine.archive_case(slot).unwrap();
                archived += 1;
                if archived % 997 == 0 {
                    // A sample of what the host keeps: it verifies and replays to the case.
                    let history = case.history(0);
                    verify_history(&history, Some(&case.head())).unwrap();
                    assert_eq!(engine.replay(&history).unwrap().view(), case.view());
                    checked += 1;
                }
                *slot = format!("C-{opened}");
                opened += 1;
                open(&mut engine, slot, now);
            }
            assert_eq!(engine.case_count(), cases);
            assert_eq!(engine.pending_effects(), 0);
        }
        let events: usize = slots
            .iter()
            .map(|id| engine.case(id).unwrap().events().len())
            .sum();
        heap.push(live());
        println!(
            "churn round {} | {accepted} accepted | {fired} timer events | {archived} archived so far | {events} events held | {:.1} MiB",
            heap.len() - 1,
            *heap.last().unwrap() as f64 / 1048576.0
        );
    }
    assert!(archived > cases, "too few cases closed: {archived}");
    assert!(checked > 0);
    // The first rounds fill the engine with cases of every age; the last half is settled.
    let settled = &heap[rounds / 2..];
    let mean = settled.iter().sum::<isize>() as f64 / settled.len() as f64;
    let spread = (settled.iter().max().unwrap() - settled.iter().min().unwrap()) as f64 / mean;
    println!(
        "churn: {cases} cases held, {opened} opened, {archived} archived; settled heap {:.1} MiB, spread {:.2}%",
        mean / 1048576.0,
        spread * 100.0
    );
    assert!(
        spread <= MAX_SETTLED_SPREAD,
        "the heap moved {:.1}% over the settled rounds",
        spread * 100.0
    );
}

/// A simulated afternoon (13:00 to 18:00) in which nothing is acknowledged, then the gateway
/// comes back and the backlog is delivered.
fn delivery_outage(mode: OutboxMode) {
    let commands = env("CIVICFLOW_SOAK_COMMANDS", 100_000) / 4;
    // Small enough that the afternoon's effects overflow it.
    let limit = (commands / 50).max(1);
    let (mut engine, def) = petition_engine();
    engine.set_limits(Limits {
        max_pending_effects: limit,
        ..Limits::default()
    });
    engine.set_outbox_mode(mode).unwrap();
    let moves = Moves::new(&def, true);
    let actors = petition_actors();
    let start = T0 + 13 * 60 * MINUTE;
    let span = 5 * 60 * MINUTE;
    let step = (span / commands.max(1) as i64).max(1);
    let mut rng = Rng(0x0a7a);
    let mut ids: Vec<String> = Vec::new();
    let (mut opened, mut accepted, mut full, mut other) = (0usize, 0usize, 0usize, 0usize);
    let (mut peak, mut queued) = (0usize, 0usize);
    let mut now = start;
    for k in 0..commands {
        now += step;
        // One call in four is a new case: intake.
        if k % 4 == 0 || ids.is_empty() {
            let id = format!("H-{k}");
            let opening = Opening {
                case_id: &id,
                channel: "hotline",
                fields: Values::NONE,
                actor: &actors["clerk"],
                at: now,
                keys: None,
            };
            let case = engine.open_case("petition-sla", None, &opening);
            queued += case.map(|c| c.effects_since(0).len()).unwrap();
            opened += 1;
            ids.push(id);
            continue;
        }
        let id = &ids[rng.below(ids.len())];
        let case = engine.case(id).unwrap();
        let (state, before) = (case.state().to_owned(), case.events().len());
        let Some(o) = moves.by_state.get(&state).filter(|o| !o.is_empty()) else {
            continue;
        };
        let (t, role) = &o[rng.below(o.len())];
        let cmd = Command {
            transition: t,
            actor: &actors[role.as_str()],
            payload: Values::NONE,
            at: now,
        };
        match engine.apply(id, &cmd) {
            Ok(case) => {
                accepted += 1;
                queued += case.effects_since(before).len();
            }
            Err(CaseError::OutboxFull { .. }) => {
                full += 1;
                assert_eq!(engine.case(id).unwrap().events().len(), before);
            }
            Err(_) => other += 1,
        }
        if k % 500 == 0 {
            engine.fire_due(now);
        }
        peak = peak.max(engine.pending_effects());
    }
    // The gateway is back: the backlog goes out, and the outbox empties.
    let drained = engine.drain_outbox(now, usize::MAX, MINUTE);
    let ids: Vec<String> = drained.into_iter().map(|e| e.id).collect();
    engine.ack_effects(&ids).unwrap();
    assert_eq!(engine.pending_effects(), 0);
    println!(
        "outage ({mode:?} outbox, max_pending_effects {limit}) | {opened} cases opened, all accepted | {accepted} commands accepted | {full} refused with outbox.full | {other} refused otherwise | {queued} effects queued | pending at peak {peak}"
    );
    match mode {
        OutboxMode::Engine => {
            assert!(peak >= limit, "the outage filled the outbox: {peak}");
            assert!(full > 0);
        }
        OutboxMode::Host => {
            assert_eq!((peak, full), (0, 0));
            assert!(queued > limit, "effects went to the host: {queued}");
        }
    }
    assert!(accepted > full, "commands kept going through");
}

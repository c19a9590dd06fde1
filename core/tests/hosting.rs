//! What a host that keeps cases in a database relies on (`docs/persistence.md`), checked on
//! random fortnights at the township desk (`common/desk.rs`):
//! - a command decided on a stale version (`expected_seq`) is refused and changes nothing;
//! - a retried `request_id` is answered byte for byte as before, marked `duplicate`, and
//!   appends nothing, also after the engine is rebuilt by snapshot, by replaying each case, or
//!   by `append_events`;
//! - firing one case's timers (`fire_due` with `case_id`) records what the global firing
//!   records on that case;
//! - unloading a case and loading it back from its history at any point changes no answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;
use common::desk::*;

/// The ops that change one case and take `expected_seq` and `request_id`.
const CASE_COMMANDS: [&str; 6] = [
    "apply",
    "link_cases",
    "submit_opinion",
    "supervise",
    "answer_supervision",
    "extend",
];

fn moves(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), len)
}

/// Everything observable of an engine: its snapshot and every timer.
fn state(engine: &mut Engine) -> (String, String) {
    let snapshot = engine.answer_str(r#"{"op": "snapshot"}"#);
    let due = engine.answer_str(&format!(
        r#"{{"op": "due", "now": {}, "limit": 100000}}"#,
        T0 + 400 * 24 * HOUR
    ));
    (snapshot, due)
}

fn events_of(engine: &Engine, case_id: &str) -> usize {
    engine.case(case_id).map_or(0, |c| c.events().len())
}

/// A desk and an engine with the township definitions.
fn desk() -> (Desk, Engine) {
    let desk = Desk {
        now: T0,
        cases: Vec::new(),
    };
    (desk, township_engine())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_stale_expected_seq_is_refused_and_changes_nothing(moves in moves(20..70)) {
        let (mut desk, mut engine) = desk();
        let mut refused = 0;
        for (i, &m) in moves.iter().enumerate() {
            let request = desk.next(&mut engine, m);
            let op = request["op"].as_str().unwrap().to_owned();
            if CASE_COMMANDS.contains(&op.as_str()) {
                let case_id = request["case_id"].as_str().unwrap().to_owned();
                if engine.case(&case_id).is_some() {
                    let actual = events_of(&engine, &case_id) as u64;
                    let stale = [actual - 1, actual + 1 + u64::from(m.1 % 3)][i % 2];
                    let mut stale_request = request.clone();
                    stale_request["expected_seq"] = json!(stale);
                    let before = state(&mut engine);
                    let answer = engine.answer_json(stale_request);
                    prop_assert_eq!(&answer["errors"][0]["code"], "case.seq_mismatch");
                    prop_assert_eq!(&answer["errors"][0]["path"], "/expected_seq");
                    prop_assert_eq!(state(&mut engine), before);
                    refused += 1;
                    // With the right version, the command is answered as without one.
                    let mut twin = engine.clone();
                    let mut current = request.clone();
                    current["expected_seq"] = json!(actual);
                    let with = engine.answer_json(current);
                    let without = twin.answer_json(request);
                    prop_assert_eq!(with, without);
                    continue;
                }
            }
            engine.answer_json(request);
        }
        prop_assert!(refused > 0 || moves.len() < 30);
    }

    #[test]
    fn a_retried_request_id_gets_the_same_answer_and_appends_nothing(moves in moves(20..70)) {
        let (mut desk, mut engine) = desk();
        // Each request that changed a case.
        let mut retried: Vec<Value> = Vec::new();
        for (i, &m) in moves.iter().enumerate() {
            let mut request = desk.next(&mut engine, m);
            let op = request["op"].as_str().unwrap().to_owned();
            if !(CASE_COMMANDS.contains(&op.as_str()) || op == "open_case") {
                engine.answer_json(request);
                continue;
            }
            request["request_id"] = json!(format!("req-{i}"));
            let first = engine.answer_json(request.clone());
            if first["ok"] != true {
                // A refused request records nothing: its retry runs again, refused the same.
                prop_assert_eq!(engine.answer_json(request.clone()), first);
                continue;
            }
            let before = state(&mut engine);
            let retry: Value = serde_json::from_str(&engine.answer_str(&request.to_string())).unwrap();
            prop_assert_eq!(state(&mut engine), before, "a retry appends nothing");
            prop_assert_eq!(&retry["result"]["duplicate"], true);
            prop_assert_eq!(&retry["result"]["events"], &first["result"]["events"]);
            prop_assert_eq!(&retry["result"]["effects"], &first["result"]["effects"]);
            retried.push(request);
        }
        // The engine rebuilt three ways answers every retry byte for byte as the live one.
        // An archived case has left with its request ids: the host's store answers those.
        retried.retain(|r| engine.case(r["case_id"].as_str().unwrap()).is_some());
        let live: Vec<String> = retried.iter().map(|r| engine.answer_str(&r.to_string())).collect();
        for rebuilt in rebuilt_engines(&mut engine) {
            let mut rebuilt = rebuilt;
            for (request, expected) in retried.iter().zip(&live) {
                prop_assert_eq!(&rebuilt.answer_str(&request.to_string()), expected);
            }
            prop_assert_eq!(rebuilt.snapshot().cases, engine.snapshot().cases);
        }
    }

    #[test]
    fn each_write_set_holds_the_cases_timers_and_the_effects_the_outbox_gained(moves in moves(20..70)) {
        let (mut desk, mut engine) = desk();
        let far = T0 + 400 * 24 * HOUR;
        for &m in &moves {
            let request = desk.next(&mut engine, m);
            let before: std::collections::BTreeSet<String> = engine.snapshot().outbox.into_iter().collect();
            let answer = engine.answer_json(request);
            let Some(writes) = answer["result"]["writes"].as_array() else {
                continue;
            };
            let after: std::collections::BTreeSet<String> = engine.snapshot().outbox.into_iter().collect();
            let gained: Vec<&String> = after.difference(&before).collect();
            let mut listed: Vec<&str> = Vec::new();
            for write in writes {
                let id = write["case_id"].as_str().unwrap();
                let timers = engine.answer_json(json!({"op": "case_timers", "case_id": id}));
                prop_assert_eq!(&write["timers"], &timers["result"]["timers"]);
                // A fresh engine holding the case alone reports the same timers as due.
                let mut alone = engine.clone_definitions();
                alone.restore_case(&engine.history(id).unwrap()).unwrap();
                prop_assert_eq!(&write["timers"], &serde_json::to_value(alone.due(far, usize::MAX)).unwrap());
                let case = engine.case(id).unwrap();
                prop_assert_eq!(write["row"]["version"].as_u64(), Some(case.events().len() as u64));
                prop_assert_eq!(&write["row"]["head"], &json!(case.head()));
                prop_assert_eq!(write["row"]["state"].as_str(), Some(case.state()));
                let first = write["events"][0]["seq"].as_u64().unwrap() as usize;
                prop_assert_eq!(&write["events"], &serde_json::to_value(case.history(first)).unwrap());
                listed.extend(write["effects"].as_array().into_iter().flatten().map(|e| e["id"].as_str().unwrap()));
            }
            listed.sort_unstable();
            let mut gained: Vec<&str> = gained.into_iter().map(String::as_str).collect();
            gained.sort_unstable();
            prop_assert_eq!(listed, gained);
        }
    }

    #[test]
    fn firing_one_case_records_what_the_global_firing_records_on_it(moves in moves(20..60)) {
        let (mut desk, mut engine) = desk();
        for &(kind, a, b) in &moves {
            // No timer fires along the way: they all wait for the end.
            let kind = if matches!(kind % 16, 9 | 10) { 8 } else { kind };
            let request = desk.next(&mut engine, (kind, a, b));
            engine.answer_json(request);
        }
        let now = desk.now + 20 * 24 * HOUR;
        let mut global = engine.clone();
        global.fire_due(now);
        let mut ids: Vec<String> = desk.cases.clone();
        ids.retain(|id| engine.case(id).is_some());
        ids.sort();
        let mut scoped = engine.clone();
        for id in &ids {
            let answer = scoped.answer_json(json!({"op": "fire_due", "now": now, "case_id": id}));
            prop_assert_eq!(&answer["ok"], true);
            for fired in answer["result"]["fired"].as_array().unwrap() {
                // The township takes no transition on a breach: nothing follows on other cases
                // but the breach supervision raised on the case itself.
                prop_assert_eq!(&fired["case_id"], &json!(id));
            }
            let timers = scoped.answer_json(json!({"op": "case_timers", "case_id": id}));
            prop_assert!(timers["result"]["timers"].as_array().unwrap().iter().all(|t| t["due_at"].as_i64().unwrap() > now));
        }
        for id in &ids {
            prop_assert_eq!(scoped.history(id).unwrap(), global.history(id).unwrap(), "{}", id);
        }
        prop_assert_eq!(scoped.due(now, usize::MAX), global.due(now, usize::MAX));
    }

    #[test]
    fn unloading_and_reloading_a_case_at_any_point_changes_no_answer(moves in moves(20..70)) {
        let (mut desk, mut engine) = desk();
        let mut shadow = engine.clone();
        for &(kind, a, b) in &moves {
            // Outbox work stays out: a reloaded case queues its effects again (delivery is at
            // least once), so drains and acknowledgements differ by design.
            let kind = if kind % 16 == 15 { 8 } else { kind };
            let request = desk.next(&mut engine, (kind, a, b));
            if !desk.cases.is_empty() {
                let id = desk.cases[usize::from(b) % desk.cases.len()].clone();
                if let Some(case) = shadow.case(&id) {
                    let history = case.history(0);
                    let head = case.head();
                    let gone = shadow.answer_json(json!({"op": "unload_case", "case_id": id}));
                    prop_assert_eq!(&gone["result"]["head"], &json!(head));
                    prop_assert!(shadow.case(&id).is_none());
                    shadow.restore_case(&history).unwrap();
                }
            }
            let op = request["op"].clone();
            let live = engine.answer_json(request.clone());
            let reloaded = shadow.answer_json(request);
            if op != "drain_outbox" {
                prop_assert_eq!(live, reloaded, "{}", op);
            }
        }
        let cases = |e: &Engine| e.snapshot().cases;
        prop_assert_eq!(cases(&shadow), cases(&engine));
        let far = desk.now + 400 * 24 * HOUR;
        prop_assert_eq!(shadow.due(far, usize::MAX), engine.due(far, usize::MAX));
    }
}

/// The engine rebuilt from what a host stores, three ways: its snapshot restored; its
/// definitions with each case replayed from its history; its definitions with each case's
/// history taken back by `append_events`, in two halves.
fn rebuilt_engines(engine: &mut Engine) -> Vec<Engine> {
    let snapshot = engine.snapshot();
    let mut restored = Engine::new();
    restored.restore(snapshot.clone()).unwrap();
    let mut replayed = engine.clone_definitions();
    let mut appended = engine.clone_definitions();
    for case in &snapshot.cases {
        replayed.restore_case(&case.history).unwrap();
        let half = case.history.len() / 2 + 1;
        let (first, rest) = case.history.split_at(half.min(case.history.len()));
        appended.append_events(&case.id, first).unwrap();
        if !rest.is_empty() {
            appended.append_events(&case.id, rest).unwrap();
        }
    }
    for rebuilt in [&mut replayed, &mut appended] {
        let ids: Vec<String> = snapshot.outbox.clone();
        // The outbox as the live engine has it: what is acknowledged stays acknowledged.
        let all: Vec<String> = rebuilt.snapshot().outbox;
        let done: Vec<String> = all.into_iter().filter(|id| !ids.contains(id)).collect();
        rebuilt.ack_effects(&done).unwrap();
    }
    vec![restored, replayed, appended]
}

//! What a host that keeps cases in a database relies on (`docs/persistence.md`), checked on
//! random fortnights at the township desk (`common/desk.rs`):
//! - a command decided on a stale version (`expected_seq`) is refused and changes nothing;
//! - a retried `request_id` is answered byte for byte as before, marked `duplicate`, and
//!   appends nothing, also after the engine is rebuilt by snapshot, by replaying each case, or
//!   by `append_events`;
//! - firing one case's timers (`fire_due` with `case_id`) records what the global firing
//!   records on that case;
//! - each write set holds the case's timers (as `case_timers`, and as a one-case engine
//!   reports them), its row, its events, and exactly the effects the outbox gained;
//! - `plan` names every case a command then touches;
//! - unloading a case and loading it back from its history at any point changes no answer;
//! - a matter with 3,000 duplicates closes in bounded steps, and a primary whose few
//!   duplicates are not loaded is refused with `case.linked_not_loaded`.
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
    fn plan_names_every_case_a_command_then_touches(moves in moves(20..80)) {
        let (mut desk, mut engine) = desk();
        for &m in &moves {
            let mut request = desk.next(&mut engine, m);
            if request["op"] == "fire_due" {
                // A host fires case by case; the global firing plans nothing.
                let held: Vec<&String> = desk.cases.iter().filter(|c| engine.case(c).is_some()).collect();
                let Some(id) = held.get(usize::from(m.2) % held.len().max(1)) else {
                    continue;
                };
                request["case_id"] = json!(id);
            }
            let plan = engine.answer_json(json!({"op": "plan", "request": request}));
            prop_assert_eq!(&plan["ok"], true);
            let plan = &plan["result"];
            let answer = engine.answer_json(request);
            for write in answer["result"]["writes"].as_array().into_iter().flatten() {
                let id = &write["case_id"];
                let named = plan["cases"].as_array().unwrap().contains(id);
                // A new case links to the open case of its keys: that case is found by them.
                let by_keys = plan["matters"].as_array().is_some_and(|m| m.contains(&write["row"]["keys"]));
                prop_assert!(named || by_keys, "{} not in {}", id, plan);
            }
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

/// A water outage reported by 3,000 callers: the primary closes alone, its answer names the
/// 3,000 duplicates as follow-ups, and each follows by a command whose write set is its own.
#[test]
fn a_matter_with_thousands_of_duplicates_closes_in_bounded_steps() {
    let mut engine = township_engine();
    let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
    let keys = json!({"citizen": "c-outage", "matter": "water-outage-dongcun"});
    let open = |id: String, channel: &str, at: i64| {
        json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": channel,
               "fields": {"summary": "东村停水", "category": "municipal", "region": "dongcun",
                          "citizen_name": "张伟"},
               "keys": keys, "actor": clerk, "at": at})
    };
    ok(&mut engine, open("W-0".into(), "hotline", T0));
    for i in 1..=3000 {
        let answer = ok(
            &mut engine,
            open(format!("W-{i}"), CHANNELS[i % 5], T0 + 1000),
        );
        // Each link is two small entries: the duplicate and the primary's record of it.
        assert_eq!(answer["result"]["writes"].as_array().unwrap().len(), 2);
    }
    let handler = json!({"id": "h-01", "roles": ["handler"], "unit": "dongcun"});
    let steps = [
        ("accept", clerk.clone(), json!({})),
        (
            "dispatch",
            json!({"id": "disp-01", "roles": ["dispatcher"], "unit": "town"}),
            json!({}),
        ),
        ("sign", handler.clone(), json!({})),
        ("reply", handler, json!({"reply_text": "已恢复供水"})),
        (
            "callback",
            json!({"id": "cb-01", "roles": ["clerk"], "unit": "town"}),
            json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
        ),
    ];
    let mut at = T0 + 2 * HOUR;
    for (transition, actor, payload) in steps {
        at += HOUR;
        engine.answer_json(
            json!({"op": "apply", "case_id": "W-0", "transition": transition,
                                  "actor": actor, "payload": payload, "at": at}),
        );
    }
    at += HOUR;
    let close = json!({"op": "apply", "case_id": "W-0", "transition": "close", "at": at,
                       "actor": {"id": "sup-01", "roles": ["supervisor"], "unit": "town"}});
    let plan = ok(&mut engine, json!({"op": "plan", "request": close}));
    assert_eq!(
        plan["result"]["cases"],
        json!(["W-0"]),
        "3,000 duplicates are not needed"
    );
    let closed = ok(&mut engine, close);
    let result = &closed["result"];
    assert_eq!(result["case"]["terminal"], true, "{result:#}");
    assert_eq!(
        result["writes"].as_array().unwrap().len(),
        1,
        "the primary alone"
    );
    let follow_ups = result["follow_ups"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 3000);
    // The closure is told to every channel by the primary's own effects.
    let told: std::collections::BTreeSet<&str> = result["effects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["channel_case"].as_str())
        .collect();
    assert_eq!(told.len(), 3001);
    for id in follow_ups {
        let answer = ok(
            &mut engine,
            json!({"op": "follow_primary", "case_id": id, "at": at}),
        );
        let writes = answer["result"]["writes"].as_array().unwrap();
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0]["row"]["terminal"], true);
    }
    assert!((0..=3000).all(|i| engine.case(&format!("W-{i}")).unwrap().is_terminal()));
}

/// Closing a primary whose few duplicates are not all loaded is refused, naming them, and
/// changes nothing; loaded again, they follow within the closing command.
#[test]
fn closing_a_primary_needs_its_duplicates_loaded() {
    let mut engine = township_engine();
    let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
    let keys = json!({"citizen": "c-1", "matter": "m-1"});
    for (id, at) in [("P", T0), ("Q", T0 + 1000)] {
        ok(
            &mut engine,
            json!({"op": "open_case", "workflow": "township", "case_id": id,
            "channel": "web", "keys": keys, "actor": clerk, "at": at,
            "fields": {"summary": "路灯", "category": "municipal", "region": "dongcun", "citizen_name": "张伟"}}),
        );
    }
    let history = engine.history("Q").unwrap();
    ok(&mut engine, json!({"op": "unload_case", "case_id": "Q"}));
    let reject = json!({"op": "apply", "case_id": "P", "transition": "reject", "at": T0 + HOUR,
                        "actor": clerk, "payload": {"reason": "不属于受理范围"}});
    let plan = ok(&mut engine, json!({"op": "plan", "request": reject}));
    assert_eq!(plan["result"]["cases"], json!(["P", "Q"]));
    let before = state(&mut engine);
    let refused = engine.answer_json(reject.clone());
    assert_eq!(
        refused["errors"][0]["code"], "case.linked_not_loaded",
        "{refused:#}"
    );
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`Q`"));
    assert_eq!(state(&mut engine), before);
    engine.restore_case(&history).unwrap();
    let closed = ok(&mut engine, reject);
    let writes: Vec<&Value> = closed["result"]["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["case_id"])
        .collect();
    assert_eq!(writes, [&json!("P"), &json!("Q")]);
}

//! `list_cases` and `next_due` on random fortnights at the township desk (`common/desk.rs`):
//! - walking the pages of any filter with `after` gives every matching case exactly once,
//!   newest first, and each page's `total` is the number of cases `get_case` says match;
//! - `next_due` is the earliest of every case's pending timers;
//! - neither changes anything.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{json, Value};

mod common;
use common::desk::*;

// The result of a request that must succeed.
fn result(engine: &mut civicflow::Engine, request: Value) -> Value {
    ok(engine, request)["result"].clone()
}

// A filter from a few random bytes: one or two of workflow, state category, channel, unit,
// closed, overdue and the opening window.
fn filter(picks: (u8, u8, u8), now: i64) -> Value {
    let (kind, a, b) = picks;
    let mut query = json!({});
    match kind % 7 {
        0 => query["workflow"] = json!("township"),
        1 => query["state_category"] = json!(["open", "waiting", "closed"][usize::from(a % 3)]),
        2 => query["channel"] = json!(CHANNELS[usize::from(a) % CHANNELS.len()]),
        3 => query["unit"] = json!(units()[usize::from(a) % units().len()]),
        4 => query["terminal"] = json!(a % 2 == 0),
        5 => {
            query["overdue"] = json!(a % 2 == 0);
            query["at"] = json!(now);
        }
        _ => {
            query["opened_from"] = json!(T0 + i64::from(a) * HOUR);
            query["opened_to"] = json!(T0 + i64::from(a) * HOUR + i64::from(b) * 2 * HOUR);
        }
    }
    if b % 3 == 0 {
        query["channel"] = json!(CHANNELS[usize::from(b) % CHANNELS.len()]);
    }
    query
}

// Whether a case's view and clocks match the query, as a caller would check it by hand.
fn matches(engine: &mut civicflow::Engine, id: &str, query: &Value) -> bool {
    let view = result(engine, json!({"op": "get_case", "case_id": id}));
    let unit = &view["handling"]["unit"];
    let is = |key: &str, have: &Value| query.get(key).is_none_or(|want| want == have);
    let mut overdue = || {
        let clocks = result(
            engine,
            json!({"op": "sla_status", "case_id": id, "now": query["at"]}),
        );
        clocks["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["active"] == true && c["status"] == "breached")
    };
    is("workflow", &view["workflow"])
        && is("state_category", &view["state_category"])
        && is("channel", &view["channel"])
        && is("unit", unit)
        && is("terminal", &view["terminal"])
        && query
            .get("opened_from")
            .is_none_or(|f| view["opened_at"].as_i64() >= f.as_i64())
        && query
            .get("opened_to")
            .is_none_or(|t| view["opened_at"].as_i64() < t.as_i64())
        && query.get("overdue").is_none_or(|want| *want == overdue())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pages_give_every_matching_case_once_newest_first(
        moves in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 20..80),
        picks in (any::<u8>(), any::<u8>(), any::<u8>()),
        limit in 1usize..7,
    ) {
        let mut desk = Desk { now: T0, cases: Vec::new() };
        let mut engine = township_engine();
        for &m in &moves {
            let request = desk.next(&mut engine, m);
            engine.answer_json(request);
        }
        let query = filter(picks, desk.now);
        let before = state(&mut engine);
        let mut seen: Vec<(i64, String)> = Vec::new();
        let mut after: Option<String> = None;
        let mut totals = Vec::new();
        loop {
            let mut request = query.clone();
            request["op"] = json!("list_cases");
            request["limit"] = json!(limit);
            if let Some(a) = &after {
                request["after"] = json!(a);
            }
            let page = result(&mut engine, request);
            let cases = page["cases"].as_array().unwrap();
            prop_assert!(cases.len() <= limit);
            totals.push(page["total"].as_u64().unwrap());
            seen.extend(cases.iter().map(|c| (c["opened_at"].as_i64().unwrap(), c["id"].as_str().unwrap().to_owned())));
            match page.get("next") {
                Some(next) => after = Some(next.as_str().unwrap().to_owned()),
                None => break,
            }
            prop_assert!(cases.len() == limit, "a page before the last is full");
        }
        // Newest first, each once.
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        sorted.dedup();
        prop_assert_eq!(&seen, &sorted);
        // Exactly the cases that match, by their views.
        let ids: Vec<String> = desk.cases.clone();
        let mut expected = 0;
        for id in &ids {
            if engine.case(id).is_some() && matches(&mut engine, id, &query) {
                expected += 1;
            }
        }
        prop_assert_eq!(seen.len(), expected, "{}", query);
        prop_assert!(totals.iter().all(|t| *t as usize == expected));
        // next_due is the earliest pending timer of all.
        let next = result(&mut engine, json!({"op": "next_due"}));
        let held: Vec<String> = ids.iter().filter(|id| engine.case(id).is_some()).cloned().collect();
        let mut earliest: Option<i64> = None;
        for id in &held {
            for t in result(&mut engine, json!({"op": "case_timers", "case_id": id}))["timers"].as_array().unwrap() {
                let due = t["due_at"].as_i64().unwrap();
                earliest = Some(earliest.map_or(due, |e| e.min(due)));
            }
        }
        prop_assert_eq!(next["timer"]["due_at"].as_i64(), earliest);
        prop_assert_eq!(state(&mut engine), before);
    }
}

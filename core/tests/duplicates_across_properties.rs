//! Duplicates across workflows (`duplicates.across`): a 12345 desk and a letters desk that
//! count each other's open cases are linked, refused and answered exactly as one desk taking
//! both channels would be, whatever the order of openings, keys and closures.
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
use common::desk::{ok, CALENDAR, ORG, TEMPLATE};

const T0: i64 = 1_767_574_800_000;
const HOUR: i64 = 3_600_000;

// The township desk under another id, its duplicates counting across `across`.
fn desk(id: &str, policy: &str, across: &[&str]) -> Value {
    let mut def: Value = serde_json::from_str(TEMPLATE).unwrap();
    def["id"] = json!(id);
    def["handling"]["duplicates"] = if across.is_empty() {
        json!(policy)
    } else {
        json!({"policy": policy, "across": across})
    };
    def
}

fn engine(workflows: &[Value]) -> Engine {
    let mut engine = Engine::new();
    let calendar: Value = serde_json::from_str(CALENDAR).unwrap();
    let org: Value = serde_json::from_str(ORG).unwrap();
    ok(
        &mut engine,
        json!({"op": "load_calendar", "calendar": calendar}),
    );
    ok(&mut engine, json!({"op": "load_org", "org": org}));
    for w in workflows {
        ok(&mut engine, json!({"op": "load_workflow", "definition": w}));
    }
    engine
}

// What a host sees of an answer, without the workflow's id: the error code, or each case's
// state, primary and the channels its effects reach.
fn seen(answer: &Value) -> Value {
    if answer["ok"] != true {
        return answer["errors"][0]["code"].clone();
    }
    let result = &answer["result"];
    let effects: Vec<Value> = result["effects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| json!([e["case_id"], e["kind"], e["reason"], e["channel_case"]]))
        .collect();
    json!({"state": result["case"]["state"], "primary": result["case"]["handling"]["primary"],
           "effects": effects})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_duplicate_across_workflows_is_linked_as_within_one(
        policy in prop::sample::select(vec!["link", "refuse", "candidate"]),
        steps in prop::collection::vec((any::<bool>(), 0..3u8, 0..4u8, any::<bool>()), 1..14),
    ) {
        let (a, b) = ("township-12345", "township-letters");
        let mut across = engine(&[desk(a, policy, &[b]), desk(b, policy, &[a])]);
        let mut within = engine(&[desk(a, policy, &[])]);
        let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
        let mut at = T0;
        let mut opened = Vec::new();
        for (i, (letter, matter, channel, close)) in steps.into_iter().enumerate() {
            at += HOUR;
            let request = |workflow: &str| {
                if close && !opened.is_empty() {
                    let id: &String = &opened[i % opened.len()];
                    json!({"op": "apply", "case_id": id, "transition": "reject", "at": at,
                           "actor": clerk, "payload": {"reason": "不属于受理范围"}})
                } else {
                    let channel = ["12345", "letter", "wechat", "weibo"][usize::from(channel)];
                    json!({"op": "open_case", "workflow": workflow, "case_id": format!("C-{i}"),
                           "channel": channel,
                           "at": at, "actor": clerk,
                           "keys": {"citizen": "c-1", "matter": format!("m-{matter}")},
                           "fields": {"summary": "诉求", "category": "municipal", "region": "dongcun",
                                      "citizen_name": "张伟", "citizen_phone": "13800001234"}})
                }
            };
            let desk = if letter { b } else { a };
            let (x, y) = (across.answer_json(request(desk)), within.answer_json(request(a)));
            prop_assert_eq!(seen(&x), seen(&y));
            prop_assert_eq!(&x["result"]["candidates"], &y["result"]["candidates"]);
            if x["ok"] == true && x["result"]["case"]["id"] == json!(format!("C-{i}")) {
                opened.push(format!("C-{i}"));
            }
        }
    }
}

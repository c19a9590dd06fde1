//! Guards on the case itself: a workflow whose guards and SLA targets read `{"case": "channel"}`
//! answers exactly as the same workflow reading a field that copies the channel, whatever the
//! channel, the opening instant and the commands that follow (`tests/workflows/message-reply.json`);
//! `{"case": "category"}` reads the field `handling.category_field` names, type-checked as it is.
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
use common::desk::{ok, township_engine, TEMPLATE};

const CHANNELS: [&str; 7] = [
    "wechat", "weibo", "sms", "app", "mailbox", "letter", "12345",
];
const TRANSITIONS: [&str; 4] = [
    "acknowledge",
    "answer",
    "answer_in_thread",
    "answer_backlog",
];
const MINUTE: i64 = 60_000;
// 2025-06-01T00:00Z to a year and a half later: both sides of the backlog guard's 2026-01-01.
const FROM: i64 = 1_748_736_000_000;

// The workflow with every `{"case": "channel"}` replaced by a field the host fills at opening.
fn copied(def: &Value) -> Value {
    let original = def.to_string();
    assert_eq!(original.matches(r#"{"case":"channel"}"#).count(), 3);
    let text = original.replace(r#"{"case":"channel"}"#, r#"{"field":"channel_copy"}"#);
    let mut copy: Value = serde_json::from_str(&text).unwrap();
    copy["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "channel_copy", "title": "渠道", "type": "string"}));
    copy
}

fn engine(definition: &Value) -> Engine {
    let mut engine = Engine::new();
    let calendar: Value =
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    for request in [
        json!({"op": "load_calendar", "calendar": calendar}),
        json!({"op": "load_workflow", "definition": definition}),
    ] {
        assert_eq!(engine.answer_json(request)["ok"], true);
    }
    engine
}

// What a host sees of a request's outcome, without the parts that name the copied field.
fn outcome(answer: &Value) -> Value {
    if answer["ok"] == true {
        let result = &answer["result"];
        json!({"state": result["case"]["state"], "clocks": result["clocks"], "transitions": result["transitions"]})
    } else {
        answer["errors"][0]["code"].clone()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_guard_on_the_channel_answers_as_one_on_a_copied_field(
        channel in 0..CHANNELS.len(),
        opened in 0i64..(550 * 24 * 60),
        steps in prop::collection::vec((0..TRANSITIONS.len(), 0i64..(3 * 24 * 60), any::<bool>()), 1..5),
    ) {
        let def: Value =
            serde_json::from_str(include_str!("../../tests/workflows/message-reply.json")).unwrap();
        let (mut by_case, mut by_field) = (engine(&def), engine(&copied(&def)));
        let channel = CHANNELS[channel];
        let mut at = FROM + opened * MINUTE;
        let open = |with_copy: bool| {
            let mut fields = json!({"summary": "留言"});
            if with_copy {
                fields["channel_copy"] = json!(channel);
            }
            json!({"op": "open_case", "workflow": "message-reply", "case_id": "C-1",
                   "channel": channel, "at": at, "actor": {"id": "op-1", "roles": ["operator"]},
                   "fields": fields})
        };
        prop_assert_eq!(outcome(&by_case.answer_json(open(false))), outcome(&by_field.answer_json(open(true))));
        for (transition, wait, as_editor) in steps {
            at += wait * MINUTE;
            let role = if as_editor { "editor" } else { "operator" };
            let actor = json!({"id": "u-1", "roles": [role]});
            for request in [
                json!({"op": "available_transitions", "case_id": "C-1", "actor": actor}),
                json!({"op": "sla_status", "case_id": "C-1", "now": at}),
                json!({"op": "apply", "case_id": "C-1", "transition": TRANSITIONS[transition],
                       "at": at, "actor": actor, "payload": {"answer_text": "答复", "ack_text": "已收到"}}),
            ] {
                prop_assert_eq!(
                    outcome(&by_case.answer_json(request.clone())),
                    outcome(&by_field.answer_json(request))
                );
            }
        }
    }
}

// The township template with `accept` guarded on the case's category and workflow.
fn township_with_accept_guard(version: u32, categories: Value) -> Value {
    let mut def: Value = serde_json::from_str(TEMPLATE).unwrap();
    def["version"] = json!(version);
    let accept = def["transitions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == "accept")
        .unwrap();
    accept["guard"] = json!({"all": [
        {"in": [{"case": "category"}, {"value": categories}]},
        {"eq": [{"case": "workflow"}, {"value": "township"}]},
    ]});
    json!({"op": "load_workflow", "definition": def})
}

#[test]
fn the_case_category_is_the_handling_category_field() {
    let mut engine = township_engine();
    ok(
        &mut engine,
        township_with_accept_guard(10, json!(["municipal", "environment"])),
    );
    let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
    let offered = |engine: &mut Engine, id: &str, category: &str| {
        ok(
            engine,
            json!({"op": "open_case", "workflow": "township", "case_id": id,
            "channel": "wechat", "at": 1_767_600_000_000_i64, "actor": clerk,
            "fields": {"summary": "事项", "category": category, "region": "青山村",
                       "citizen_name": "张伟", "citizen_phone": "13800001234"}}),
        );
        let answer = ok(
            engine,
            json!({"op": "available_transitions", "case_id": id, "actor": clerk}),
        );
        answer["result"]["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "accept")
    };
    assert!(offered(&mut engine, "T-1", "municipal"));
    assert!(!offered(&mut engine, "T-2", "land"));

    // A literal the category field cannot hold is refused as it would be beside the field.
    let answer = engine.answer_json(township_with_accept_guard(
        11,
        json!(["municipal", "roads"]),
    ));
    assert_eq!(
        answer["errors"][0]["code"], "definition.unknown_enum_value",
        "{answer:#}"
    );
    assert_eq!(
        answer["errors"][0]["path"],
        "/definition/transitions/0/guard/all/0/in/1/value"
    );
}

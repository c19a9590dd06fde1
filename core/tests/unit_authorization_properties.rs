//! Authorization as a property, the unit half (issue 9): on the township template with its
//! organisation, random actors (a random role, in a random unit or none) issue random commands
//! on a dispatched case. Whatever they send:
//! - a handler acts only from the case's handling unit (the workflow ties every handler move
//!   to it); clerks, dispatchers and supervisors act by role, as the workflow says;
//! - a supervision comes only from a unit above the handling unit;
//! - an opinion comes only from a unit asked to assist and not yet answered;
//! - a handler of the handling unit is never refused for its unit;
//! - a refused command leaves the case exactly as it was.
//!
//! The model is the organisation tree and the case's handling record, read through the JSON
//! API before each command; nothing of the engine's own checks is reused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use civicflow::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};

const SCENARIO: &str = include_str!("../../tests/scenarios/42_cohandling_supervision_outbox.json");
const ROLES: [&str; 5] = ["handler", "clerk", "dispatcher", "supervisor", "citizen"];
const T0: i64 = 1_767_578_400_000;

/// The organisation of scenario 42 (its first step loads it).
fn org() -> &'static Value {
    static ORG: OnceLock<Value> = OnceLock::new();
    ORG.get_or_init(|| {
        let s: Value = serde_json::from_str(SCENARIO).unwrap();
        s["steps"][0]["request"]["org"].clone()
    })
}

fn units() -> Vec<String> {
    org()["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each unit's parent.
fn parents() -> BTreeMap<String, String> {
    org()["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| {
            let parent = u["parent"].as_str()?;
            Some((u["id"].as_str()?.to_owned(), parent.to_owned()))
        })
        .collect()
}

fn is_strict_ancestor(parents: &BTreeMap<String, String>, upper: &str, unit: &str) -> bool {
    let mut at = parents.get(unit);
    while let Some(u) = at {
        if u == upper {
            return true;
        }
        at = parents.get(u);
    }
    false
}

fn call(engine: &mut Engine, request: Value) -> Value {
    engine.answer_json(request)
}

/// An engine with the township case T-1 opened, accepted and dispatched to its unit.
fn base() -> &'static Engine {
    static BASE: OnceLock<Engine> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut e = Engine::new();
        let cal: Value =
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
        let wf: Value =
            serde_json::from_str(include_str!("../../templates/township.json")).unwrap();
        for req in [
            json!({"op": "load_calendar", "calendar": cal}),
            json!({"op": "load_workflow", "definition": wf}),
            json!({"op": "load_org", "org": org()}),
            json!({"op": "open_case", "workflow": "township", "case_id": "T-1", "channel": "wechat",
                   "at": T0, "actor": {"id": "clerk-1", "roles": ["clerk"], "unit": "town"},
                   "fields": {"category": "environment", "citizen_name": "李四",
                              "citizen_phone": "13900001111", "region": "dongcun",
                              "summary": "路灯不亮"}}),
            json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": T0 + 1,
                   "actor": {"id": "clerk-1", "roles": ["clerk"], "unit": "town"}}),
            json!({"op": "apply", "case_id": "T-1", "transition": "dispatch", "at": T0 + 2,
                   "actor": {"id": "disp-1", "roles": ["dispatcher"], "unit": "town"}}),
        ] {
            let answer = call(&mut e, req.clone());
            assert_eq!(answer["ok"], true, "{req}: {answer}");
        }
        e
    })
}

#[derive(Clone, Debug)]
enum Cmd {
    Apply { transition: &'static str },
    Supervise,
    Opinion,
}

/// Transitions a township case can take once dispatched, with the payload each requires.
const MOVES: [&str; 10] = [
    "sign",
    "return_case",
    "ask_assist",
    "request_info",
    "reply",
    "transfer",
    "supplement",
    "callback",
    "close",
    "reopen",
];

fn payload(transition: &str, unit: &str) -> Value {
    match transition {
        "return_case" => json!({"reason": "不属本单位"}),
        "ask_assist" => json!({"assisting_units": [unit]}),
        "request_info" => json!({"info_request": "请补充地址"}),
        "reply" => json!({"reply_text": "已处理"}),
        "transfer" => json!({"handling_unit": unit, "reason": "职责调整"}),
        "supplement" => json!({"supplement": "地址在东村"}),
        "callback" => json!({"cb_contacted": true, "cb_solved": true}),
        "reopen" => json!({"redo_reason": "未解决"}),
        _ => json!({}),
    }
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        6 => (0..MOVES.len()).prop_map(|i| Cmd::Apply { transition: MOVES[i] }),
        1 => Just(Cmd::Supervise),
        1 => Just(Cmd::Opinion),
    ]
}

/// The actor's unit: the case's handling unit (half the time, so that the handling unit's
/// own moves are exercised), any unit of the organisation, or none.
#[derive(Clone, Debug)]
enum Pick {
    Handling,
    Unit(usize),
    NoUnit,
}

/// A command: what, by which role, from which unit, and the unit a payload names.
type Step = (Cmd, usize, Pick, usize);

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let n = units().len();
    let pick = prop_oneof![
        4 => Just(Pick::Handling),
        4 => (0..n).prop_map(Pick::Unit),
        1 => Just(Pick::NoUnit),
    ];
    let role = prop_oneof![3 => Just(0usize), 2 => 1..ROLES.len()];
    prop::collection::vec((cmd(), role, pick, 0..n), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn no_actor_acts_outside_its_units(steps in steps()) {
        let units = units();
        let parents = parents();
        let mut engine = base().clone();
        for (k, (cmd, role, unit, named)) in steps.into_iter().enumerate() {
            let case = call(&mut engine, json!({"op": "get_case", "case_id": "T-1"}))["result"].clone();
            let history = call(&mut engine, json!({"op": "history", "case_id": "T-1"}))["result"].clone();
            let handling = case["handling"]["unit"].as_str().map(str::to_owned);
            let role = ROLES[role];
            let unit = match unit {
                Pick::Handling => handling.clone(),
                Pick::Unit(i) => Some(units[i].clone()),
                Pick::NoUnit => None,
            };
            let mut actor = json!({"id": format!("{role}-{}", unit.as_deref().unwrap_or("none")), "roles": [role]});
            if let Some(u) = &unit {
                actor["unit"] = json!(u);
            }
            let at = T0 + 3 + k as i64 * 60_000;
            let request = match &cmd {
                Cmd::Apply { transition } => {
                    json!({"op": "apply", "case_id": "T-1", "transition": transition, "actor": actor,
                           "at": at, "payload": payload(transition, &units[named])})
                }
                Cmd::Supervise => json!({"op": "supervise", "case_id": "T-1", "actor": actor, "at": at,
                                         "level": "reminder", "required": "说明进度"}),
                Cmd::Opinion => json!({"op": "submit_opinion", "case_id": "T-1", "actor": actor, "at": at,
                                       "opinion": "同意"}),
            };
            let answer = call(&mut engine, request.clone());
            let same = |u: &Option<String>| u.is_some() && *u == handling;
            if answer["ok"] == true {
                match &cmd {
                    Cmd::Apply { .. } if role == "handler" => prop_assert!(
                        same(&unit),
                        "a handler of {unit:?} acted on a case handled by {handling:?}: {request}"
                    ),
                    Cmd::Apply { .. } => {}
                    Cmd::Supervise => prop_assert!(
                        matches!((&unit, &handling), (Some(u), Some(h)) if is_strict_ancestor(&parents, u, h)),
                        "{unit:?} supervised a case handled by {handling:?}"
                    ),
                    Cmd::Opinion => {
                        let asked = case["handling"]["assisting"].as_array().into_iter().flatten().any(|a| {
                            a["unit"].as_str() == unit.as_deref() && a.get("answered_at").is_none()
                        });
                        prop_assert!(asked, "{unit:?} gave an opinion it was not asked for: {case}");
                    }
                }
            } else {
                let code = answer["errors"][0]["code"].as_str().unwrap().to_owned();
                if role == "handler" && same(&unit) {
                    prop_assert!(
                        code != "case.not_lead_unit" && code != "case.guard_failed",
                        "the handling unit's handler was refused for its unit: {answer}"
                    );
                }
                let after = call(&mut engine, json!({"op": "get_case", "case_id": "T-1"}))["result"].clone();
                let history_after = call(&mut engine, json!({"op": "history", "case_id": "T-1"}))["result"].clone();
                prop_assert_eq!(&after, &case, "a refusal ({}) changed the case", code);
                prop_assert_eq!(&history_after, &history);
            }
        }
    }
}

//! SLA invariants: a pause never makes a deadline earlier, nor does an extension.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::{Actor, Command, Duration, Engine, Opening, Values, WorkflowDef};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const T0: i64 = 1_765_000_000_000; // 2025-12-06

fn engine() -> Engine {
    let mut e = Engine::new();
    e.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
    e.load_workflow(def).unwrap();
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../templates/xinfang-2022.json")).unwrap();
    e.load_workflow(def).unwrap();
    e
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn apply(e: &mut Engine, id: &str, t: &str, who: &Actor, payload: Value, at: i64) {
    let p = map(payload);
    e.apply(
        id,
        &Command {
            transition: t,
            actor: who,
            payload: Values::Json(&p),
            at,
        },
    )
    .unwrap();
}

fn due_at(e: &Engine, id: &str, sla: &str, now: i64) -> i64 {
    e.sla_status(id, now)
        .unwrap()
        .into_iter()
        .find(|c| c.sla == sla)
        .unwrap()
        .due_at
        .unwrap()
}

/// A 12345 order being handled, opened at `T0 + offset`.
fn handling_order(e: &mut Engine, id: &str, category: &str, offset: i64) -> i64 {
    let op = Actor::new("op", &["operator"]);
    let fields = map(
        json!({"summary": "s", "category": category, "citizen_name": "n", "citizen_phone": "1"}),
    );
    let at = T0 + offset;
    e.open_case(
        "hotline-12345",
        None,
        &Opening {
            case_id: id,
            channel: "app",
            fields: Values::Json(&fields),
            actor: &op,
            at,
            keys: None,
        },
    )
    .unwrap();
    apply(e, id, "accept", &op, json!({}), at + 1000);
    apply(
        e,
        id,
        "dispatch",
        &Actor::new("d", &["dispatcher"]),
        json!({"assigned_unit": "u"}),
        at + 2000,
    );
    let mut h = Actor::new("h", &["handler"]);
    h.unit = Some("u".into());
    apply(e, id, "sign", &h, json!({}), at + 3000);
    at + 3000
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_pause_never_makes_a_deadline_earlier(
        offset in 0i64..400 * 86_400_000,
        category in prop_oneof![Just("municipal"), Just("housing")],
        pauses in proptest::collection::vec((1i64..5 * 86_400_000, 1i64..5 * 86_400_000), 0..4),
    ) {
        let mut e = engine();
        let start = handling_order(&mut e, "paused", category, offset);
        handling_order(&mut e, "steady", category, offset);
        let mut h = Actor::new("h", &["handler"]);
        h.unit = Some("u".into());
        let citizen = Actor::new("c", &["citizen"]);
        let mut now = start;
        let mut last = due_at(&e, "paused", "handling", now);
        prop_assert_eq!(last, due_at(&e, "steady", "handling", now));
        for (gap, length) in pauses {
            now += gap;
            apply(&mut e, "paused", "request_info", &h, json!({"info_request": "x"}), now);
            now += length;
            apply(&mut e, "paused", "supplement", &citizen, json!({"supplement": "y"}), now);
            let d = due_at(&e, "paused", "handling", now);
            prop_assert!(d >= last, "a pause moved the deadline from {} to {}", last, d);
            last = d;
        }
        prop_assert!(last >= due_at(&e, "steady", "handling", now));
    }

    #[test]
    fn an_extension_never_makes_a_deadline_earlier(offset in 0i64..300 * 86_400_000, days in 1i64..=30, when in 0i64..50 * 86_400_000) {
        let mut e = engine();
        let reg = Actor::new("r", &["registrar"]);
        let mut h = Actor::new("h", &["agency_handler"]);
        h.unit = Some("a".into());
        let fields = map(json!({"subject": "s", "content": "c", "matter_type": "request", "petitioner_name": "p"}));
        let at = T0 + offset;
        e.open_case("xinfang-2022", None, &Opening { case_id: "X", channel: "web", fields: Values::Json(&fields), actor: &reg, at, keys: None }).unwrap();
        apply(&mut e, "X", "route", &reg, json!({"agency": "a"}), at + 1000);
        apply(&mut e, "X", "accept", &h, json!({}), at + 2000);
        let before = due_at(&e, "X", "handling", at + 2000);
        let head = Actor::new("head", &["head"]);
        e.extend("X", "handling", &head, Duration::NaturalDays { days, roll_forward: false }, "理由", at + 2000 + when).unwrap();
        let after = due_at(&e, "X", "handling", at + 2000 + when);
        prop_assert!(after >= before);
        prop_assert_eq!(after - before, days * 86_400_000, "natural days extend by whole days");
    }
}

//! Example tests of the typed Rust API, for documented behaviour the JSON scenarios do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/common/mod.rs"]
mod common;

use civicflow::{
    Actor, Command, Engine, GraphFormat, Limits, Opening, Value, Values, Workflow, WorkflowDef,
};
use serde_json::json;

fn def(value: serde_json::Value) -> WorkflowDef {
    serde_json::from_value(value).unwrap()
}

/// A two-state workflow whose `go` transition has the given guard.
fn guarded(guard: serde_json::Value) -> WorkflowDef {
    def(json!({
        "format": 1, "id": "g", "version": 1, "title": "g",
        "fields": [
            {"id": "n", "title": "n", "type": "number"},
            {"id": "s", "title": "s", "type": "string"},
            {"id": "when", "title": "when", "type": "datetime"}
        ],
        "roles": [{"id": "clerk", "title": "clerk"}, {"id": "chief", "title": "chief"}],
        "states": [{"id": "a", "title": "a", "initial": true}, {"id": "b", "title": "b", "terminal": true}],
        "transitions": [{"id": "go", "title": "go", "from": ["a"], "to": "b", "roles": ["clerk", "chief"], "guard": guard}]
    }))
}

fn open_with(engine: &mut Engine, fields: &[(String, Value)]) {
    let clerk = Actor::new("c", &["clerk"]);
    let opening = Opening {
        case_id: "X",
        channel: "web",
        fields: Values::Typed(fields),
        actor: &clerk,
        at: 0,
        keys: None,
    };
    engine.open_case("g", None, &opening).unwrap();
}

fn can_go(guard: serde_json::Value, fields: &[(String, Value)], actor: &Actor) -> bool {
    let mut engine = Engine::new();
    engine.load_workflow(guarded(guard)).unwrap();
    open_with(&mut engine, fields);
    let cmd = Command {
        transition: "go",
        actor,
        payload: Values::NONE,
        at: 1,
    };
    match engine.apply("X", &cmd) {
        Ok(_) => true,
        Err(e) => {
            assert_eq!(e.code(), "case.guard_failed");
            false
        }
    }
}

#[test]
fn comparisons_with_a_missing_field_are_false_even_ne() {
    let clerk = Actor::new("c", &["clerk"]);
    let ne = json!({"ne": [{"field": "s"}, {"value": "x"}]});
    assert!(!can_go(ne.clone(), &[], &clerk));
    assert!(can_go(ne, &[("s".into(), Value::Str("y".into()))], &clerk));
    // `not eq` is how a guard also accepts a missing field.
    let not_eq = json!({"not": {"eq": [{"field": "s"}, {"value": "x"}]}});
    assert!(can_go(not_eq, &[], &clerk));
    assert!(!can_go(json!({"exists": {"field": "n"}}), &[], &clerk));
}

#[test]
fn guards_compare_numbers_datetimes_and_roles() {
    let clerk = Actor::new("c", &["clerk"]);
    let chief = Actor::new("h", &["chief"]);
    let fields = [
        ("n".to_owned(), Value::Num(2.5)),
        ("when".to_owned(), Value::Time(1_000)),
    ];
    assert!(can_go(
        json!({"gt": [{"field": "n"}, {"value": 2}]}),
        &fields,
        &clerk
    ));
    assert!(!can_go(
        json!({"lt": [{"field": "n"}, {"value": 2.5}]}),
        &fields,
        &clerk
    ));
    assert!(can_go(
        json!({"lt": [{"field": "when"}, {"value": 1001}]}),
        &fields,
        &clerk
    ));
    let chief_only = json!({"in": [{"value": "chief"}, {"actor": "roles"}]});
    assert!(can_go(chief_only.clone(), &[], &chief));
    assert!(!can_go(chief_only, &[], &clerk));
    assert!(can_go(
        json!({"eq": [{"actor": "id"}, {"value": "h"}]}),
        &[],
        &chief
    ));
    assert!(!can_go(json!({"any": []}), &[], &clerk));
    assert!(can_go(json!({"all": []}), &[], &clerk));
}

#[test]
fn typed_values_are_checked_and_the_last_duplicate_wins() {
    let mut engine = Engine::new();
    engine.load_workflow(guarded(json!({"all": []}))).unwrap();
    let clerk = Actor::new("c", &["clerk"]);
    let wrong = [("n".to_owned(), Value::Str("two".into()))];
    let opening = Opening {
        case_id: "X",
        channel: "web",
        fields: Values::Typed(&wrong),
        actor: &clerk,
        at: 0,
        keys: None,
    };
    let err = engine.open_case("g", None, &opening).unwrap_err();
    assert_eq!(err.code(), "case.field_type");
    assert_eq!(engine.case_count(), 0);
    let nan = [("n".to_owned(), Value::Num(f64::NAN))];
    let opening = Opening {
        fields: Values::Typed(&nan),
        ..opening
    };
    assert_eq!(
        engine.open_case("g", None, &opening).unwrap_err().code(),
        "case.invalid_value"
    );
    let twice = [
        ("n".to_owned(), Value::Num(1.0)),
        ("n".to_owned(), Value::Num(2.0)),
    ];
    let opening = Opening {
        fields: Values::Typed(&twice),
        ..opening
    };
    let case = engine.open_case("g", None, &opening).unwrap();
    assert_eq!(case.field("n"), Some(&Value::Num(2.0)));
}

#[test]
fn a_refused_command_leaves_the_serialized_case_identical() {
    let mut engine = Engine::new();
    engine
        .load_workflow(guarded(json!({"eq": [{"field": "s"}, {"value": "ok"}]})))
        .unwrap();
    open_with(&mut engine, &[]);
    let before = serde_json::to_string(&(
        engine.case("X").unwrap().view(),
        engine.history("X").unwrap(),
    ))
    .unwrap();
    let clerk = Actor::new("c", &["clerk"]);
    for (transition, at) in [("go", 5), ("nope", 5), ("go", -1)] {
        let cmd = Command {
            transition,
            actor: &clerk,
            payload: Values::NONE,
            at,
        };
        assert!(engine.apply("X", &cmd).is_err());
        let after = serde_json::to_string(&(
            engine.case("X").unwrap().view(),
            engine.history("X").unwrap(),
        ))
        .unwrap();
        assert_eq!(before, after);
    }
}

#[test]
fn more_than_64_roles_is_refused_before_anything_else() {
    let roles: Vec<_> = (0..65)
        .map(|i| json!({"id": format!("r{i}"), "title": "r"}))
        .collect();
    let mut d = guarded(json!({"all": []}));
    d.roles = serde_json::from_value(json!(roles)).unwrap();
    let err = Workflow::compile(d).unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].error.code(), "definition.too_many");
    assert_eq!(err.errors[0].path, "/roles");
}

#[test]
fn a_thousand_states_load_and_one_more_does_not() {
    let chain = |n: usize| {
        let states: Vec<_> = (0..n)
            .map(|i| json!({"id": format!("s{i}"), "title": "s", "initial": i == 0, "terminal": i == n - 1}))
            .collect();
        let transitions: Vec<_> = (1..n)
            .map(|i| json!({"id": format!("t{i}"), "title": "t", "from": [format!("s{}", i - 1)], "to": format!("s{i}"), "roles": ["r"]}))
            .collect();
        def(
            json!({"format": 1, "id": "chain", "version": 1, "title": "chain",
            "roles": [{"id": "r", "title": "r"}], "states": states, "transitions": transitions}),
        )
    };
    let ok = Workflow::compile(chain(1000)).unwrap();
    let mut engine = Engine::new();
    engine
        .load_workflow(ok.workflow.definition().clone())
        .unwrap();
    let path = engine.shortest_path("chain", None, None).unwrap();
    assert_eq!(path.steps.len(), 999);
    assert_eq!(path.to, "s999");
    let err = Workflow::compile(chain(1001)).unwrap_err();
    assert_eq!(err.errors[0].error.code(), "definition.too_many");
}

#[test]
fn a_case_keeps_its_version_and_the_graph_shows_its_state() {
    let mut engine = Engine::new();
    engine.load_workflow(guarded(json!({"all": []}))).unwrap();
    open_with(&mut engine, &[]);
    let mut v2 = guarded(json!({"any": []}));
    v2.version = 2;
    engine.load_workflow(v2).unwrap();
    assert_eq!(engine.case("X").unwrap().workflow().version(), 1);
    // Version 1's guard still applies to the case, not version 2's.
    let clerk = Actor::new("c", &["clerk"]);
    let cmd = Command {
        transition: "go",
        actor: &clerk,
        payload: Values::NONE,
        at: 1,
    };
    assert_eq!(engine.apply("X", &cmd).unwrap().state(), "b");
    let dot = engine
        .export_graph("", None, GraphFormat::Dot, Some("X"))
        .unwrap();
    assert!(dot.contains("digraph \"g@1\""));
    assert!(dot.contains("\"b\" [label=\"b\", peripheries=2, style=\"rounded,filled\""));
}

#[test]
fn replies_carry_the_status_a_binding_reports_and_refusals_change_nothing() {
    use civicflow::{Limits, ReplyStatus};
    let mut engine = Engine::new();
    engine
        .load_workflow(guarded(json!({"exists": {"field": "n"}})))
        .unwrap();
    let open = br#"{"op":"open_case","case_id":"X","workflow":"g","channel":"web","actor":{"id":"c","roles":["clerk"]},"at":0}"#;
    assert_eq!(engine.reply_bytes(open).status, ReplyStatus::Ok);
    let before = engine.answer_str(r#"{"op":"snapshot"}"#);
    let cases: [(&[u8], ReplyStatus, &str); 5] = [
        (
            b"{\"op\": \"get_case\", \"case_id\": \"\xff\"}",
            ReplyStatus::InvalidUtf8,
            "request.invalid_utf8",
        ),
        (
            b"{\"op\": ",
            ReplyStatus::InvalidJson,
            "request.invalid_json",
        ),
        (
            br#"{"op": "fly"}"#,
            ReplyStatus::InvalidRequest,
            "request.invalid",
        ),
        (
            br#"{"op": "get_case", "case_id": "nope"}"#,
            ReplyStatus::Rejected,
            "case.not_found",
        ),
        (&[b' '; 100], ReplyStatus::TooLarge, "request.too_large"),
    ];
    engine.set_limits(Limits {
        max_request_bytes: 99,
        ..Limits::default()
    });
    for (bytes, status, code) in cases {
        let reply = engine.reply_bytes(bytes);
        assert_eq!(reply.status, status, "{}", reply.text);
        assert_eq!(reply.first_error.as_ref().unwrap().code, code);
        let answer: serde_json::Value = serde_json::from_str(&reply.text).unwrap();
        assert_eq!(answer["errors"][0]["code"], code);
        assert_eq!(answer["ok"], false);
    }
    let utf8 = engine.reply_bytes(b"{\"op\": \"get_case\", \"case_id\": \"\xff\"}");
    assert_eq!(
        utf8.first_error.unwrap().message,
        "request is not valid UTF-8: the bytes from offset 31 on are not"
    );
    engine.set_limits(Limits::default());
    // A request.invalid from inside a well-formed request is still reported as one.
    let restore = engine.reply_bytes(br#"{"op": "restore", "snapshot": {"format": "x"}}"#);
    assert_eq!(restore.first_error.unwrap().code, "request.invalid");
    assert_eq!(restore.status, ReplyStatus::InvalidRequest);
    assert_eq!(engine.answer_str(r#"{"op":"snapshot"}"#), before);
}

#[test]
fn a_typed_request_is_answered_as_its_json_form() {
    use civicflow::{DueRequest, Request};
    let mut engine = Engine::new();
    let typed = engine.reply(Request::Due(DueRequest {
        now: 5,
        limit: Some(3),
    }));
    let text = engine.reply_bytes(br#"{"op": "due", "now": 5, "limit": 3}"#);
    assert_eq!(typed, text);
    assert_eq!(typed.text, r#"{"ok":true,"result":{"now":5,"timers":[]}}"#);
}

/// Hashes are computed lazily on the typed path: an engine driven through `Engine::apply` and
/// one driven through the JSON ops must show the same history, hashes and head, also when the
/// two kinds of call are mixed on one case.
#[test]
fn typed_and_json_commands_give_the_same_hash_chain() {
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../bench/workload/petition.json")).unwrap();
    // The first six steps of the petition bench's path.
    let path = common::PATH.iter().take(6);
    let mut typed = Engine::new();
    let mut json_ops = Engine::new();
    let mut mixed = Engine::new();
    for e in [&mut typed, &mut json_ops, &mut mixed] {
        e.load_workflow(def.clone()).unwrap();
    }
    let clerk = Actor::new("u-0", &["clerk"]);
    let opening = Opening {
        case_id: "c-1",
        channel: "web",
        fields: Values::NONE,
        actor: &clerk,
        at: 0,
        keys: None,
    };
    typed.open_case("petition", None, &opening).unwrap();
    mixed.open_case("petition", None, &opening).unwrap();
    json_ops.answer_str(r#"{"op":"open_case","case_id":"c-1","workflow":"petition","channel":"web","actor":{"id":"u-0","roles":["clerk"]},"at":0}"#);
    for (i, (t, role)) in path.enumerate() {
        let actor = Actor::new(format!("u-{i}"), &[role]);
        let at = i as i64 + 1;
        let cmd = Command {
            transition: t,
            actor: &actor,
            payload: Values::NONE,
            at,
        };
        typed.apply("c-1", &cmd).unwrap();
        let request = json!({"op": "apply", "case_id": "c-1", "transition": t,
            "actor": {"id": actor.id, "roles": [role]}, "at": at})
        .to_string();
        assert!(json_ops.answer_str(&request).contains(r#""ok":true"#));
        if i % 2 == 0 {
            mixed.apply("c-1", &cmd).unwrap();
        } else {
            assert!(mixed.answer_str(&request).contains(r#""ok":true"#));
        }
    }
    let history = |e: &mut Engine| e.answer_str(r#"{"op":"history","case_id":"c-1"}"#);
    let expected = history(&mut json_ops);
    assert!(expected.contains(r#""head":""#));
    assert_eq!(history(&mut typed), expected);
    assert_eq!(history(&mut mixed), expected);
    let case = typed.case("c-1").unwrap();
    assert_eq!(case.history(3), json_ops.case("c-1").unwrap().history(3));
    assert_eq!(case.head(), json_ops.case("c-1").unwrap().head());
}

#[test]
fn the_engine_reads_back_a_case_its_timers_took_past_the_history_limit() {
    let mut engine = Engine::new();
    let calendar = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    engine.load_calendar(calendar).unwrap();
    let text = include_str!("../../bench/workload/petition-sla.json");
    engine
        .load_workflow(serde_json::from_str(text).unwrap())
        .unwrap();
    engine.set_limits(Limits {
        max_history_events: 2,
        ..Limits::default()
    });
    let clerk = Actor::new("c1", &["clerk"]);
    let t0 = 1_767_225_600_000;
    let opening = Opening {
        case_id: "P-1",
        channel: "web",
        fields: Values::NONE,
        actor: &clerk,
        at: t0,
        keys: None,
    };
    engine.open_case("petition-sla", None, &opening).unwrap();
    let accept = |at| Command {
        transition: "ACCEPT",
        actor: &clerk,
        payload: Values::NONE,
        at,
    };
    engine.apply("P-1", &accept(t0 + 1)).unwrap();
    let full = engine.apply("P-1", &accept(t0 + 2)).unwrap_err();
    assert_eq!(full.code(), "case.history_full");
    // The handling clock warns and breaches all the same: deadlines are never lost to a limit.
    let fired = engine.fire_due(t0 + 400 * 86_400_000);
    assert!(!fired.is_empty());
    let history = engine.history("P-1").unwrap();
    assert!(history.len() > 2, "{}", history.len());
    // What the engine wrote, it reads back.
    engine.replay(&history).unwrap();
    let snapshot = engine.snapshot();
    let mut again = Engine::with_limits(engine.limits().clone());
    again.restore(snapshot.clone()).unwrap();
    assert_eq!(again.snapshot(), snapshot);
}

#[test]
fn typed_limits_above_a_ceiling_are_taken_as_the_ceiling() {
    let engine = Engine::with_limits(Limits {
        max_roles: 1000,
        max_depth: 10_000,
        ..Limits::default()
    });
    assert_eq!(engine.limits().max_roles, 64);
    assert_eq!(engine.limits().max_depth, 100);
}

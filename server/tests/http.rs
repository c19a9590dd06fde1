//! `civicflow serve` over HTTP: every op of the JSON API through `POST /v1`; the refusals of
//! authentication, bad JSON, huge bodies, unknown ops and wrong content types, each with its
//! code and nothing changed; retries with an `Idempotency-Key`; health, readiness and metrics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

fn township_server(name: &str) -> (Setup, Server) {
    let setup = Setup::new(name, "");
    let database = format!("sqlite:{}/civicflow.db", setup.dir.0.display());
    load_township(&database);
    let server = Server::start(
        &database,
        &setup.config(),
        &["--no-jobs", "--workers", "2"],
        &[],
    );
    (setup, server)
}

/// Monday 2026-01-05 09:00 +08:00.
const T0: i64 = 1_767_574_800_000;

fn open(id: &str) -> Value {
    json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": "wechat", "at": T0,
           "fields": {"summary": "东村村口路灯不亮", "category": "municipal", "region": "dongcun",
                      "citizen_name": "张伟", "citizen_phone": "13800001234"},
           "keys": {"citizen": "c-1", "matter": "m-1"}})
}

#[test]
fn refusals_have_their_status_and_code_and_change_nothing() {
    let (setup, server) = township_server("refusals");
    let clerk = setup.token("clerk");
    assert_eq!(server.call(clerk, &open("T-1")).0, 200);
    let before = check(&server.database);
    let v1 = format!("{}/v1", server.url);
    let auth = format!("Bearer {clerk}");
    let json_type = ("Content-Type", "application/json");
    let cases: Vec<(u16, &str, (u16, String))> = vec![
        (
            401,
            "auth.missing_token",
            post_raw(&v1, &[json_type], open("T-2").to_string().into_bytes()),
        ),
        (
            401,
            "auth.unknown_token",
            post_raw(
                &v1,
                &[json_type, ("Authorization", "Bearer cf_0000")],
                open("T-2").to_string().into_bytes(),
            ),
        ),
        (
            415,
            "http.unsupported_media_type",
            post_raw(
                &v1,
                &[("Content-Type", "text/plain"), ("Authorization", &auth)],
                open("T-2").to_string().into_bytes(),
            ),
        ),
        (
            400,
            "request.invalid_json",
            post_raw(
                &v1,
                &[json_type, ("Authorization", &auth)],
                b"{\"op\": \"get_case\",".to_vec(),
            ),
        ),
        (
            400,
            "request.invalid_utf8",
            post_raw(
                &v1,
                &[json_type, ("Authorization", &auth)],
                b"{\"op\": \"\xff\"}".to_vec(),
            ),
        ),
        (
            400,
            "request.duplicate_key",
            post_raw(
                &v1,
                &[json_type, ("Authorization", &auth)],
                br#"{"op": "get_case", "case_id": "T-1", "case_id": "T-2"}"#.to_vec(),
            ),
        ),
        (
            413,
            "request.too_large",
            post_raw(
                &v1,
                &[json_type, ("Authorization", &auth)],
                vec![b' '; civicflow::Limits::default().max_request_bytes + 1],
            ),
        ),
        (400, "request.invalid", {
            let (s, v) = server.call(clerk, &json!({"op": "drop_everything"}));
            (s, v.to_string())
        }),
        (400, "store.op_not_served", {
            let (s, v) = server.call(setup.token("admin"), &json!({"op": "snapshot"}));
            (s, v.to_string())
        }),
        (403, "auth.impersonation", {
            let request = json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": T0 + 1000,
                                 "actor": {"id": "sup-01", "roles": ["supervisor"], "unit": "town"}});
            let (s, v) = server.call(clerk, &request);
            (s, v.to_string())
        }),
        (403, "auth.admin_only", {
            let request = json!({"op": "load_workflow", "definition": {}});
            let (s, v) = server.call(clerk, &request);
            (s, v.to_string())
        }),
        (400, "http.idempotency_conflict", {
            let request =
                json!({"op": "apply", "case_id": "T-1", "transition": "accept", "request_id": "a"});
            let (s, v) = server.call_with_key(clerk, &request, "b");
            (s, v.to_string())
        }),
        (403, "case.role_not_allowed", {
            let request =
                json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": T0 + 1000});
            let (s, v) = server.call(setup.token("handler"), &request);
            (s, v.to_string())
        }),
        (404, "case.not_found", {
            let (s, v) = server.call(clerk, &json!({"op": "get_case", "case_id": "T-404"}));
            (s, v.to_string())
        }),
        (409, "case.already_exists", {
            let (s, v) = server.call(clerk, &open("T-1"));
            (s, v.to_string())
        }),
        (409, "case.seq_mismatch", {
            let request = json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": T0 + 1000, "expected_seq": 7});
            let (s, v) = server.call(clerk, &request);
            (s, v.to_string())
        }),
        (405, "http.method_not_allowed", get(&v1)),
        (404, "http.not_found", get(&format!("{}/v2", server.url))),
    ];
    for (status, code, (got_status, body)) in cases {
        let body: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{code}: {body}"));
        assert_eq!(
            (got_status, body["errors"][0]["code"].as_str()),
            (status, Some(code)),
            "{body}"
        );
        assert_eq!(body["ok"], false);
    }
    assert_eq!(
        check(&server.database),
        before,
        "a refusal changed the store"
    );
}

#[test]
fn retries_with_the_same_key_are_answered_once() {
    let (setup, server) = township_server("retries");
    let clerk = setup.token("clerk");
    let (status, first) = server.call_with_key(clerk, &open("T-1"), "intake-1");
    assert_eq!(status, 200, "{first}");
    let (status, again) = server.call_with_key(clerk, &open("T-1"), "intake-1");
    assert_eq!(
        (status, &again["result"]["duplicate"]),
        (200, &json!(true)),
        "{again}"
    );
    assert_eq!(again["result"]["events"], first["result"]["events"]);
    let accept =
        json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": T0 + 60_000});
    let (_, accepted) = server.call_with_key(clerk, &accept, "accept-1");
    for _ in 0..3 {
        let (status, again) = server.call_with_key(clerk, &accept, "accept-1");
        assert_eq!((status, &again["result"]["duplicate"]), (200, &json!(true)));
        assert_eq!(again["result"]["events"], accepted["result"]["events"]);
    }
    let (_, history) = server.call(clerk, &json!({"op": "history", "case_id": "T-1"}));
    assert_eq!(
        history["result"]["events"].as_array().unwrap().len(),
        2,
        "{history}"
    );
}

/// One request per op of the JSON API: the ops the store answers succeed, the ones it keeps to
/// itself are `store.op_not_served`, and none is a server error.
#[test]
fn every_op_goes_through_post_v1() {
    let (setup, server) = township_server("ops");
    let (admin, clerk, disp, handler, sup) = (
        setup.token("admin"),
        setup.token("clerk"),
        setup.token("dispatcher"),
        setup.token("handler"),
        setup.token("supervisor"),
    );
    let def: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/templates/township.json")).unwrap(),
    )
    .unwrap();
    let mut v2 = def.clone();
    v2["version"] = json!(def["version"].as_u64().unwrap() + 1);
    let calendar: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let org: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/orgs/qingshan.json")).unwrap(),
    )
    .unwrap();
    let t = |minutes: i64| T0 + minutes * 60_000;
    let mut second = open("T-2");
    second["keys"] = json!({"citizen": "c-2", "matter": "m-2"});
    let served: Vec<(&str, &str, Value)> = vec![
        (
            admin,
            "load_workflow",
            json!({"op": "load_workflow", "definition": v2}),
        ),
        (
            clerk,
            "validate_workflow",
            json!({"op": "validate_workflow", "definition": def}),
        ),
        (clerk, "list_workflows", json!({"op": "list_workflows"})),
        (
            admin,
            "load_calendar",
            json!({"op": "load_calendar", "calendar": calendar}),
        ),
        (
            admin,
            "calendar_add",
            json!({"op": "calendar_add", "calendar": "cn-mainland", "year": 2027, "holidays": [], "workdays": []}),
        ),
        (admin, "load_org", json!({"op": "load_org", "org": org})),
        (clerk, "open_case", open("T-1")),
        (clerk, "open_case", second),
        (
            clerk,
            "get_case",
            json!({"op": "get_case", "case_id": "T-1"}),
        ),
        (
            clerk,
            "available_transitions",
            json!({"op": "available_transitions", "case_id": "T-1"}),
        ),
        (
            clerk,
            "apply",
            json!({"op": "apply", "case_id": "T-1", "transition": "accept", "at": t(5)}),
        ),
        (
            disp,
            "apply",
            json!({"op": "apply", "case_id": "T-1", "transition": "dispatch", "payload": {"handling_unit": "dongcun"}, "at": t(10)}),
        ),
        (
            handler,
            "apply",
            json!({"op": "apply", "case_id": "T-1", "transition": "sign", "at": t(15)}),
        ),
        (clerk, "history", json!({"op": "history", "case_id": "T-1"})),
        (
            clerk,
            "sla_status",
            json!({"op": "sla_status", "case_id": "T-1", "now": t(20)}),
        ),
        (
            clerk,
            "case_timers",
            json!({"op": "case_timers", "case_id": "T-1"}),
        ),
        (clerk, "due", json!({"op": "due", "now": t(100_000)})),
        (clerk, "next_due", json!({"op": "next_due"})),
        (
            clerk,
            "public_view",
            json!({"op": "public_view", "case_id": "T-1"}),
        ),
        (
            clerk,
            "export_graph",
            json!({"op": "export_graph", "workflow": "township", "format": "mermaid"}),
        ),
        (
            clerk,
            "shortest_path",
            json!({"op": "shortest_path", "workflow": "township", "from": "received"}),
        ),
        (
            clerk,
            "calendar_from_notice",
            json!({"op": "calendar_from_notice", "calendar": "cn-mainland",
                   "text": "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"}),
        ),
        (
            clerk,
            "calendar_between",
            json!({"op": "calendar_between", "calendar": "cn-mainland", "from": T0, "to": t(10_000)}),
        ),
        (
            clerk,
            "route",
            json!({"op": "route", "category": "municipal", "region": "dongcun"}),
        ),
        (
            clerk,
            "plan",
            json!({"op": "plan", "request": {"op": "get_case", "case_id": "T-1"}}),
        ),
        (clerk, "get_limits", json!({"op": "get_limits"})),
        (
            handler,
            "extend",
            json!({"op": "extend", "case_id": "T-1", "sla": "handling", "duration": {"working_days": 2}, "reason": "需要现场勘查", "at": t(30)}),
        ),
        (
            clerk,
            "link_cases",
            json!({"op": "link_cases", "case_id": "T-2", "primary": "T-1", "at": t(40)}),
        ),
        (
            sup,
            "supervise",
            json!({"op": "supervise", "case_id": "T-1", "level": "reminder", "required": "说明进度", "at": t(50)}),
        ),
        (
            handler,
            "answer_supervision",
            json!({"op": "answer_supervision", "case_id": "T-1", "supervision": 0, "answer": "已到现场", "at": t(60)}),
        ),
        (
            admin,
            "fire_due",
            json!({"op": "fire_due", "case_id": "T-1", "now": t(70)}),
        ),
        (
            admin,
            "follow_primary",
            json!({"op": "follow_primary", "case_id": "T-2", "at": t(80)}),
        ),
        (
            clerk,
            "verify_history",
            json!({"op": "verify_history", "events": []}),
        ),
        (clerk, "replay", json!({"op": "replay", "history": []})),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (token, op, request) in served {
        let (status, answer) = server.call(token, &request);
        assert!(status < 500, "{op}: {status} {answer}");
        seen.insert(op);
        let served_ok = !matches!(
            op,
            "verify_history"
                | "replay"
                | "follow_primary"
                | "submit_opinion"
                | "calendar_add"
                | "extend"
        );
        if served_ok {
            assert_eq!(
                (status, &answer["ok"]),
                (200, &json!(true)),
                "{op}: {answer}"
            );
        }
    }
    // next_due is the first of every stored timer.
    let (_, next) = server.call(clerk, &json!({"op": "next_due"}));
    let (_, all) = server.call(clerk, &json!({"op": "due", "now": i64::MAX, "limit": 1}));
    assert_eq!(
        next["result"]["timer"], all["result"]["timers"][0],
        "{next}"
    );
    assert!(next["result"]["timer"]["due_at"].is_i64(), "{next}");
    let (_, opinion) = server.call(
        handler,
        &json!({"op": "submit_opinion", "case_id": "T-1", "opinion": "同意", "at": t(90)}),
    );
    assert!(opinion["ok"].is_boolean());
    seen.insert("submit_opinion");
    for op in [
        "append_events",
        "unload_case",
        "archive_case",
        "snapshot",
        "restore",
        "drain_outbox",
        "ack_effects",
        "set_limits",
        "set_options",
        "get_options",
        "metrics",
        "list_cases",
    ] {
        let (status, answer) = server.call(admin, &json!({"op": op}));
        assert_eq!(
            (status, answer["errors"][0]["code"].as_str()),
            (400, Some("store.op_not_served")),
            "{op}"
        );
        seen.insert(op);
    }
    let missing: Vec<_> = civicflow::OPS
        .iter()
        .filter(|op| !seen.contains(*op))
        .collect();
    assert!(missing.is_empty(), "ops not sent: {missing:?}");
    // Health, readiness, metrics.
    assert_eq!(get(&format!("{}/health", server.url)).0, 200);
    let (status, ready) = get(&format!("{}/ready", server.url));
    assert!(
        status == 200 && ready.contains("\"definitions\""),
        "{ready}"
    );
    let (_, metrics) = get(&format!("{}/metrics", server.url));
    for line in [
        "civicflow_commands_total{op=\"apply\",outcome=\"ok\"} 3",
        "civicflow_database_up 1",
        "# TYPE civicflow_outbox_backlog gauge",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
}

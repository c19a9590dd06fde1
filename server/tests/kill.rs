//! Kill at every statement: a scripted run through open, link, apply, assist and opinions,
//! supervision, extend, a calendar change, timers, delivery, an appeal and archiving, first
//! without a fault (the golden run), then once for every statement k of the store, with the
//! server killed there (`CIVICFLOW_FAULT=kill:k`: an abort, as SIGKILL leaves things) or,
//! separately, with that statement failing. The client retries the request it got no answer to
//! with the same `Idempotency-Key` on a restarted server. After every run: the same answers,
//! the same histories as the golden run, every stored case sound (`civicflow check`), every
//! effect delivered at least once and none that should not be. On SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{json, Value};

const T0: i64 = 1_767_574_800_000;
const DAY: i64 = 24 * 3_600_000;

/// One step of the script: who sends what (`job:` steps run a job at that time).
fn script() -> Vec<(&'static str, Value)> {
    let t = |m: i64| T0 + m * 60_000;
    let open = |id: &str, m: i64, keys: Value| {
        json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": "wechat", "at": t(m),
               "fields": {"summary": "东村村口路灯不亮", "category": "municipal", "region": "dongcun",
                          "citizen_name": "张伟", "citizen_phone": "13800001234"}, "keys": keys})
    };
    let apply = |id: &str, transition: &str, payload: Value, m: i64| json!({"op": "apply", "case_id": id, "transition": transition, "payload": payload, "at": t(m)});
    let keys = json!({"citizen": "c-1", "matter": "m-1"});
    let mut calendar: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    calendar["holidays"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "临时停工", "date": "2026-01-08"}));
    vec![
        ("clerk", open("T-1", 0, keys.clone())),
        ("clerk", open("T-2", 1, keys)),
        ("clerk", apply("T-1", "accept", json!({}), 2)),
        (
            "dispatcher",
            apply("T-1", "dispatch", json!({"handling_unit": "dongcun"}), 3),
        ),
        ("handler", apply("T-1", "sign", json!({}), 4)),
        (
            "handler",
            apply(
                "T-1",
                "ask_assist",
                json!({"assisting_units": ["volunteers"]}),
                5,
            ),
        ),
        (
            "volunteer",
            json!({"op": "submit_opinion", "case_id": "T-1", "opinion": "同意", "at": t(6)}),
        ),
        (
            "supervisor",
            json!({"op": "supervise", "case_id": "T-1", "level": "reminder", "required": "说明进度", "at": t(7)}),
        ),
        (
            "handler",
            json!({"op": "answer_supervision", "case_id": "T-1", "supervision": 0, "answer": "已到现场", "at": t(8)}),
        ),
        (
            "registrar",
            json!({"op": "open_case", "workflow": "xinfang-2022", "case_id": "X-1", "channel": "letter", "at": t(9),
            "fields": {"subject": "征地补偿", "content": "补偿款未到位", "matter_type": "complaint", "petitioner_name": "李娜"}}),
        ),
        (
            "registrar",
            apply("X-1", "route", json!({"agency": "town"}), 10),
        ),
        ("agency", apply("X-1", "accept", json!({}), 11)),
        (
            "head",
            json!({"op": "extend", "case_id": "X-1", "sla": "handling", "duration": {"natural_days": 10}, "reason": "需要调查取证", "at": t(12)}),
        ),
        ("job:sweep", json!(T0 + 3 * DAY)),
        (
            "admin",
            json!({"op": "load_calendar", "calendar": calendar}),
        ),
        (
            "handler",
            apply("T-1", "reply", json!({"reply_text": "已更换灯泡"}), 5000),
        ),
        (
            "clerk",
            apply(
                "T-1",
                "callback",
                json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                5001,
            ),
        ),
        ("clerk", apply("T-1", "close", json!({}), 5002)),
        ("job:dispatch", json!(T0 + 4 * DAY)),
        (
            "clerk",
            json!({"op": "open_case", "workflow": "township", "case_id": "T-3", "channel": "web", "appeal_of": "T-1", "at": t(5003),
            "fields": {"summary": "对答复不满意", "category": "municipal", "region": "dongcun", "citizen_name": "张伟"}}),
        ),
        ("job:sweep", json!(T0 + 40 * DAY)),
        ("job:dispatch", json!(T0 + 41 * DAY)),
        ("job:dispatch", json!(T0 + 42 * DAY)),
        ("job:archive", json!(T0 + 43 * DAY)),
        ("clerk", json!({"op": "get_case", "case_id": "T-2"})),
    ]
}

/// Claims that a killed sweeper leaves behind delay their timers by the claim's lease (30 s by
/// default); with none, the retried sweep fires them at the same instant as the golden run.
const CONFIG: &str = "timer_claim_seconds = 0";

const CASES: [&str; 4] = ["T-1", "T-2", "T-3", "X-1"];

/// What a run leaves: the answers of the non-job steps, every case's history, the effects
/// delivered.
struct Outcome {
    answers: Vec<Value>,
    histories: Vec<Value>,
    delivered: Vec<String>,
    /// Times the server died or failed and the step was retried.
    retries: usize,
}

fn comparable(mut answer: Value) -> Value {
    if let Some(result) = answer.get_mut("result").and_then(Value::as_object_mut) {
        result.remove("duplicate");
    }
    answer
}

/// A new server in place of one that died (or failed), with no fault.
fn restart(mut server: Server, database: &str, setup: &Setup) -> Server {
    server.kill();
    Server::start(
        database,
        &setup.config(),
        &["--no-jobs", "--workers", "1"],
        &[],
    )
}

/// Runs the script on a fresh database, with `fault` armed in the first server.
fn run(database: &str, setup: &Setup, fault: Option<String>) -> Outcome {
    load_township(database);
    let env: Vec<(&str, &str)> = fault
        .iter()
        .map(|f| ("CIVICFLOW_FAULT", f.as_str()))
        .collect();
    let mut server = Server::start(
        database,
        &setup.config(),
        &["--no-jobs", "--workers", "1"],
        &env,
    );
    let mut outcome = Outcome {
        answers: Vec::new(),
        histories: Vec::new(),
        delivered: Vec::new(),
        retries: 0,
    };
    for (i, (who, request)) in script().into_iter().enumerate() {
        let key = format!("step-{i}");
        loop {
            let (status, answer) = match who.strip_prefix("job:") {
                Some(job) => server.job(setup.token("admin"), job, request.as_i64().unwrap()),
                None => server.call_with_key(setup.token(who), &request, &key),
            };
            if status == 0 || status == 503 {
                // No answer: the server died (or the statement failed). A new one, no fault.
                outcome.retries += 1;
                if status == 0 {
                    assert!(
                        server.exited() || {
                            std::thread::sleep(std::time::Duration::from_millis(200));
                            server.exited()
                        },
                        "no answer but the server lives: {}",
                        std::fs::read_to_string(&server.log).unwrap_or_default()
                    );
                }
                server = restart(server, database, setup);
                continue;
            }
            assert!(status < 500, "step {i}: {status} {answer}");
            if !who.starts_with("job:") {
                outcome.answers.push(comparable(answer));
            }
            break;
        }
    }
    // A dispatcher later than every lease: whatever a killed one had leased goes out now.
    for day in 100.. {
        // A day later each round: past the lease of any round a kill cut short.
        let (status, answer) = server.job(setup.token("admin"), "dispatch", T0 + day * DAY);
        if status == 0 || status == 503 {
            outcome.retries += 1;
            server = restart(server, database, setup);
        } else if answer["result"]["leased"] == 0 {
            break;
        }
    }
    for id in CASES {
        let (_, history) = server.call(
            setup.token("admin"),
            &json!({"op": "history", "case_id": id}),
        );
        outcome.histories.push(history);
    }
    check(database);
    outcome.delivered = setup.delivered();
    outcome
}

fn every_statement(kind: &str, fresh: &dyn Fn(&str) -> String, mode: &str) -> (usize, usize) {
    let golden_setup = Setup::new(&format!("kill-golden-{kind}"), CONFIG);
    let golden = run(&fresh(&format!("{mode}_golden")), &golden_setup, None);
    assert_eq!(golden.retries, 0);
    for answer in &golden.answers {
        assert_eq!(answer["ok"], true, "{answer}");
    }
    let effects: BTreeSet<String> = golden.delivered.iter().cloned().collect();
    assert!(effects.len() > 5, "{effects:?}");
    let mut faults = 0;
    let first: usize = std::env::var("CIVICFLOW_KILL_FROM")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(1);
    let setup = Setup::new(&format!("kill-{kind}-{mode}"), CONFIG);
    for k in first.. {
        // One configuration for every run; the sink's log starts empty each time.
        std::fs::write(setup.dir.0.join("effects.jsonl"), "").unwrap();
        let got = run(
            &fresh(&format!("{mode}_{k}")),
            &setup,
            Some(format!("{mode}:{k}")),
        );
        if got.retries == 0 {
            // The script ended before statement k: every statement was hit.
            return (k - 1, faults);
        }
        faults += got.retries;
        assert_eq!(
            got.answers, golden.answers,
            "{kind} {mode}:{k}: answers differ"
        );
        assert_eq!(
            got.histories, golden.histories,
            "{kind} {mode}:{k}: histories differ"
        );
        let delivered: BTreeSet<String> = got.delivered.iter().cloned().collect();
        assert_eq!(delivered, effects, "{kind} {mode}:{k}: effects delivered");
    }
    unreachable!()
}

#[test]
fn killed_at_every_statement_on_sqlite() {
    let dir = TempDir::new("kill-sqlite");
    let fresh = |name: &str| format!("sqlite:{}/{name}.db", dir.0.display());
    for mode in ["kill", "fail"] {
        let (statements, faults) = every_statement("sqlite", &fresh, mode);
        eprintln!("sqlite {mode}: {statements} statements, {faults} faults, each recovered");
        assert!(statements > 100, "{statements}");
    }
}

#[test]
fn killed_at_every_statement_on_postgres() {
    let fresh = |_: &str| pg::fresh("kill");
    for mode in ["kill", "fail"] {
        let (statements, faults) = every_statement("postgres", &fresh, mode);
        eprintln!("postgres {mode}: {statements} statements, {faults} faults, each recovered");
        assert!(statements > 100, "{statements}");
    }
}

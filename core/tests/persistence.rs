//! Crash-safe persistence (`docs/persistence.md`): a host that stores each answer's events
//! before it answers its caller can be killed at any point and rebuild exactly the same engine
//! from its last snapshot plus the events stored since.
//!
//! A random fortnight at the township desk (cases opened on five channels, duplicates linked
//! by their keys or by hand and closed with their primary, every transition an actor may
//! take, opinions, supervisions, timers firing warnings and breaches that climb the
//! organisation tree, the outbox drained and partly acknowledged, a new workflow version
//! loaded half-way, refused commands, compactions) runs on a live engine, and at every step
//! the host is killed in each of the ways a process dies:
//! - after it stored the step: the rebuilt engine equals the live one (its snapshot, which
//!   holds every case's history and the outbox, and its timers);
//! - before it stored the step: the rebuilt engine equals the live one before the step, and
//!   the caller's retry gets the very answer the live engine gave. A record cut short by a
//!   crash in the middle of its write lacks its newline, and the rebuild must drop it, not
//!   fail or take part of it: the same state;
//! - between writing a new snapshot and truncating the journal: the snapshot names the
//!   journal lines it holds and the rebuild skips them; without that mark, the rebuild skips
//!   the events the snapshot holds, which is enough until a case is archived.
//!
//! Closed cases are archived now and then: the host keeps the history the answer gives in its
//! archive before it journals the archiving, and the rebuilt engine no longer holds them.
//!
//! The township template takes no transition on a breach, so a timer closing a primary whose
//! duplicates follow it has a test of its own, on a variant of the template.
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

/// Steps between compactions (a new snapshot, the journal emptied).
const COMPACT_EVERY: usize = 25;

/// What the host keeps on disk: its last snapshot, and a journal of what changed since: one
/// line per answered request, a JSON array of its entries, so that an answer is stored whole
/// or not at all. `covered` is written with the snapshot: how many journal lines it holds.
/// `archive` holds the histories of the archived cases.
#[derive(Clone, Debug, Default)]
struct Disk {
    snapshot: Option<String>,
    covered: usize,
    journal: String,
    archive: std::collections::BTreeMap<String, Value>,
}

/// The journal entries of one answered request: what the host must store before it answers.
fn entries(request: &Value, answer: &Value) -> Vec<Value> {
    if answer["ok"] != true {
        return Vec::new(); // a refusal changed nothing
    }
    let result = &answer["result"];
    match request["op"].as_str().unwrap() {
        "load_workflow" | "load_calendar" | "load_org" => vec![json!({ "request": request })],
        "ack_effects" => vec![json!({ "acked": request["ids"] })],
        "archive_case" => vec![json!({ "archived": request["case_id"] })],
        "replay" if request["store"] == true => {
            vec![json!({ "case_id": result["case"]["id"], "events": request["history"] })]
        }
        "append_events" => {
            vec![json!({ "case_id": request["case_id"], "events": request["events"] })]
        }
        _ => {
            let mut out = Vec::new();
            if let Some(events) = result["events"].as_array().filter(|e| !e.is_empty()) {
                out.push(json!({ "case_id": result["case"]["id"], "events": events }));
            }
            for list in ["linked_events", "fired"] {
                out.extend(result[list].as_array().into_iter().flatten().cloned());
            }
            out
        }
    }
}

/// The engine a host rebuilds from its disk: the snapshot restored, then every journal line
/// it does not cover taken back in order. A line counts once its newline is written: what
/// follows the last one was cut short by the crash, never acknowledged, and is dropped.
fn recover(disk: &Disk) -> Engine {
    let mut engine = Engine::new();
    if let Some(snapshot) = &disk.snapshot {
        let answer = engine.answer_str(&format!(r#"{{"op": "restore", "snapshot": {snapshot}}}"#));
        assert!(answer.starts_with(r#"{"ok":true"#), "{answer}");
    }
    let whole = disk
        .journal
        .rfind('\n')
        .map_or("", |end| &disk.journal[..end]);
    for line in whole
        .split('\n')
        .filter(|l| !l.is_empty())
        .skip(disk.covered)
    {
        let entries: Vec<Value> = serde_json::from_str(line).unwrap();
        for entry in entries {
            let request = if let Some(request) = entry.get("request") {
                request.clone()
            } else if let Some(ids) = entry.get("acked") {
                json!({"op": "ack_effects", "ids": ids})
            } else if let Some(id) = entry.get("archived") {
                assert!(disk.archive.contains_key(id.as_str().unwrap()));
                json!({"op": "archive_case", "case_id": id})
            } else {
                json!({"op": "append_events", "case_id": entry["case_id"], "events": entry["events"]})
            };
            ok(&mut engine, request);
        }
    }
    engine
}

/// The snapshot a host writes: the `result` of the `snapshot` answer, as text.
fn snapshot_text(engine: &mut Engine) -> String {
    let answer = engine.answer_str(r#"{"op": "snapshot"}"#);
    let text = answer
        .strip_prefix(r#"{"ok":true,"result":"#)
        .and_then(|rest| rest.strip_suffix('}'))
        .expect("a snapshot");
    text.to_owned()
}

/// A host: its engine in memory, its disk, and the step it is at.
struct Host {
    engine: Engine,
    disk: Disk,
}

impl Host {
    /// Answers a request, storing its entries first.
    fn call(&mut self, request: &Value) -> Value {
        let answer = self.engine.answer_json(request.clone());
        if request["op"] == "archive_case" && answer["ok"] == true {
            // Kept before the journal says the engine let it go.
            let result = &answer["result"];
            let id = result["case_id"].as_str().unwrap().to_owned();
            self.disk.archive.insert(id, result["events"].clone());
        }
        let entries = entries(request, &answer);
        if !entries.is_empty() {
            self.disk
                .journal
                .push_str(&Value::from(entries).to_string());
            self.disk.journal.push('\n');
        }
        answer
    }
}

/// The acknowledgement a host sends after delivering part of what it drained.
fn acks(answer: &Value, pick: u8) -> Option<Value> {
    let drained = answer["result"]["effects"].as_array()?;
    let ids: Vec<&Value> = drained
        .iter()
        .take(usize::from(pick) % 4 + 1)
        .map(|e| &e["id"])
        .collect();
    (!ids.is_empty()).then(|| json!({"op": "ack_effects", "ids": ids}))
}

/// What a run did, by kind: each op answered `ok`, each refused, and the entries that came
/// from other cases than the request's own (`linked_events`) and from timers (`fired`).
type Tally = std::collections::BTreeMap<String, usize>;

/// The requests of a random fortnight: the definitions, then the desk's moves, the second
/// workflow version half-way, and an acknowledgement after each drain.
fn run_fortnight(moves: &[(u8, u8, u8)]) -> Tally {
    let mut requests = vec![
        json!({"op": "load_calendar", "calendar": serde_json::from_str::<Value>(CALENDAR).unwrap()}),
        json!({"op": "load_org", "org": serde_json::from_str::<Value>(ORG).unwrap()}),
        json!({"op": "load_workflow", "definition": serde_json::from_str::<Value>(TEMPLATE).unwrap()}),
    ]
    .into_iter();
    let mut desk = Desk {
        now: T0,
        cases: Vec::new(),
    };
    let half = moves.len() / 2;
    let mut moves = moves.iter().enumerate();
    run_host(|engine, last| {
        if let Some(request) = requests.next() {
            return Some(request);
        }
        if let Some(ack) = last.and_then(|(request, answer)| {
            (request["op"] == "drain_outbox").then(|| acks(answer, desk.cases.len() as u8))?
        }) {
            return Some(ack);
        }
        let (index, &m) = moves.next()?;
        Some(if index == half {
            next_version()
        } else {
            desk.next(engine, m)
        })
    })
}

/// Runs a host on the requests `next` makes (from the engine and the last request and
/// answer), killing it at every step in each way a process dies; what it did, by kind.
fn run_host(mut next: impl FnMut(&mut Engine, Option<(&Value, &Value)>) -> Option<Value>) -> Tally {
    let mut host = Host {
        engine: Engine::new(),
        disk: Disk::default(),
    };
    let mut tally = Tally::new();
    let mut live = state(&mut host.engine);
    let mut last: Option<(Value, Value)> = None;
    for step in 0.. {
        let Some(request) = next(&mut host.engine, last.as_ref().map(|(r, a)| (r, a))) else {
            break;
        };
        let before = host.disk.clone();
        let state_before = live;
        let answer = host.call(&request);
        let op = request["op"].as_str().unwrap();
        let outcome = if answer["ok"] == true {
            "ok".to_owned()
        } else {
            format!("refused {}", answer["errors"][0]["code"])
        };
        *tally.entry(format!("{op} {outcome}")).or_default() += 1;
        for list in ["linked_events", "fired"] {
            let n = answer["result"][list].as_array().map_or(0, Vec::len);
            if n > 0 {
                *tally.entry(format!("{list} {op}")).or_default() += n;
            }
        }
        live = state(&mut host.engine);
        if answer["ok"] != true {
            assert_eq!(
                live, state_before,
                "a refusal changed the engine: {request}"
            );
        }

        // Killed after the step was stored.
        assert_eq!(
            state(&mut recover(&host.disk)),
            live,
            "after step {step}: {request}"
        );

        // Killed before the step was stored, or while it was written: the caller had no
        // answer and sends the request again.
        let written = &host.disk.journal[before.journal.len()..];
        let mut torn = before.clone();
        if !written.is_empty() {
            // Any prefix short of the newline.
            let mut cut = (step * 7919) % written.len();
            while !written.is_char_boundary(cut) {
                cut -= 1;
            }
            torn.journal.push_str(&written[..cut]);
        }
        let mut rebuilt = recover(&torn);
        assert_eq!(
            state(&mut rebuilt),
            state_before,
            "before step {step}: {request}"
        );
        if request["op"] == "drain_outbox" {
            // Leases are not stored: after a restart every effect not acknowledged is handed
            // out again, those the lost answer handed out among them (at least once).
            let all = ok(
                &mut rebuilt,
                json!({"op": "drain_outbox", "now": request["now"], "limit": 100_000}),
            );
            let ids = |a: &Value| -> Vec<Value> {
                a["result"]["effects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].clone())
                    .collect()
            };
            let pending = ids(&all);
            assert!(
                ids(&answer).iter().all(|id| pending.contains(id)),
                "step {step}"
            );
        } else {
            let retried = rebuilt.answer_json(request.clone());
            assert_eq!(
                retried, answer,
                "the retry of step {step} answers differently"
            );
        }

        if step % COMPACT_EVERY == COMPACT_EVERY - 1 {
            let snapshot = snapshot_text(&mut host.engine);
            // Killed between writing the snapshot and emptying the journal.
            let between = Disk {
                snapshot: Some(snapshot.clone()),
                covered: host.disk.journal.matches('\n').count(),
                ..host.disk.clone()
            };
            assert_eq!(
                state(&mut recover(&between)),
                live,
                "compaction at step {step}"
            );
            // Without the mark, the held events are skipped; an archived case's are not.
            if host.disk.journal.contains("\"archived\"") {
                *tally
                    .entry("compaction after archive_case".to_owned())
                    .or_default() += 1;
            } else {
                let unmarked = Disk {
                    covered: 0,
                    ..between
                };
                assert_eq!(state(&mut recover(&unmarked)), live, "step {step}");
            }
            host.disk = Disk {
                snapshot: Some(snapshot),
                covered: 0,
                journal: String::new(),
                archive: std::mem::take(&mut host.disk.archive),
            };
        }
        last = Some((request, answer));
    }
    tally
}

/// The township workflow with a response deadline that closes an unanswered case by itself
/// (`lapse`): a breach that closes a primary, whose duplicates then follow it.
fn lapsing_township() -> Value {
    let mut def: Value = serde_json::from_str(TEMPLATE).unwrap();
    def["roles"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "system", "title": "系统"}));
    def["transitions"].as_array_mut().unwrap().push(json!({
        "id": "lapse", "title": "逾期未受理自动办结", "from": ["received"], "to": "closed",
        "roles": ["system"]
    }));
    let response = &mut def["slas"][0];
    assert_eq!(response["id"], "response");
    response["on_breach"][0]["transition"] = json!("lapse");
    json!({"op": "load_workflow", "definition": def})
}

/// `fire_due` answers the moves of the duplicates that follow a primary its timer closed,
/// each as its own entry after the primary's; stored with the rest, they rebuild the engine.
#[test]
fn a_breach_that_closes_a_primary_answers_its_duplicates_moves() {
    let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
    let open = |id: &str, channel: &str, at: i64| {
        json!({"op": "open_case", "workflow": "township", "case_id": id, "channel": channel,
               "fields": {"summary": "西村河道发臭", "category": "environment", "region": "xicun",
                          "citizen_name": "李娜"},
               "keys": {"citizen": "c-1", "matter": "river"}, "actor": clerk, "at": at})
    };
    let mut requests = vec![
        json!({"op": "load_calendar", "calendar": serde_json::from_str::<Value>(CALENDAR).unwrap()}),
        json!({"op": "load_org", "org": serde_json::from_str::<Value>(ORG).unwrap()}),
        lapsing_township(),
        open("R-1", "weibo", T0),
        open("R-2", "wechat", T0 + 60_000),
        open("R-3", "web", T0 + 120_000),
        json!({"op": "fire_due", "now": T0 + 3 * HOUR}),
    ]
    .into_iter();
    let mut fired = Value::Null;
    let tally = run_host(|_, last| {
        if let Some((request, answer)) = last.filter(|(r, _)| r["op"] == "fire_due") {
            assert_eq!(request["now"], T0 + 3 * HOUR);
            fired = answer["result"]["fired"].clone();
        }
        requests.next()
    });
    assert_eq!(tally["linked_events open_case"], 2, "{tally:#?}");
    let cases: Vec<&str> = fired
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["case_id"].as_str().unwrap())
        .collect();
    assert_eq!(cases, ["R-1", "R-2", "R-3"], "{fired:#}");
    let last_of = |i: usize| {
        fired[i]["events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone()
    };
    assert_eq!(last_of(0)["transition"], "lapse");
    assert_eq!(last_of(1)["transition"], "close_duplicate");
    assert_eq!(last_of(2)["transition"], "close_duplicate");
}

fn fortnight() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 120..160)
}

/// One long run from a fixed seed, with a check that it went through everything the host
/// must store: links recorded on both cases, timers firing, supervisions, opinions,
/// acknowledgements, a new workflow version, compactions.
#[test]
fn a_long_fixed_run_covers_every_kind_of_entry() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let moves = prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 400)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let tally = run_fortnight(&moves);
    eprintln!("{tally:#?}");
    for kind in [
        "open_case ok",
        "apply ok",
        "link_cases ok",
        "fire_due ok",
        "supervise ok",
        "answer_supervision ok",
        "submit_opinion ok",
        "ack_effects ok",
        "archive_case ok",
        "compaction after archive_case",
        "linked_events open_case",
        "linked_events link_cases",
        "linked_events apply",
        "fired fire_due",
    ] {
        assert!(
            tally.get(kind).copied().unwrap_or(0) > 0,
            "no {kind}: {tally:#?}"
        );
    }
    assert_eq!(tally["load_workflow ok"], 2);
    assert!(tally.keys().any(|k| k.starts_with("apply refused")));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_host_killed_at_any_step_rebuilds_the_same_engine(moves in fortnight()) {
        run_fortnight(&moves);
    }
}

/// Events of a caller's command meet the outbox limit as the command did: refused, with nothing
/// changed, when they queue an effect while the outbox is full; taken when they queue none.
#[test]
fn appended_events_meet_the_outbox_limit_as_their_command_did() {
    let mut live = township_engine();
    let clerk = json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"});
    let dispatcher = json!({"id": "disp-01", "roles": ["dispatcher"], "unit": "town"});
    let handler = json!({"id": "h-01", "roles": ["handler"], "unit": "dongcun"});
    let mut journal = vec![ok(
        &mut live,
        json!({"op": "open_case", "workflow": "township",
        "case_id": "T-1", "channel": "wechat", "actor": clerk, "at": T0,
        "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun", "citizen_name": "张伟"}}),
    )];
    for (transition, actor, minutes, payload) in [
        ("accept", &clerk, 1, json!({})),
        ("dispatch", &dispatcher, 2, json!({})),
        ("sign", &handler, 3, json!({})),
        ("reply", &handler, 4, json!({"reply_text": "已处理完毕"})),
    ] {
        journal.push(ok(
            &mut live,
            json!({"op": "apply", "case_id": "T-1", "transition": transition,
            "actor": actor, "at": T0 + minutes * 60_000, "payload": payload}),
        ));
    }
    assert!(
        journal[3]["result"]["effects"].is_null(),
        "signing queues nothing"
    );
    assert!(
        !journal[4]["result"]["effects"].is_null(),
        "the reply queues a notice"
    );
    let mut rebuilt = township_engine();
    let append = |answer: &Value| json!({"op": "append_events", "case_id": "T-1", "events": answer["result"]["events"]});
    for answer in &journal[..3] {
        ok(&mut rebuilt, append(answer));
    }
    let pending = ok(
        &mut rebuilt,
        json!({"op": "drain_outbox", "now": T0, "lease_ms": 0}),
    );
    let pending = pending["result"]["pending"].as_u64().unwrap();
    assert!(pending >= 1, "the dispatch left effects to deliver");
    ok(
        &mut rebuilt,
        json!({"op": "set_limits", "limits": {"max_pending_effects": pending}}),
    );
    // Signing queues nothing: taken while the outbox is full.
    ok(&mut rebuilt, append(&journal[3]));
    let before = state(&mut rebuilt);
    let refused = rebuilt.answer_json(append(&journal[4]));
    assert_eq!(
        refused["errors"][0]["code"], "history.rejected",
        "{refused:#}"
    );
    assert_eq!(refused["errors"][0]["help"], "cause: `outbox.full`");
    assert_eq!(state(&mut rebuilt), before);
    ok(
        &mut rebuilt,
        json!({"op": "set_limits", "limits": {"max_pending_effects": pending + 1}}),
    );
    ok(&mut rebuilt, append(&journal[4]));
}

/// A `seq` at the end of the range is refused, not counted past it.
#[test]
fn a_seq_at_the_end_of_the_range_is_refused() {
    let mut engine = township_engine();
    let opened = ok(
        &mut engine,
        json!({"op": "open_case", "workflow": "township", "case_id": "T-1",
        "channel": "wechat", "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun", "citizen_name": "张伟"},
        "actor": {"id": "clerk-01", "roles": ["clerk"], "unit": "town"}, "at": T0}),
    );
    let mut event: civicflow::EventRecord =
        serde_json::from_value(opened["result"]["events"][0].clone()).unwrap();
    let mut text = serde_json::to_value(&event).unwrap();
    text["seq"] = json!(u64::MAX);
    event = serde_json::from_value(text).unwrap();
    let before = state(&mut engine);
    let err = engine
        .append_events("T-1", &[event.clone(), event])
        .unwrap_err();
    assert_eq!(err.code(), "history.bad_sequence");
    assert_eq!(state(&mut engine), before);
}

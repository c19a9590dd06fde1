//! SLA clocks on the 信访 and 12345 templates, with deadlines worked out by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::ClockView;
use civicflow::{
    Actor, Command, Duration, Engine, EventRecord, Opening, Values, Workflow, WorkflowDef,
};
use serde_json::{json, Map, Value};

/// UTC ms of a local time in China, `YYYY-MM-DDTHH:MM`.
fn t(local: &str) -> i64 {
    let ts: jiff::Timestamp = format!("{local}:00+08:00").parse().unwrap();
    ts.as_millisecond()
}

fn engine(template: &str) -> Engine {
    let mut e = Engine::new();
    e.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let def: WorkflowDef = serde_json::from_str(template).unwrap();
    e.load_workflow(def).unwrap();
    e
}

fn xinfang() -> Engine {
    engine(include_str!("../../templates/xinfang-2022.json"))
}

fn hotline() -> Engine {
    engine(include_str!("../../templates/hotline-12345.json"))
}

fn actor(id: &str, role: &str, unit: Option<&str>) -> Actor {
    let mut a = Actor::new(id, &[role]);
    a.unit = unit.map(str::to_owned);
    a
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn act(e: &mut Engine, case: &str, transition: &str, who: &Actor, payload: Value, at: &str) {
    let p = map(payload);
    let cmd = Command {
        transition,
        actor: who,
        payload: Values::Json(&p),
        at: t(at),
    };
    if let Err(err) = e.apply(case, &cmd) {
        panic!("{transition} at {at}: {err} [{}]", err.code());
    }
}

fn clock(e: &Engine, case: &str, sla: &str, now: &str) -> ClockView {
    e.sla_status(case, t(now))
        .unwrap()
        .into_iter()
        .find(|c| c.sla == sla)
        .unwrap()
}

fn due_local(c: &ClockView) -> &str {
    c.due_local.as_deref().unwrap_or("")
}

fn open_petition(e: &mut Engine, id: &str, at: &str) {
    let registrar = actor("reg-1", "registrar", None);
    let fields = map(
        json!({"subject": "小区违建", "content": "楼顶违章搭建", "matter_type": "complaint", "petitioner_name": "张三"}),
    );
    let opening = Opening {
        case_id: id,
        channel: "letter",
        fields: Values::Json(&fields),
        actor: &registrar,
        at: t(at),
        keys: None,
    };
    e.open_case("xinfang-2022", None, &opening).unwrap();
}

/// Routes and accepts a petition opened on 2025-12-01.
fn to_handling(e: &mut Engine, id: &str) {
    open_petition(e, id, "2025-12-01T10:00");
    let registrar = actor("reg-1", "registrar", None);
    let handler = actor("h-1", "agency_handler", Some("district-housing"));
    act(
        e,
        id,
        "route",
        &registrar,
        json!({"agency": "district-housing"}),
        "2025-12-05T10:00",
    );
    act(e, id, "accept", &handler, json!({}), "2025-12-10T10:00");
}

#[test]
fn petition_limits_follow_the_regulation() {
    let mut e = xinfang();
    open_petition(&mut e, "XF-1", "2025-12-01T10:00");
    // Art. 22: 15 日 from registration; the whole first instance 15 + 15 + 60 日, plus the
    // 30 日 extension art. 34 allows: 120 日.
    let routing = clock(&e, "XF-1", "routing", "2025-12-01T10:00");
    assert_eq!(
        (routing.status.as_str(), due_local(&routing)),
        ("running", "2025-12-17T00:00:00+08:00")
    );
    assert_eq!(
        due_local(&clock(&e, "XF-1", "first_instance", "2025-12-01T10:00")),
        "2026-04-01T00:00:00+08:00"
    );
    let registrar = actor("reg-1", "registrar", None);
    act(
        &mut e,
        "XF-1",
        "route",
        &registrar,
        json!({"agency": "district-housing"}),
        "2025-12-05T10:00",
    );
    assert_eq!(
        clock(&e, "XF-1", "routing", "2025-12-05T10:00").status,
        "met"
    );
    // Art. 23: 15 日 to tell whether accepted; 5 个工作日 to object.
    assert_eq!(
        due_local(&clock(&e, "XF-1", "acceptance_notice", "2025-12-05T10:00")),
        "2025-12-21T00:00:00+08:00"
    );
    assert_eq!(
        due_local(&clock(&e, "XF-1", "objection_window", "2025-12-05T10:00")),
        "2025-12-12T17:30:00+08:00"
    );
    let handler = actor("h-1", "agency_handler", Some("district-housing"));
    act(
        &mut e,
        "XF-1",
        "accept",
        &handler,
        json!({}),
        "2025-12-10T10:00",
    );
    // Art. 34: 60 日 from acceptance.
    let handling = clock(&e, "XF-1", "handling", "2025-12-10T10:00");
    assert_eq!(
        (handling.status.as_str(), due_local(&handling)),
        ("running", "2026-02-09T00:00:00+08:00")
    );
    assert_eq!(
        clock(&e, "XF-1", "objection_window", "2025-12-10T10:00").status,
        "met"
    );
}

#[test]
fn one_extension_of_at_most_30_days_by_the_head_with_a_reason() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-2");
    let head = actor("head-1", "head", None);
    let handler = actor("h-1", "agency_handler", Some("district-housing"));
    let thirty = Duration::NaturalDays {
        days: 30,
        roll_forward: false,
    };
    let at = t("2026-01-20T10:00");
    let code = |r: Result<&civicflow::Case, civicflow::CaseError>| r.err().map(|e| e.code());
    assert_eq!(
        code(e.extend("XF-2", "handling", &handler, thirty, "案情复杂", at)),
        Some("sla.extension_not_allowed")
    );
    assert_eq!(
        code(e.extend("XF-2", "handling", &head, thirty, " ", at)),
        Some("sla.reason_required")
    );
    assert_eq!(
        code(e.extend(
            "XF-2",
            "handling",
            &head,
            Duration::WorkingDays(10),
            "案情复杂",
            at
        )),
        Some("sla.basis_mismatch")
    );
    assert_eq!(
        code(e.extend(
            "XF-2",
            "handling",
            &head,
            Duration::NaturalDays {
                days: 31,
                roll_forward: false
            },
            "x",
            at
        )),
        Some("sla.extension_limit")
    );
    assert_eq!(
        code(e.extend("XF-2", "routing", &head, thirty, "x", at)),
        Some("sla.not_running")
    );
    assert_eq!(
        e.history("XF-2").unwrap().len(),
        3,
        "refused extensions record nothing"
    );
    e.extend(
        "XF-2",
        "handling",
        &head,
        thirty,
        "需现场核查，已告知信访人延期理由",
        at,
    )
    .unwrap();
    let handling = clock(&e, "XF-2", "handling", "2026-01-20T10:00");
    assert_eq!(
        (due_local(&handling), handling.extensions),
        ("2026-03-11T00:00:00+08:00", 1)
    );
    let again = e.extend(
        "XF-2",
        "handling",
        &head,
        Duration::NaturalDays {
            days: 1,
            roll_forward: false,
        },
        "x",
        at,
    );
    assert_eq!(code(again), Some("sla.extension_limit"));
}

#[test]
fn the_breach_ladder_fires_once_in_order_with_original_instants() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-3");
    // Handling is due 2026-02-09 00:00 (the 60th day is Sunday 2/8). The half-time warning
    // falls at half the budget, the reminder 7 日 before, the listed supervision once 5 working
    // days overdue, counted after the deadline's day 2/8: 2/9 .. 2/13, so the close of 2/13.
    let due: Vec<(String, String, i64)> = e
        .due(t("2026-03-01T00:00"), 100)
        .into_iter()
        .filter(|d| d.case_id == "XF-3")
        .map(|d| {
            (
                d.sla.unwrap_or_default(),
                d.step.unwrap_or_default(),
                d.due_at,
            )
        })
        .collect();
    let budget = t("2026-02-09T00:00") - t("2025-12-10T10:00");
    assert_eq!(
        due,
        vec![
            (
                "handling".to_owned(),
                "half_time".to_owned(),
                t("2026-02-09T00:00") - budget / 2
            ),
            (
                "handling".to_owned(),
                "reminder".to_owned(),
                t("2026-02-02T00:00")
            ),
            (
                "handling".to_owned(),
                "overdue".to_owned(),
                t("2026-02-09T00:00")
            ),
            (
                "handling".to_owned(),
                "listed_supervision".to_owned(),
                t("2026-02-13T17:30")
            ),
        ]
    );
    // Nothing is due before the half-time mark.
    assert!(e
        .due(t("2026-01-08T00:00"), 100)
        .iter()
        .all(|d| d.case_id != "XF-3"));
    let fired = e.fire_due(t("2026-03-01T09:00"));
    let events: Vec<(String, i64, i64)> = fired
        .iter()
        .flat_map(|f| f.events.iter())
        .filter_map(|ev| match ev {
            EventRecord::SlaWarning {
                warning,
                at,
                due_at,
                ..
            } => Some((warning.clone(), *at, *due_at)),
            EventRecord::SlaBreached {
                step, at, due_at, ..
            } => Some((step.clone(), *at, *due_at)),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|(_, at, _)| *at == t("2026-03-01T09:00")));
    assert_eq!(
        events[3],
        (
            "listed_supervision".to_owned(),
            t("2026-03-01T09:00"),
            t("2026-02-13T17:30")
        )
    );
    assert!(
        e.fire_due(t("2026-03-01T09:00")).is_empty(),
        "firing twice adds nothing"
    );
    let handling = clock(&e, "XF-3", "handling", "2026-03-01T09:00");
    assert_eq!(handling.status, "breached");
    assert!(handling.remaining_ms < 0);
    assert_eq!(handling.breach_fired, vec!["overdue", "listed_supervision"]);
}

#[test]
fn a_lapsed_review_window_closes_the_case_by_itself() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-4");
    let handler = actor("h-1", "agency_handler", Some("district-housing"));
    act(
        &mut e,
        "XF-4",
        "reply",
        &handler,
        json!({"opinion": "已责令拆除"}),
        "2026-01-15T10:00",
    );
    // Art. 35: 30 日 to request a review, from 1/15: ends 2026-02-15 00:00.
    assert_eq!(
        due_local(&clock(&e, "XF-4", "review_window", "2026-01-15T10:00")),
        "2026-02-15T00:00:00+08:00"
    );
    e.fire_due(t("2026-02-20T08:00"));
    let case = e.case("XF-4").unwrap();
    assert_eq!(case.state(), "closed");
    let history = e.history("XF-4").unwrap();
    match &history[history.len() - 1] {
        EventRecord::Transitioned {
            actor, transition, ..
        } => assert_eq!(
            (actor.id.as_str(), transition.as_str()),
            ("system", "close")
        ),
        other => panic!("{other:?}"),
    }
    // The first instance (registration to written opinion) was met in time.
    assert_eq!(
        clock(&e, "XF-4", "first_instance", "2026-02-20T08:00").status,
        "met"
    );
}

#[test]
fn hearing_time_is_not_counted_in_re_review() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-5");
    let handler = actor("h-1", "agency_handler", Some("district-housing"));
    let registrar = actor("reg-1", "registrar", None);
    let reviewer = actor("rv-1", "reviewer", None);
    let re_reviewer = actor("rr-1", "re_reviewer", None);
    act(
        &mut e,
        "XF-5",
        "reply",
        &handler,
        json!({"opinion": "意见"}),
        "2026-01-05T10:00",
    );
    act(
        &mut e,
        "XF-5",
        "request_review",
        &registrar,
        json!({}),
        "2026-01-10T10:00",
    );
    act(
        &mut e,
        "XF-5",
        "review_reply",
        &reviewer,
        json!({"review_opinion": "维持"}),
        "2026-01-20T10:00",
    );
    act(
        &mut e,
        "XF-5",
        "request_re_review",
        &registrar,
        json!({}),
        "2026-02-01T10:00",
    );
    // 30 日 from 2/1 (February 2026 has 28 days): the 30th day is 3/3, so 3/4 00:00.
    assert_eq!(
        due_local(&clock(&e, "XF-5", "re_review", "2026-02-01T10:00")),
        "2026-03-04T00:00:00+08:00"
    );
    act(
        &mut e,
        "XF-5",
        "start_hearing",
        &re_reviewer,
        json!({}),
        "2026-02-10T09:00",
    );
    let paused = clock(&e, "XF-5", "re_review", "2026-02-12T09:00");
    assert_eq!(paused.status, "paused");
    assert_eq!(
        due_local(&paused),
        "2026-03-06T00:00:00+08:00",
        "two paused days so far"
    );
    assert!(
        e.due(t("2026-12-31T00:00"), 1000)
            .iter()
            .all(|d| !(d.case_id == "XF-5" && d.sla.as_deref() == Some("re_review"))),
        "a paused clock has no timers"
    );
    act(
        &mut e,
        "XF-5",
        "end_hearing",
        &re_reviewer,
        json!({"hearing_note": "听证笔录"}),
        "2026-02-20T09:00",
    );
    let resumed = clock(&e, "XF-5", "re_review", "2026-02-20T09:00");
    assert_eq!(
        (resumed.status.as_str(), due_local(&resumed)),
        ("running", "2026-03-14T00:00:00+08:00")
    );
    assert_eq!(resumed.paused_ms, 10 * 86_400_000);
}

fn open_order(e: &mut Engine, id: &str, fields: Value, at: &str) {
    let op = actor("op", "operator", None);
    let f = map(fields);
    let opening = Opening {
        case_id: id,
        channel: "hotline",
        fields: Values::Json(&f),
        actor: &op,
        at: t(at),
        keys: None,
    };
    e.open_case("hotline-12345", None, &opening).unwrap();
}

#[test]
fn hotline_targets_follow_urgency_and_category_pause_and_restart() {
    let mut e = hotline();
    let op = actor("op", "operator", None);
    let disp = actor("disp", "dispatcher", None);
    let env = actor("h", "handler", Some("district-env"));
    let base = json!({"summary": "停水", "category": "municipal", "citizen_name": "李四", "citizen_phone": "13900001111"});
    // Response: 2 hours from the call.
    open_order(&mut e, "U", base.clone(), "2026-02-13T16:00");
    assert_eq!(
        due_local(&clock(&e, "U", "response", "2026-02-13T16:00")),
        "2026-02-13T18:00:00+08:00"
    );
    act(
        &mut e,
        "U",
        "accept",
        &op,
        json!({"urgency": "urgent"}),
        "2026-02-13T16:10",
    );
    act(
        &mut e,
        "U",
        "dispatch",
        &disp,
        json!({"assigned_unit": "district-env"}),
        "2026-02-13T16:20",
    );
    // Urgent: 24 hours, whatever the holiday.
    let urgent = clock(&e, "U", "handling", "2026-02-13T16:20");
    assert_eq!(
        (urgent.basis.as_str(), due_local(&urgent)),
        ("calendar", "2026-02-14T16:20:00+08:00")
    );
    // Sign or return: 2 working days, the swapped Saturday 2/14 and then 2/24.
    assert_eq!(
        due_local(&clock(&e, "U", "sign_or_return", "2026-02-13T16:20")),
        "2026-02-24T17:30:00+08:00"
    );

    open_order(
        &mut e,
        "H",
        json!({"summary": "漏水", "category": "housing", "citizen_name": "王五", "citizen_phone": "13900002222"}),
        "2026-02-13T16:00",
    );
    act(&mut e, "H", "accept", &op, json!({}), "2026-02-13T16:10");
    act(
        &mut e,
        "H",
        "dispatch",
        &disp,
        json!({"assigned_unit": "district-env"}),
        "2026-02-13T16:20",
    );
    assert_eq!(
        due_local(&clock(&e, "H", "handling", "2026-02-13T16:20")),
        "2026-03-01T00:00:00+08:00"
    );

    open_order(&mut e, "N", base, "2026-02-13T09:00");
    act(&mut e, "N", "accept", &op, json!({}), "2026-02-13T09:10");
    act(
        &mut e,
        "N",
        "dispatch",
        &disp,
        json!({"assigned_unit": "district-env"}),
        "2026-02-13T10:00",
    );
    // Ordinary: 5 working days: 2/14, 2/24, 2/25, 2/26, 2/27.
    assert_eq!(
        due_local(&clock(&e, "N", "handling", "2026-02-13T10:00")),
        "2026-02-27T17:30:00+08:00"
    );
    act(&mut e, "N", "sign", &env, json!({}), "2026-02-13T11:00");
    // Waiting for the citizen pauses handling: 2/24 09:00 to 2/25 09:00 is one working day.
    act(
        &mut e,
        "N",
        "request_info",
        &env,
        json!({"info_request": "请提供照片"}),
        "2026-02-24T09:00",
    );
    act(
        &mut e,
        "N",
        "supplement",
        &actor("c", "citizen", None),
        json!({"supplement": "照片"}),
        "2026-02-25T09:00",
    );
    assert_eq!(
        due_local(&clock(&e, "N", "handling", "2026-02-25T09:00")),
        "2026-02-28T17:30:00+08:00"
    );
    act(
        &mut e,
        "N",
        "reply",
        &env,
        json!({"reply_text": "已恢复供水"}),
        "2026-02-26T10:00",
    );
    assert_eq!(clock(&e, "N", "handling", "2026-02-26T10:00").status, "met");
    act(
        &mut e,
        "N",
        "callback",
        &op,
        json!({"cb_contacted": true, "cb_solved": false, "satisfaction": "dissatisfied"}),
        "2026-02-27T10:00",
    );
    // 重办 restarts handling: a second cycle with a fresh 5 working days from Friday 2/27:
    // 2/28 (swapped working Saturday), 3/2, 3/3, 3/4, 3/5.
    act(
        &mut e,
        "N",
        "redo",
        &op,
        json!({"redo_reason": "仍然停水"}),
        "2026-02-27T11:00",
    );
    let again = clock(&e, "N", "handling", "2026-02-27T11:00");
    assert_eq!(
        (again.cycle, again.status.as_str(), due_local(&again)),
        (2, "running", "2026-03-05T17:30:00+08:00")
    );
}

#[test]
fn after_a_restore_missed_timers_are_due_at_once_with_their_instants() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-6");
    let before = e.due(t("2026-03-31T00:00"), 1000);
    let text = serde_json::to_string(&e.snapshot()).unwrap();
    // The host was down for weeks; a new process restores and catches up.
    let mut restored = Engine::new();
    restored
        .restore(serde_json::from_str(&text).unwrap())
        .unwrap();
    assert_eq!(restored.due(t("2026-03-31T00:00"), 1000), before);
    let fired = restored.fire_due(t("2026-03-31T00:00"));
    let due_ats: Vec<i64> = fired
        .iter()
        .flat_map(|f| &f.events)
        .filter_map(|ev| match ev {
            EventRecord::SlaWarning { due_at, .. } | EventRecord::SlaBreached { due_at, .. } => {
                Some(*due_at)
            }
            _ => None,
        })
        .collect();
    assert_eq!(due_ats, before.iter().map(|d| d.due_at).collect::<Vec<_>>());
    // The fired events replay: the history with SLA events rebuilds identical clocks.
    let case = restored.case("XF-6").unwrap();
    let replayed = civicflow::replay(case.workflow().clone(), &case.history(0)).unwrap();
    assert_eq!(&replayed, case);
    assert_eq!(
        restored.sla_status("XF-6", t("2026-04-01T00:00")).unwrap(),
        {
            let mut again = Engine::new();
            again.restore(restored.snapshot()).unwrap();
            again.sla_status("XF-6", t("2026-04-01T00:00")).unwrap()
        }
    );
}

#[test]
fn a_case_rule_too_short_for_its_stages_is_a_warning() {
    let def: WorkflowDef = serde_json::from_value(json!({
        "format": 1, "id": "tight", "version": 1, "title": "tight",
        "roles": [{"id": "clerk", "title": "clerk"}],
        "states": [
            {"id": "a", "title": "a", "initial": true}, {"id": "b", "title": "b"},
            {"id": "c", "title": "c", "terminal": true}
        ],
        "transitions": [
            {"id": "ab", "title": "ab", "from": ["a"], "to": "b", "roles": ["clerk"]},
            {"id": "bc", "title": "bc", "from": ["b"], "to": "c", "roles": ["clerk"]}
        ],
        "slas": [
            {"id": "whole", "calendar": "cn-mainland", "start": {"on_open": true}, "stop": {"enter": ["c"]},
             "target": [{"duration": {"natural_days": 30}}]},
            {"id": "first", "calendar": "cn-mainland", "start": {"on_open": true}, "stop": {"transitions": ["ab"]},
             "target": [{"duration": {"natural_days": 15}}]},
            {"id": "second", "calendar": "cn-mainland", "start": {"enter": ["b"]}, "stop": {"transitions": ["bc"]},
             "target": [{"duration": {"natural_days": 20}}]}
        ]
    }))
    .unwrap();
    let compiled = Workflow::compile(def).unwrap();
    let codes: Vec<(&str, &str)> = compiled
        .warnings
        .iter()
        .map(|w| (w.error.code(), w.path.as_str()))
        .collect();
    assert_eq!(codes, vec![("sla.infeasible", "/slas/0/target")]);
    assert!(compiled.warnings[0]
        .error
        .to_string()
        .contains("35 natural days"));
}

// Regressions found in review: each test states the input that once went wrong.

/// A one-rule workflow `a -> b (terminal)` with `pause` state `p` between, on `calendar`.
fn one_rule(calendar: &str, rule: Value) -> Engine {
    let mut e = Engine::new();
    e.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let berlin = json!({"format": 1, "id": "de-berlin", "time_zone": "Europe/Berlin", "years": {"from": 2025, "to": 2026},
        "week": {"mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]], "wed": [["00:00", "24:00"]],
                 "thu": [["00:00", "24:00"]], "fri": [["00:00", "24:00"]]}});
    e.load_calendar(serde_json::from_value(berlin).unwrap())
        .unwrap();
    let mut rule = rule;
    rule["calendar"] = json!(calendar);
    let def = json!({
        "format": 1, "id": "w", "version": 1, "title": "w",
        "roles": [{"id": "r", "title": "r"}],
        "states": [{"id": "a", "title": "a", "initial": true}, {"id": "p", "title": "p"}, {"id": "b", "title": "b", "terminal": true}],
        "transitions": [
            {"id": "wait", "title": "wait", "from": ["a"], "to": "p", "roles": ["r"]},
            {"id": "back", "title": "back", "from": ["p"], "to": "a", "roles": ["r"]},
            {"id": "done", "title": "done", "from": ["a"], "to": "b", "roles": ["r"]}
        ],
        "slas": [rule]
    });
    e.load_workflow(serde_json::from_value(def).unwrap())
        .unwrap();
    let r = Actor::new("u", &["r"]);
    e.open_case(
        "w",
        None,
        &Opening {
            case_id: "C",
            channel: "web",
            fields: Values::NONE,
            actor: &r,
            at: t("2025-01-27T10:00"),
            keys: None,
        },
    )
    .unwrap();
    e
}

fn step(e: &mut Engine, transition: &str, at: i64) {
    let r = Actor::new("u", &["r"]);
    e.apply(
        "C",
        &Command {
            transition,
            actor: &r,
            payload: Values::NONE,
            at,
        },
    )
    .unwrap();
}

#[test]
fn a_pause_never_pulls_a_rolled_deadline_into_an_earlier_day() {
    // 3 日 rolled forward from 2025-01-27 ends 2025-02-06 00:00 (1/30 is in the holiday). A pause
    // of 5 d 10 h used to land the deadline at 2/5 10:00: 14 hours earlier.
    let rule = json!({"id": "s", "start": {"on_open": true}, "stop": {"transitions": ["done"]}, "pause": ["p"],
        "target": [{"duration": {"natural_days": 3, "roll_forward": true}}]});
    let mut e = one_rule("cn-mainland", rule);
    assert_eq!(
        due_local(&clock(&e, "C", "s", "2025-01-27T11:00")),
        "2025-02-06T00:00:00+08:00"
    );
    step(&mut e, "wait", t("2025-01-27T12:00"));
    step(&mut e, "back", t("2025-02-01T22:00"));
    let after = clock(&e, "C", "s", "2025-02-01T22:00");
    assert!(
        after.due_at.unwrap() >= t("2025-02-06T00:00"),
        "{}",
        due_local(&after)
    );
}

#[test]
fn natural_days_keep_their_midnight_across_a_dst_change() {
    // 270 日 from Monday 2025-01-27 (03:00 in Berlin): the 270th day is 10-24, so 10-25 00:00.
    // Berlin leaves summer time on 2025-10-26. A pause from 10-20 12:00 to 10-30 12:00 is ten
    // days on the wall clock (241 elapsed hours): the deadline moves by ten days, to midnight.
    let rule = json!({"id": "s", "start": {"on_open": true}, "stop": {"transitions": ["done"]}, "pause": ["p"],
        "target": [{"duration": {"natural_days": 270}}]});
    let mut e = one_rule("de-berlin", rule);
    let before = clock(&e, "C", "s", "2025-01-27T11:00").due_at.unwrap();
    step(&mut e, "wait", t("2025-10-20T18:00"));
    step(&mut e, "back", t("2025-10-30T19:00"));
    let after = clock(&e, "C", "s", "2025-10-30T19:00").due_at.unwrap();
    let berlin = |ms: i64| {
        let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        jiff::Timestamp::from_millisecond(ms)
            .unwrap()
            .to_zoned_datetime(tz)
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    assert_eq!(berlin(before), "2025-10-25 00:00");
    assert_eq!(berlin(after), "2025-11-04 00:00");
}

#[test]
fn a_zero_target_is_refused_so_fire_due_cannot_chase_its_tail() {
    // With a zero target and a breach transition that restarts the clock, every firing used to
    // make a new timer due at once, for ever.
    let def: WorkflowDef = serde_json::from_value(json!({
        "format": 1, "id": "loop", "version": 1, "title": "loop",
        "roles": [{"id": "r", "title": "r"}],
        "states": [{"id": "a", "title": "a", "initial": true}, {"id": "b", "title": "b", "terminal": true}],
        "transitions": [
            {"id": "retry", "title": "retry", "from": ["a"], "to": "a", "roles": ["r"]},
            {"id": "done", "title": "done", "from": ["a"], "to": "b", "roles": ["r"]}
        ],
        "slas": [{"id": "s", "calendar": "cn-mainland", "start": {"on_open": true, "transitions": ["retry"]},
                  "stop": {"transitions": ["retry"]}, "target": [{"duration": {"hours": 0}}],
                  "on_breach": [{"id": "b", "transition": "retry"}]}]
    }))
    .unwrap();
    let err = Workflow::compile(def).unwrap_err();
    assert_eq!(err.errors[0].error.code(), "sla.invalid_duration");
    assert_eq!(err.errors[0].path, "/slas/0/target/0/duration");
}

#[test]
fn stopping_at_the_deadline_is_late_like_the_breach_that_fires_then() {
    let rule = json!({"id": "s", "start": {"on_open": true}, "stop": {"transitions": ["done"]},
        "target": [{"duration": {"hours": 2}}], "on_breach": [{"id": "late", "after": {"working_days": 0}}]});
    let mut e = one_rule("cn-mainland", rule);
    let due = t("2025-01-27T12:00");
    // A breach step `after` 0 working days fires at the deadline, not a millisecond before.
    assert_eq!(
        e.due(due, 10).iter().map(|d| d.due_at).collect::<Vec<_>>(),
        vec![due]
    );
    assert!(e.due(due - 1, 10).is_empty());
    step(&mut e, "done", due);
    assert_eq!(clock(&e, "C", "s", "2025-01-27T12:00").status, "breached");
}

#[test]
fn a_paused_rolled_deadline_beyond_the_calendar_is_provisional() {
    let rule = json!({"id": "s", "start": {"transitions": ["wait"]}, "stop": {"transitions": ["done"]}, "pause": ["a"],
        "target": [{"duration": {"natural_days": 15, "roll_forward": true}}]});
    let mut e = one_rule("cn-mainland", rule);
    step(&mut e, "wait", t("2026-12-01T10:00"));
    step(&mut e, "back", t("2026-12-05T10:00"));
    let c = clock(&e, "C", "s", "2026-12-21T10:00");
    // Paused in `a` since 12/5: the deadline runs into 2027, whose holidays are not known.
    assert!(c.due_at.unwrap() > t("2027-01-01T00:00"));
    assert!(c.provisional);
}

#[test]
fn extensions_are_positive_whole_minutes_or_days() {
    let mut e = xinfang();
    to_handling(&mut e, "XF-7");
    let head = actor("head-1", "head", None);
    let at = t("2026-01-20T10:00");
    let err = e
        .extend(
            "XF-7",
            "handling",
            &head,
            Duration::NaturalDays {
                days: -10,
                roll_forward: false,
            },
            "x",
            at,
        )
        .unwrap_err();
    assert_eq!(err.code(), "sla.invalid_extension");
    let err = e
        .extend(
            "XF-7",
            "handling",
            &head,
            Duration::NaturalDays {
                days: 0,
                roll_forward: false,
            },
            "x",
            at,
        )
        .unwrap_err();
    assert_eq!(err.code(), "sla.invalid_extension");
    assert_eq!(e.history("XF-7").unwrap().len(), 3);
}

#[test]
fn a_regional_calendar_knows_nothing_before_its_own_years() {
    let mut e = Engine::new();
    e.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    let sh = json!({"format": 1, "id": "sh", "extends": "cn-mainland", "years": {"from": 2025, "to": 2026}});
    e.load_calendar(serde_json::from_value(sh).unwrap())
        .unwrap();
    let cal = e.calendar("sh").unwrap();
    // 2024 is outside its years: the weekly pattern applies and the result is provisional,
    // not midnight in the middle of the base's National Day holiday.
    let r = cal
        .add(t("2024-09-30T16:00"), Duration::WorkingTime(2 * 3_600_000))
        .unwrap();
    assert_eq!(cal.local_string(r.at).unwrap(), "2024-10-01T09:30:00+08:00");
    assert!(r.provisional);
}

#[test]
fn mixed_unit_targets_are_compared_per_unit_for_feasibility() {
    let def: WorkflowDef = serde_json::from_value(json!({
        "format": 1, "id": "mixed", "version": 1, "title": "mixed",
        "roles": [{"id": "r", "title": "r"}],
        "fields": [{"id": "urgent", "title": "urgent", "type": "boolean"}],
        "states": [{"id": "a", "title": "a", "initial": true}, {"id": "b", "title": "b"}, {"id": "c", "title": "c", "terminal": true}],
        "transitions": [
            {"id": "ab", "title": "ab", "from": ["a"], "to": "b", "roles": ["r"]},
            {"id": "bc", "title": "bc", "from": ["b"], "to": "c", "roles": ["r"]}
        ],
        "slas": [
            {"id": "whole", "calendar": "cn-mainland", "start": {"on_open": true}, "stop": {"enter": ["c"]},
             "target": [{"when": {"eq": [{"field": "urgent"}, {"value": true}]}, "duration": {"hours": 48}},
                        {"duration": {"natural_days": 30}}]},
            {"id": "one", "calendar": "cn-mainland", "start": {"on_open": true}, "stop": {"transitions": ["ab"]},
             "target": [{"duration": {"natural_days": 20}}]},
            {"id": "two", "calendar": "cn-mainland", "start": {"enter": ["b"]}, "stop": {"transitions": ["bc"]},
             "target": [{"duration": {"natural_days": 20}}]}
        ]
    }))
    .unwrap();
    // 48 hours is not compared with days; 20 + 20 natural days exceed the 30 natural days.
    let compiled = Workflow::compile(def).unwrap();
    let messages: Vec<String> = compiled
        .warnings
        .iter()
        .map(|w| w.error.to_string())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("40 natural days") && messages[0].contains("30 natural days"),
        "{messages:?}"
    );
}

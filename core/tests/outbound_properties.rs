//! The outbound templates' promises, over random commands: a post reaches 发布 only through
//! 初审, 复审 and 终审 since its last submission (先审后发, 国办发〔2018〕123号), every release
//! queues one `publish` effect per distinct channel named; and the township layer of the
//! 舆情 template only tightens the national one (same graph, no limit longer).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};

const TRANSITIONS: [&str; 12] = [
    "revise",
    "submit",
    "pass_first",
    "return_first",
    "pass_second",
    "return_second",
    "pass_final",
    "return_final",
    "release",
    "correct",
    "withdraw",
    "abandon",
];
const ROLES: [&str; 4] = ["operator", "editor", "section_head", "leader"];
// The role each transition is for; a command uses it three times in four, else any role.
const FOR: [usize; 12] = [0, 0, 1, 1, 2, 2, 3, 3, 0, 3, 3, 0];
// Forward steps drawn far more often, so that most sequences reach a release.
const DRAW: [usize; 28] = [
    0, 1, 1, 1, 2, 2, 2, 2, 3, 4, 4, 4, 4, 5, 6, 6, 6, 6, 7, 8, 8, 8, 8, 9, 10, 11, 1, 2,
];
static RELEASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const CHANNELS: [&str; 4] = ["wechat", "weibo", "web", "app"];
const START: i64 = 1_772_672_400_000; // Thu 2026-03-05 09:00 +08:00

fn template(id: &str) -> Value {
    serde_json::from_str(
        civicflow::shipped::TEMPLATES
            .iter()
            .find(|(t, _)| *t == id)
            .unwrap()
            .1,
    )
    .unwrap()
}

fn engine() -> Engine {
    let mut engine = Engine::new();
    let calendar: Value =
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    for request in [
        json!({"op": "load_calendar", "calendar": calendar}),
        json!({"op": "load_workflow", "definition": template("publishing")}),
    ] {
        assert_eq!(engine.answer_json(request)["ok"], true);
    }
    engine
}

fn payload(transition: &str, channels: &[usize], repost: bool) -> Value {
    let names: Vec<&str> = channels.iter().map(|&c| CHANNELS[c % 4]).collect();
    match transition {
        "revise" if repost => json!({"kind": "repost", "original": false}),
        "revise" => json!({"kind": "government", "original": true, "body": "正文"}),
        "release" => json!({"channels": names}),
        "correct" => json!({"correction": "更正"}),
        t if t.starts_with("return") || t == "withdraw" || t == "abandon" => {
            json!({"reason": "理由"})
        }
        _ => json!({}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn release_needs_the_three_approvals_since_the_last_submission(
        commands in prop::collection::vec(
            (0..DRAW.len(), 0..16usize, prop::collection::vec(0usize..4, 0..6), any::<bool>()),
            1..40,
        ),
    ) {
        let mut e = engine();
        let open = json!({"op": "open_case", "workflow": "publishing", "case_id": "P", "channel": "editorial",
            "at": START, "actor": {"id": "op", "roles": ["operator"]},
            "fields": {"title": "标题", "body": "正文", "kind": "government", "original": true, "account": "town-wechat"}});
        prop_assert_eq!(&e.answer_json(open)["ok"], &json!(true));
        // The approvals since the last submission, as the host saw them succeed.
        let mut approvals: Vec<&str> = Vec::new();
        for (k, (t, r, channels, repost)) in commands.into_iter().enumerate() {
            let t = DRAW[t];
            let transition = TRANSITIONS[t];
            let r = if r < 14 { FOR[t] } else { r % 4 };
            let request = json!({"op": "apply", "case_id": "P", "transition": transition,
                "at": START + (k as i64) * 600_000, "actor": {"id": ROLES[r], "roles": [ROLES[r]]},
                "payload": payload(transition, &channels, repost)});
            let answer = e.answer_json(request);
            if answer["ok"] != true {
                continue;
            }
            match transition {
                "submit" => approvals.clear(),
                "pass_first" | "pass_second" | "pass_final" => approvals.push(transition),
                "release" => {
                    prop_assert_eq!(&approvals, &vec!["pass_first", "pass_second", "pass_final"]);
                    let mut distinct: Vec<&str> = Vec::new();
                    for c in &channels {
                        if !distinct.contains(&CHANNELS[c % 4]) {
                            distinct.push(CHANNELS[c % 4]);
                        }
                    }
                    let published: Vec<&str> = answer["result"]["effects"].as_array().unwrap().iter()
                        .filter(|e| e["kind"] == "publish").map(|e| e["channel"].as_str().unwrap()).collect();
                    prop_assert_eq!(published, distinct);
                    RELEASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                _ => {}
            }
        }
    }
}

/// The property above is not vacuous: its sequences do reach releases.
#[test]
fn sequences_reach_releases() {
    release_needs_the_three_approvals_since_the_last_submission();
    let n = RELEASES.load(std::sync::atomic::Ordering::Relaxed);
    assert!(n >= 5, "only {n} releases");
}

/// The township layer keeps the national graph and every national rule, none made longer.
#[test]
fn township_layer_only_tightens_the_national_rules() {
    let national = template("yuqing");
    let township = template("yuqing-township");
    for key in ["fields", "roles", "states", "transitions"] {
        assert_eq!(national[key], township[key], "`{key}` differs");
    }
    let rule = |t: &Value, id: &str| {
        t["slas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    };
    let ms = |d: &Value| -> i64 {
        let h = d["hours"].as_i64().unwrap_or(0) + d["natural_days"].as_i64().unwrap_or(0) * 24;
        h * 3_600_000 + d["minutes"].as_i64().unwrap_or(0) * 60_000
    };
    let mut tightened = 0;
    for n in national["slas"].as_array().unwrap() {
        let id = n["id"].as_str().unwrap();
        let t = rule(&township, id).unwrap_or_else(|| panic!("the layer drops `{id}`"));
        assert_eq!(n["start"], t["start"], "{id}");
        assert_eq!(n["stop"], t["stop"], "{id}");
        let (nt, tt) = (
            n["target"].as_array().unwrap(),
            t["target"].as_array().unwrap(),
        );
        assert_eq!(nt.len(), tt.len(), "{id}");
        for (a, b) in nt.iter().zip(tt) {
            assert_eq!(a["when"], b["when"], "{id}");
            assert!(
                ms(&b["duration"]) <= ms(&a["duration"]),
                "`{id}` is longer in the layer"
            );
            tightened += usize::from(ms(&b["duration"]) < ms(&a["duration"]));
        }
    }
    assert!(tightened >= 1, "the layer tightens nothing");
    let extra: Vec<&str> = township["slas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .filter(|id| rule(&national, id).is_none())
        .collect();
    assert_eq!(extra, ["investigation_report"]);
}

/// A rule counted from the opening and re-targeted to another unit voids the extensions granted
/// in the old one, instead of reading hours as working days; back in hours, the plain target.
#[test]
fn regrade_to_another_unit_voids_extensions() {
    let definition = json!({
        "format": 1, "id": "regrade", "version": 1, "title": "改定等级",
        "fields": [{"id": "grade", "title": "等级", "type": "enum", "values": ["a", "b"]}],
        "roles": [{"id": "clerk", "title": "办事员"}, {"id": "chief", "title": "负责人"}],
        "states": [{"id": "open", "title": "办理中", "initial": true}, {"id": "done", "title": "办结", "terminal": true}],
        "transitions": [
            {"id": "grade", "title": "定级", "from": ["open"], "to": "open", "roles": ["clerk"], "requires": ["grade"], "set": ["grade"]},
            {"id": "finish", "title": "办结", "from": ["open"], "to": "done", "roles": ["clerk"]}
        ],
        "slas": [{
            "id": "limit", "title": "时限", "source": "test", "calendar": "cn-mainland", "since": "open",
            "start": {"transitions": ["grade"]}, "stop": {"transitions": ["finish"]},
            "target": [
                {"when": {"eq": [{"field": "grade"}, {"value": "a"}]}, "duration": {"hours": 10}},
                {"duration": {"working_days": 2}}
            ],
            "extension": {"roles": ["chief"], "max_count": 2, "max_total": {"hours": 5}}
        }]
    });
    let mut e = Engine::new();
    let calendar: Value =
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    let clerk = json!({"id": "c", "roles": ["clerk"]});
    let hour = 3_600_000;
    let at = START; // Thu 2026-03-05 09:00 +08:00
    let mut ok = |request: Value| {
        let answer = e.answer_json(request.clone());
        assert_eq!(answer["ok"], true, "{request} -> {answer}");
        answer
    };
    ok(json!({"op": "load_calendar", "calendar": calendar}));
    ok(json!({"op": "load_workflow", "definition": definition}));
    ok(
        json!({"op": "open_case", "workflow": "regrade", "case_id": "R", "channel": "desk", "at": at, "actor": clerk}),
    );
    let grade = |g: &str, t: i64| json!({"op": "apply", "case_id": "R", "transition": "grade", "at": t, "actor": clerk, "payload": {"grade": g}});
    let due = |answer: &Value| answer["result"]["clocks"][0]["due_at"].as_i64().unwrap();
    let status = |t: i64| json!({"op": "sla_status", "case_id": "R", "now": t});
    ok(grade("a", at + hour));
    assert_eq!(due(&ok(status(at + hour))), at + 10 * hour);
    ok(
        json!({"op": "extend", "case_id": "R", "sla": "limit", "duration": {"hours": 5}, "at": at + 2 * hour,
        "actor": {"id": "h", "roles": ["chief"]}, "reason": "需核查"}),
    );
    assert_eq!(due(&ok(status(at + 2 * hour))), at + 15 * hour);
    ok(grade("b", at + 3 * hour));
    let b = ok(status(at + 3 * hour));
    assert_eq!(b["result"]["clocks"][0]["extensions"], 0);
    // Two working days after Thursday: the close of Monday 9 March.
    assert_eq!(due(&b), 1_773_048_600_000);
    ok(grade("a", at + 4 * hour));
    assert_eq!(due(&ok(status(at + 4 * hour))), at + 10 * hour);
}

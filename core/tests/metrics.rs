//! The worked example of `docs/metrics.md`, checked against numbers computed by hand there.
//! The cases are those of conformance scenario 47: a week of township cases (2–8 March 2026),
//! measured on Friday 13 March 2026 at 18:00 Beijing time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::Path;

use civicflow::Engine;
use civicflow::{GroupBy, MetricsQuery, MetricsRow, Scoring, Tier};
use serde_json::{json, Value};

const NOW: i64 = 1_773_396_000_000; // 2026-03-13 18:00 +08:00
const FROM: i64 = 1_772_380_800_000; // 2026-03-02 00:00 +08:00
const TO: i64 = 1_772_985_600_000; // 2026-03-09 00:00 +08:00
const HOUR: i64 = 3_600_000;

/// The engine after every command of scenario 47, before its first `metrics`.
fn week() -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(root.join(p)).unwrap()).unwrap()
    };
    let mut engine = Engine::new();
    let cal = read("calendars/cn-mainland.json");
    assert_eq!(
        engine.answer_json(json!({"op": "load_calendar", "calendar": cal}))["ok"],
        true
    );
    let def = read("templates/township.json");
    assert_eq!(
        engine.answer_json(json!({"op": "load_workflow", "definition": def}))["ok"],
        true
    );
    let scenario = read("tests/scenarios/47_metrics.json");
    for step in scenario["steps"].as_array().unwrap() {
        let request = step["request"].clone();
        if request["op"] == "metrics" {
            break;
        }
        let answer = engine.answer_json(request);
        assert_eq!(answer["ok"], true, "{}: {answer}", step["name"]);
    }
    engine
}

fn query() -> MetricsQuery {
    MetricsQuery {
        from: Some(FROM),
        to: Some(TO),
        ..MetricsQuery::at(NOW)
    }
}

fn row<'a>(rows: &'a [MetricsRow], group: &str) -> &'a MetricsRow {
    rows.iter().find(|r| r.group == group).unwrap()
}

#[test]
fn counts_times_and_rates_by_unit() {
    let m = week().metrics(&query()).unwrap();
    let groups: Vec<&str> = m.rows.iter().map(|r| r.group.as_str()).collect();
    // M-D was rejected before dispatch (no unit); M-F opened after the period.
    assert_eq!(groups, ["", "dongcun", "town-env"]);

    let d = row(&m.rows, "dongcun");
    assert_eq!((d.received, d.accepted, d.closed, d.open), (3, 3, 2, 1));
    assert_eq!((d.open_overdue, d.overdue_cases), (0, 1));
    // Acceptance in working time: M-E 0.5 h, M-A 1 h, M-B 3.5 h (09:00-12:00, 13:30-14:00).
    assert_eq!(d.response_ms_median, Some(HOUR));
    assert_eq!(d.response_ms_p90, Some(7 * HOUR / 2));
    // Closure: M-E 12 h (Wed 3.5 + Thu 7 + Fri 1.5), M-A 22.5 h (7 + 7 + 7 + 1.5).
    assert_eq!(d.closure_ms_median, Some(12 * HOUR));
    assert_eq!(d.closure_ms_p90, Some(45 * HOUR / 2));
    assert_eq!((d.replied, d.reopened, d.reopen_rate), (3, 1, Some(0.3333)));
    assert_eq!((d.callbacks, d.contacted, d.solved), (3, 2, 2));
    let levels: Vec<(&str, u64)> = d.levels.iter().map(|(l, n)| (l.as_str(), *n)).collect();
    assert_eq!(
        levels,
        [
            ("basically_satisfied", 2),
            ("satisfied", 1),
            ("unsatisfied", 0)
        ]
    );
    assert_eq!(d.unsatisfied, 0);
    // Nothing closed at first contact: M-A and M-E were dispatched to dongcun.
    assert_eq!((d.first_contact, d.first_contact_rate), (0, Some(0.0)));
    assert_eq!(d.response_rate, Some(0.6667)); // 2 / 3
    assert_eq!(d.resolution_rate, Some(0.6667)); // 2 / 3
    assert_eq!(d.satisfaction_rate, Some(0.9333)); // (1 + 0.9 × 2) / 3
                                                   // 100 × (0.1 × 2/3 + 0.5 × 2/3 + 0.4 × 2.8/3) = 77.333...
    assert_eq!(d.score, Some(77.33));
    assert_eq!(d.name.as_deref(), Some("东村村民委员会"));
    assert_eq!(d.kind.as_deref(), Some("village"));

    let env = row(&m.rows, "town-env");
    assert_eq!((env.open, env.open_overdue, env.supervisions), (1, 1, 1));
    assert_eq!(env.supervisions_overdue, 0); // due Monday 16 March
    assert_eq!((env.callbacks, env.score), (0, None));

    let t = &m.total;
    assert_eq!(t.group, "*");
    assert_eq!((t.received, t.accepted, t.closed, t.open), (5, 4, 3, 2));
    // Five acceptances: 0.5, 0.5, 0.5, 1, 3.5 h.
    assert_eq!(t.response_ms_median, Some(HOUR / 2));
    assert_eq!(t.response_ms_p90, Some(7 * HOUR / 2));
    // Three closures: M-D 0.5 h, M-E 12 h, M-A 22.5 h.
    assert_eq!(t.closure_ms_median, Some(12 * HOUR));
}

#[test]
fn the_two_on_time_rates_differ_when_cases_are_open_and_overdue() {
    let m = week().metrics(&query()).unwrap();
    let handling = m
        .slas
        .iter()
        .find(|s| s.group == "*" && s.sla == "handling")
        .unwrap();
    // M-A and M-E replied in time; M-B's reopened clock runs; M-C is past its deadline.
    assert_eq!((handling.met, handling.late), (2, 0));
    assert_eq!((handling.open, handling.open_overdue), (1, 1));
    assert_eq!(handling.on_time_rate_completed_only, Some(1.0));
    assert_eq!(handling.on_time_rate_with_open_overdue, Some(0.6667));
    let response = m
        .slas
        .iter()
        .find(|s| s.group == "dongcun" && s.sla == "response")
        .unwrap();
    // M-B was accepted 5 hours after it arrived; the limit is 2.
    assert_eq!((response.met, response.late, response.breached), (2, 1, 1));
}

#[test]
fn roll_up_counts_each_case_for_every_unit_above_it() {
    let m = week()
        .metrics(&MetricsQuery {
            roll_up: true,
            ..query()
        })
        .unwrap();
    let received = |g: &str| row(&m.rows, g).received;
    assert_eq!(received("dongcun"), 3);
    assert_eq!(received("town-env"), 1);
    assert_eq!(received("town"), 4);
    assert_eq!(received("district"), 4);
    let ranked: Vec<(&str, &str, u32)> = m
        .ranking
        .iter()
        .map(|r| (r.peers.as_deref().unwrap(), r.group.as_str(), r.rank))
        .collect();
    assert_eq!(
        ranked,
        [
            ("district", "district", 1),
            ("township", "town", 1),
            ("village", "dongcun", 1)
        ]
    );
}

#[test]
fn scoring_is_configurable() {
    let m = week()
        .metrics(&MetricsQuery {
            group_by: GroupBy::Channel,
            scoring: Scoring {
                weights: [
                    ("response", 1.0),
                    ("resolution", 1.0),
                    ("satisfaction", 1.0),
                ]
                .map(|(k, w)| (k.to_owned(), w))
                .into(),
                basically_satisfied: 1.0,
                min_callbacks: 1,
                tiers: Vec::new(),
            },
            ..query()
        })
        .unwrap();
    // M-A: contacted, solved, satisfied. M-E (web): not contacted, solved, basically.
    assert_eq!(row(&m.rows, "wechat").score, Some(100.0));
    assert_eq!(row(&m.rows, "web").score, Some(66.67));
    assert_eq!(row(&m.rows, "web").satisfaction_rate, Some(1.0));
    let ranked: Vec<(&str, u32)> = m
        .ranking
        .iter()
        .map(|r| (r.group.as_str(), r.rank))
        .collect();
    // web and weibo tie on score (66.67); web solved its case and M-B was not: web first.
    assert_eq!(ranked, [("wechat", 1), ("web", 2), ("weibo", 3)]);
}

#[test]
fn csv_has_stable_columns_and_the_total_last() {
    let csv = week().metrics(&query()).unwrap().to_csv();
    let lines: Vec<&str> = csv.rows.split("\r\n").collect();
    assert!(
        lines[0].starts_with("group,name,kind,parent,received,accepted,closed,first_contact,open,")
    );
    assert!(lines[0]
        .contains(",level:satisfied,level:basically_satisfied,level:unsatisfied,unsatisfied,"));
    assert!(lines[0].ends_with(
        ",response_rate,resolution_rate,satisfaction_rate,first_contact_rate,score,tier"
    ));
    assert!(lines[2].starts_with("dongcun,东村村民委员会,village,town,3,3,2,0,1,0,1,"));
    assert!(
        lines[2].ends_with(",1,2,0,0,0.6667,0.6667,0.9333,0.0,77.33,"),
        "{}",
        lines[2]
    );
    // M-D was rejected at first contact: the one case closed without a unit.
    assert!(lines[4].starts_with("*,,,,5,4,3,1,2,"));
    assert_eq!(lines[5], "");
    assert_eq!(
        csv.ranking,
        "peers,rank,group,name,score,tier,resolution_rate,callbacks\r\nvillage,1,dongcun,东村村民委员会,77.33,,0.6667,3\r\n"
    );
}

#[test]
fn weights_name_any_rate_column_and_tiers_sort_scores() {
    let weights = [
        ("resolution_rate", 1.0),
        ("first_contact_rate", 1.0),
        ("on_time:handling", 2.0),
    ];
    let tiers = [("好", 60.0), ("较好", 40.0), ("一般", 0.0)];
    let m = week()
        .metrics(&MetricsQuery {
            group_by: GroupBy::Workflow,
            scoring: Scoring {
                weights: weights.map(|(k, w)| (k.to_owned(), w)).into(),
                tiers: tiers
                    .map(|(name, min)| Tier {
                        name: name.to_owned(),
                        min,
                    })
                    .into(),
                ..Scoring::default()
            },
            ..query()
        })
        .unwrap();
    let t = row(&m.rows, "township");
    // 解决率 2/3; first contact 1/3 (M-D of M-A, M-D, M-E closed); handling on time 2/3
    // (M-A, M-E met; M-C overdue; M-B still counting): 100 × (2/3 + 1/3 + 2 × 2/3) / 4.
    assert_eq!(t.first_contact_rate, Some(0.3333));
    assert_eq!(t.score, Some(58.33));
    assert_eq!(t.tier.as_deref(), Some("较好"));
    assert_eq!(m.ranking[0].tier.as_deref(), Some("较好"));
}

#[test]
fn bad_scoring_is_refused_at_its_place() {
    let engine = week();
    let cases = [
        (json!({"weights": {"speed": 1}}), "/scoring/weights/speed"),
        (
            json!({"weights": {"on_time:nope": 1}}),
            "/scoring/weights/on_time:nope",
        ),
        (
            json!({"weights": {"response": 1, "response_rate": 1}}),
            "/scoring/weights/response_rate",
        ),
        (json!({"weights": {"response": 0}}), "/scoring/weights"),
        (
            json!({"tiers": [{"name": "a", "min": 101}]}),
            "/scoring/tiers/0/min",
        ),
        (
            json!({"tiers": [{"name": "a", "min": 1}, {"name": "a", "min": 2}]}),
            "/scoring/tiers/1/name",
        ),
        (
            json!({"tiers": [{"name": " ", "min": 1}]}),
            "/scoring/tiers/0/name",
        ),
    ];
    for (scoring, pointer) in cases {
        let answer = engine
            .clone()
            .answer_json(json!({"op": "metrics", "now": NOW, "scoring": scoring}));
        assert_eq!(
            answer["errors"][0]["code"], "metrics.invalid_scoring",
            "{answer}"
        );
        assert_eq!(answer["errors"][0]["path"], pointer, "{answer}");
    }
}

#[test]
fn an_acknowledgement_accepts_nothing_and_a_linked_duplicate_is_no_first_contact() {
    let mut engine = Engine::new();
    let read = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    let ok = |engine: &mut Engine, request: Value| {
        let answer = engine.answer_json(request);
        assert_eq!(answer["ok"], true, "{answer}");
    };
    let calendar = read(include_str!("../../calendars/cn-mainland.json"));
    ok(
        &mut engine,
        json!({"op": "load_calendar", "calendar": calendar}),
    );
    for def in [
        include_str!("../../templates/hotline-12345.json"),
        include_str!("../../templates/xinfang-2022.json"),
    ] {
        ok(
            &mut engine,
            json!({"op": "load_workflow", "definition": read(def)}),
        );
    }
    let op = json!({"id": "op-1", "roles": ["operator"]});
    let keys = json!({"citizen": "c-1", "matter": "m-1"});
    let fields = json!({"summary": "劳动纠纷", "category": "other", "citizen_name": "张三",
                        "citizen_phone": "13800000001"});
    for (id, channel, at) in [("H-1", "hotline", FROM), ("H-2", "wechat", FROM + HOUR)] {
        ok(
            &mut engine,
            json!({"op": "open_case", "workflow": "hotline-12345", "case_id": id, "channel": channel,
                   "keys": keys, "fields": fields, "actor": op, "at": at}),
        );
    }
    // H-1 is acknowledged (回执: a transition back to its initial state, no decision), then
    // told its legal route and closed; H-2, linked to it, closes with it.
    ok(
        &mut engine,
        json!({"op": "apply", "case_id": "H-1", "transition": "acknowledge", "actor": op,
               "at": FROM + HOUR + 60_000}),
    );
    ok(
        &mut engine,
        json!({"op": "apply", "case_id": "H-1", "transition": "refer", "actor": op,
               "at": FROM + 2 * HOUR, "payload": {"legal_route": "arbitration"}}),
    );
    let m = engine
        .metrics(&MetricsQuery {
            group_by: GroupBy::Workflow,
            ..query()
        })
        .unwrap();
    let t = row(&m.rows, "hotline-12345");
    assert_eq!((t.closed, t.first_contact), (2, 1));
    assert_eq!(t.first_contact_rate, Some(0.5));
    let by_channel = engine
        .metrics(&MetricsQuery {
            group_by: GroupBy::Channel,
            ..query()
        })
        .unwrap();
    // The acknowledgement did not accept H-1: the legal route closed it without acceptance.
    let hotline = row(&by_channel.rows, "hotline");
    assert_eq!((hotline.accepted, hotline.first_contact), (0, 1));
    assert_eq!(row(&by_channel.rows, "wechat").first_contact, 0);
}

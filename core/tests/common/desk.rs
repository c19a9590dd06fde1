//! A random township desk shared by the tests that run hosts on it: the 青山镇 organisation,
//! the township workflow and calendar, and the requests of a random fortnight made against
//! the live engine as it goes (cases on five channels, duplicates, every transition an actor
//! may take, opinions, supervisions, timers, the outbox, archiving, refused commands).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::Engine;
use serde_json::{json, Value};

pub const TEMPLATE: &str = include_str!("../../../templates/township.json");
pub const ORG: &str = include_str!("../../../orgs/qingshan.json");
pub const CALENDAR: &str = include_str!("../../../calendars/cn-mainland.json");
/// Monday 2026-01-05 09:00 +08:00.
pub const T0: i64 = 1_767_574_800_000;
pub const HOUR: i64 = 3_600_000;

/// Answers `request`, which must succeed.
pub fn ok(engine: &mut Engine, request: Value) -> Value {
    let op = request["op"].clone();
    let answer = engine.answer_json(request);
    assert_eq!(answer["ok"], true, "{op}: {answer:#}");
    answer
}

/// Everything a host can observe of an engine's state: its snapshot (workflows, calendars,
/// organisation, every case's history, the outbox in order) and its timers.
pub fn state(engine: &mut Engine) -> (String, String) {
    let snapshot = engine.answer_str(r#"{"op": "snapshot"}"#);
    let due = engine.answer_str(&format!(
        r#"{{"op": "due", "now": {}, "limit": 100000}}"#,
        T0 + 400 * 24 * HOUR
    ));
    (snapshot, due)
}

/// The units of the 青山镇 organisation.
pub fn units() -> &'static [String] {
    static UNITS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    UNITS.get_or_init(|| {
        let org: Value = serde_json::from_str(ORG).unwrap();
        org["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    })
}

pub const CHANNELS: [&str; 5] = ["wechat", "weibo", "web", "hotline", "app"];
pub const MATTERS: [(&str, &str, &str); 5] = [
    ("东村村口路灯不亮", "municipal", "dongcun"),
    ("西村河道发臭", "environment", "xicun"),
    ("宅基地边界纠纷", "land", "dongcun"),
    ("低保金三个月未发放", "social_security", "xicun"),
    ("夜间施工噪音扰民", "public_safety", "dongcun"),
];

/// The requests of a random fortnight, made against the live engine as it goes.
pub struct Desk {
    pub now: i64,
    pub cases: Vec<String>,
}

impl Desk {
    pub fn actor(&self, engine: &mut Engine, case: &str, pick: u8) -> Value {
        let mut unit_of_case = || {
            let view = engine.answer_json(json!({"op": "get_case", "case_id": case}));
            view["result"]["handling"]["unit"]
                .as_str()
                .unwrap_or("town")
                .to_owned()
        };
        match pick % 7 {
            0 => json!({"id": "clerk-01", "roles": ["clerk"], "unit": "town"}),
            1 => json!({"id": "disp-01", "roles": ["dispatcher"], "unit": "town"}),
            2 | 3 => json!({"id": "h-01", "roles": ["handler"], "unit": unit_of_case()}),
            4 => json!({"id": "sup-01", "roles": ["supervisor"], "unit": "town"}),
            5 => json!({"id": "c-01", "roles": ["citizen"]}),
            _ => {
                json!({"id": "h-02", "roles": ["handler"], "unit": units()[usize::from(pick) % units().len()].as_str()})
            }
        }
    }

    /// A closed case the engine holds, if any.
    pub fn closed(&self, engine: &Engine, pick: u8) -> Option<String> {
        let closed: Vec<&String> = self
            .cases
            .iter()
            .filter(|c| engine.case(c).is_some_and(civicflow::Case::is_terminal))
            .collect();
        closed
            .get(usize::from(pick) % closed.len().max(1))
            .map(|c| (*c).clone())
    }

    pub fn payload(transition: &str, pick: u8) -> Value {
        let unit = units()[usize::from(pick) % units().len()].as_str();
        match transition {
            "reject" => json!({"reason": "不属于受理范围"}),
            "dispatch" if pick % 2 == 0 => json!({}),
            "dispatch" => json!({"handling_unit": unit}),
            "return_case" => json!({"reason": "派单错误"}),
            "transfer" => json!({"handling_unit": unit, "reason": "属地办理"}),
            "ask_assist" => json!({"assisting_units": ["volunteers", unit]}),
            "request_info" => json!({"info_request": "请补充现场照片"}),
            "supplement" => json!({"supplement": "照片已上传"}),
            "reply" => json!({"reply_text": "已处理完毕"}),
            "callback" if pick % 3 == 0 => json!({"cb_contacted": true, "cb_solved": false,
                "satisfaction": "unsatisfied", "cb_comment": "仍未解决"}),
            "callback" => {
                json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"})
            }
            "reopen" => json!({"redo_reason": "群众反映仍未解决"}),
            _ => json!({}),
        }
    }

    /// The next request, from three random numbers and what the engine holds.
    pub fn next(&mut self, engine: &mut Engine, (kind, a, b): (u8, u8, u8)) -> Value {
        self.now += i64::from(a % 20 + 1) * 60_000;
        let at = self.now;
        // Mostly a case still open; now and then any case, closed ones too.
        let open: Vec<&String> = self
            .cases
            .iter()
            .filter(|c| a % 10 == 0 || engine.case(c).is_some_and(|c| !c.is_terminal()))
            .collect();
        let case = (!open.is_empty()).then(|| open[usize::from(a) % open.len()].clone());
        match (kind % 16, case) {
            (0..=7, Some(case)) => {
                // The first actor, from a random one on, who can move the case.
                let (actor, choices) = (0..7)
                    .map(|k| {
                        let actor = self.actor(engine, &case, b.wrapping_add(k));
                        let open = engine.answer_json(
                            json!({"op": "available_transitions", "case_id": case, "actor": actor}),
                        );
                        let choices = open["result"]["transitions"].as_array().cloned();
                        (actor, choices.unwrap_or_default())
                    })
                    .find(|(_, choices)| !choices.is_empty())
                    .unwrap_or_else(|| (self.actor(engine, &case, b), Vec::new()));
                // Now and then a transition the actor may not take: refused, nothing changes.
                let pick = if b % 4 == 0 { usize::from(b / 7) } else { 0 };
                let transition = match choices.get(pick % choices.len().max(1)) {
                    Some(t) if b % 11 != 0 => t["id"].as_str().unwrap().to_owned(),
                    _ => "close".to_owned(),
                };
                json!({"op": "apply", "case_id": case, "transition": transition, "actor": actor,
                       "payload": Self::payload(&transition, a), "at": at})
            }
            (8, _) | (0..=7, None) => {
                let id = format!("T-{}", self.cases.len() + 1);
                self.cases.push(id.clone());
                let (summary, category, region) = MATTERS[usize::from(a) % MATTERS.len()];
                // Now and then the same citizen and matter come back on another channel: the
                // case is linked to the open one as it opens.
                let n = if a % 3 == 0 {
                    usize::from(a / 3) % self.cases.len()
                } else {
                    self.cases.len() - 1
                };
                let keys = json!({"citizen": format!("c-{n}"), "matter": format!("m-{n}")});
                json!({"op": "open_case", "workflow": "township", "case_id": id,
                       "channel": CHANNELS[usize::from(b) % CHANNELS.len()],
                       "fields": {"summary": summary, "category": category, "region": region,
                                  "citizen_name": "张伟", "citizen_phone": "13800001234"},
                       "keys": keys,
                       "actor": {"id": "clerk-01", "roles": ["clerk"], "unit": "town"}, "at": at})
            }
            (9 | 10, _) => {
                // Time passes, hours or days, and the host's timer job runs.
                self.now += i64::from(b % 40 + 1) * HOUR * if a % 3 == 0 { 8 } else { 1 };
                json!({"op": "fire_due", "now": self.now})
            }
            (11, Some(case)) => {
                let level = ["reminder", "supervision", "listed"][usize::from(b) % 3];
                let unit = ["town", "district"][usize::from(a) % 2];
                json!({"op": "supervise", "case_id": case, "level": level, "required": "说明情况",
                       "actor": {"id": "sup-02", "roles": ["supervisor"], "unit": unit}, "at": at})
            }
            (12, Some(case)) => {
                let actor = self.actor(engine, &case, 2);
                json!({"op": "answer_supervision", "case_id": case, "supervision": b % 2,
                       "answer": "已说明", "actor": actor, "at": at})
            }
            (13, Some(case)) => {
                let unit = [
                    "volunteers",
                    units()[usize::from(b) % units().len()].as_str(),
                ][usize::from(a) % 2];
                json!({"op": "submit_opinion", "case_id": case, "opinion": "同意", "at": at,
                       "actor": {"id": "h-03", "roles": ["handler"], "unit": unit}})
            }
            (15, _) if b % 4 != 0 && self.closed(engine, a).is_some() => {
                // A closed case: its pending effects delivered and acknowledged, or archived
                // (refused while some are pending).
                let case = self.closed(engine, a).unwrap();
                let prefix = format!("{case}#");
                let pending: Vec<String> = engine
                    .snapshot()
                    .outbox
                    .into_iter()
                    .filter(|id| id.starts_with(&prefix))
                    .collect();
                if pending.is_empty() || b % 2 == 0 {
                    json!({"op": "archive_case", "case_id": case})
                } else {
                    json!({"op": "ack_effects", "ids": pending})
                }
            }
            (14, Some(case)) => {
                let primary = &self.cases[usize::from(b) % self.cases.len()];
                json!({"op": "link_cases", "case_id": case, "primary": primary, "at": at,
                       "actor": {"id": "clerk-01", "roles": ["clerk"], "unit": "town"}})
            }
            _ => json!({"op": "drain_outbox", "now": at, "limit": 6, "lease_ms": 600_000}),
        }
    }
}

/// The second version of the township workflow, loaded half-way: new cases open on it.
pub fn next_version() -> Value {
    let mut def: Value = serde_json::from_str(TEMPLATE).unwrap();
    // The version after the shipped one, whatever that is.
    def["version"] = json!(def["version"].as_u64().unwrap() + 1);
    def["title"] = json!("乡镇（街道）综合服务台 新版");
    json!({"op": "load_workflow", "definition": def})
}

pub fn township_engine() -> Engine {
    let mut engine = Engine::new();
    ok(
        &mut engine,
        json!({"op": "load_calendar", "calendar": serde_json::from_str::<Value>(CALENDAR).unwrap()}),
    );
    ok(
        &mut engine,
        json!({"op": "load_org", "org": serde_json::from_str::<Value>(ORG).unwrap()}),
    );
    ok(
        &mut engine,
        json!({"op": "load_workflow", "definition": serde_json::from_str::<Value>(TEMPLATE).unwrap()}),
    );
    engine
}

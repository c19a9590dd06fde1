//! A week at a township service desk: messages from WeChat, Weibo, the website, the app and
//! the hotline reach 青山镇 and are handled through its organisation tree.
//!
//! Shows routing by the dispatch catalogue, an accusation never routed to the accused unit, a
//! misrouted case returned within its working day, co-handling with an opinion that comes in
//! late, a duplicate from a second channel linked to its primary and answered on both channels,
//! a callback that reopens a case, supervision by a person and climbing the tree on breach, an
//! appeal, and the outbox of effects the host delivers.
//!
//! Run it with `cargo run -p civicflow-examples --bin township`.

mod show;

use std::collections::BTreeMap;

use civicflow::{
    Actor, CaseError, Command, Engine, EventRecord, Level, MatterKeys, Opening, Values,
};
use serde_json::{json, Map, Value};
use show::{clock, pad, row};

const TEMPLATE: &str = include_str!("../../templates/township.json");
const ORG: &str = include_str!("../../orgs/qingshan.json");
const CALENDAR: &str = include_str!("../../calendars/cn-mainland.json");
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Monday 2026-01-05 00:00 +08:00.
const MONDAY: i64 = 1_767_542_400_000;

/// What happens at one moment of the week.
enum Do {
    Open {
        case: &'static str,
        channel: &'static str,
        fields: Value,
        keys: Option<(&'static str, &'static str)>,
        appeal_of: Option<&'static str>,
    },
    Take(&'static str, &'static str, &'static str, Value),
    Opinion(&'static str, &'static str, &'static str),
    Supervise(&'static str, &'static str, Level, &'static str),
    Answer(&'static str, &'static str, usize, &'static str),
    /// The host's timer job: fire everything due.
    Fire,
}

/// `day` counts from Monday; `hour` and `minute` are China time.
fn at(day: i64, hour: i64, minute: i64) -> i64 {
    MONDAY + day * DAY + hour * HOUR + minute * 60_000
}

fn actor(key: &str) -> Actor {
    let (roles, unit): (&[&str], &str) = match key {
        "clerk" => (&["clerk"], "town"),
        "dispatcher" => (&["dispatcher"], "town"),
        "sup-town" => (&["supervisor"], "town"),
        "citizen" => (&["citizen"], ""),
        unit => (&["handler"], unit),
    };
    let mut a = Actor::new(format!("{key}-01"), roles);
    a.unit = (!unit.is_empty()).then(|| unit.to_owned());
    a
}

fn message(summary: &str, category: &str, region: &str, name: &str) -> Value {
    json!({"summary": summary, "category": category, "region": region, "citizen_name": name,
           "citizen_phone": "13800001234"})
}

fn week() -> Vec<(i64, Do)> {
    use Do::*;
    let none = || json!({});
    let open = |case, channel, fields| Open {
        case,
        channel,
        fields,
        keys: None,
        appeal_of: None,
    };
    let river = || message("西村河道发臭，鱼大量死亡", "environment", "xicun", "李娜");
    vec![
        (
            at(0, 9, 5),
            open(
                "T-1",
                "wechat",
                message("东村村口路灯不亮", "municipal", "dongcun", "张伟"),
            ),
        ),
        (at(0, 9, 20), Take("T-1", "clerk", "accept", none())),
        (
            at(0, 9, 30),
            Open {
                case: "T-2",
                channel: "weibo",
                fields: river(),
                keys: Some(("citizen-李娜", "river-xicun")),
                appeal_of: None,
            },
        ),
        (at(0, 9, 40), Take("T-1", "dispatcher", "dispatch", none())),
        (at(0, 9, 50), Take("T-2", "clerk", "accept", none())),
        (at(0, 10, 0), Take("T-2", "dispatcher", "dispatch", none())),
        (
            at(0, 10, 10),
            Open {
                case: "T-3",
                channel: "web",
                fields: river(),
                keys: Some(("citizen-李娜", "river-xicun")),
                appeal_of: None,
            },
        ),
        (at(0, 10, 30), Take("T-1", "dongcun", "sign", none())),
        (at(0, 11, 0), Take("T-2", "town-env", "sign", none())),
        (
            at(0, 11, 30),
            Take(
                "T-2",
                "town-env",
                "ask_assist",
                json!({"assisting_units": ["xicun", "volunteers"]}),
            ),
        ),
        (
            at(0, 14, 0),
            open(
                "T-4",
                "hotline",
                message("宅基地边界纠纷", "land", "dongcun", "王强"),
            ),
        ),
        (at(0, 14, 10), Take("T-4", "clerk", "accept", none())),
        (at(0, 14, 20), Take("T-4", "dispatcher", "dispatch", none())),
        (
            at(0, 15, 0),
            open(
                "T-5",
                "app",
                json!({"summary": "东村村委会违规收取卫生费", "category": "municipal",
            "region": "dongcun", "citizen_name": "赵敏", "accused_unit": "dongcun"}),
            ),
        ),
        (at(0, 15, 10), Take("T-5", "clerk", "accept", none())),
        (at(0, 15, 20), Take("T-5", "dispatcher", "dispatch", none())),
        (
            at(0, 16, 0),
            open(
                "T-6",
                "wechat",
                message("低保金三个月未发放", "social_security", "dongcun", "孙梅"),
            ),
        ),
        (at(0, 16, 10), Take("T-6", "clerk", "accept", none())),
        (at(0, 16, 20), Take("T-6", "dispatcher", "dispatch", none())),
        (
            at(1, 9, 0),
            Take(
                "T-4",
                "town-land",
                "return_case",
                json!({"reason": "属村民小组内部纠纷，应由村委会调解"}),
            ),
        ),
        (at(1, 9, 0), Take("T-6", "town-social", "sign", none())),
        (
            at(1, 9, 30),
            Take(
                "T-4",
                "dispatcher",
                "dispatch",
                json!({"handling_unit": "dongcun"}),
            ),
        ),
        (at(1, 10, 0), Take("T-4", "dongcun", "sign", none())),
        (
            at(1, 11, 0),
            Take(
                "T-5",
                "dispatcher",
                "transfer",
                json!({"handling_unit": "dongcun", "reason": "属地办理"}),
            ),
        ),
        (at(1, 11, 30), Take("T-5", "district", "sign", none())),
        (
            at(1, 14, 0),
            Opinion("T-2", "xicun", "河道上游有养殖场排污，建议环保办现场执法"),
        ),
        (
            at(1, 16, 0),
            Take(
                "T-1",
                "dongcun",
                "reply",
                json!({"reply_text": "已更换路灯灯具"}),
            ),
        ),
        (
            at(2, 10, 0),
            Take(
                "T-1",
                "clerk",
                "callback",
                json!({"cb_contacted": true, "cb_solved": false,
            "satisfaction": "unsatisfied", "cb_comment": "晚上还是不亮"}),
            ),
        ),
        (
            at(2, 10, 10),
            Take(
                "T-1",
                "clerk",
                "reopen",
                json!({"redo_reason": "群众反映夜间仍不亮，线路故障未排除"}),
            ),
        ),
        (
            at(2, 10, 30),
            Supervise(
                "T-6",
                "sup-town",
                Level::Supervision,
                "两个工作日内说明低保金未发放原因",
            ),
        ),
        (
            at(2, 15, 0),
            Take(
                "T-4",
                "dongcun",
                "reply",
                json!({"reply_text": "经村委会调解，双方同意按原界址确权"}),
            ),
        ),
        (at(3, 9, 0), Fire),
        (
            at(3, 10, 0),
            Opinion("T-2", "volunteers", "可组织志愿者清理河道垃圾"),
        ),
        (
            at(3, 10, 30),
            Take(
                "T-4",
                "clerk",
                "callback",
                json!({"cb_contacted": true, "cb_solved": false,
            "satisfaction": "unsatisfied", "cb_comment": "不认可调解结果"}),
            ),
        ),
        (at(3, 10, 40), Take("T-4", "clerk", "close", none())),
        (
            at(3, 11, 0),
            Take(
                "T-2",
                "town-env",
                "reply",
                json!({"reply_text": "已查处上游养殖场排污并组织清淤，水质恢复"}),
            ),
        ),
        (
            at(3, 15, 0),
            Take(
                "T-5",
                "district",
                "reply",
                json!({"reply_text": "经核查，违规收费已责令退还"}),
            ),
        ),
        (
            at(3, 16, 0),
            Take(
                "T-1",
                "dongcun",
                "reply",
                json!({"reply_text": "已更换老化线路，路灯夜间正常"}),
            ),
        ),
        (
            at(4, 9, 0),
            Take(
                "T-1",
                "clerk",
                "callback",
                json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
            ),
        ),
        (at(4, 9, 10), Take("T-1", "clerk", "close", none())),
        (
            at(4, 10, 0),
            Take(
                "T-2",
                "clerk",
                "callback",
                json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "basically_satisfied"}),
            ),
        ),
        (at(4, 10, 10), Take("T-2", "clerk", "close", none())),
        (
            at(4, 14, 0),
            Open {
                case: "T-4R",
                channel: "letter",
                fields: message(
                    "对宅基地纠纷处理意见不服，申请复查",
                    "land",
                    "dongcun",
                    "王强",
                ),
                keys: None,
                appeal_of: Some("T-4"),
            },
        ),
        (at(4, 14, 30), Take("T-4R", "clerk", "accept", none())),
        (
            at(4, 15, 0),
            // 复查 goes to the level above the one that decided.
            Take(
                "T-4R",
                "dispatcher",
                "dispatch",
                json!({"handling_unit": "district-letters"}),
            ),
        ),
        (at(9, 9, 0), Fire),
        (
            at(9, 10, 0),
            Answer(
                "T-6",
                "town-social",
                0,
                "区民政局系统升级导致发放延迟，本周内补发",
            ),
        ),
    ]
}

/// Runs one thing; the line to print, or the refusal.
fn run(engine: &mut Engine, when: i64, what: &Do) -> Result<String, CaseError> {
    // Nothing is delivered until the end of the week, so what a step adds to the outbox is
    // the growth of the pending count.
    let before = engine.pending_effects();
    let line = match what {
        Do::Open {
            case,
            channel,
            fields,
            keys,
            appeal_of,
        } => {
            let fields: Map<String, Value> = fields.as_object().cloned().unwrap_or_default();
            let keys = keys.map(|(citizen, matter)| MatterKeys {
                citizen: citizen.into(),
                matter: matter.into(),
            });
            let clerk = actor("clerk");
            let opening = Opening {
                case_id: case,
                channel,
                fields: Values::Json(&fields),
                actor: &clerk,
                at: when,
                keys: keys.as_ref(),
            };
            let summary = fields
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let case = match appeal_of {
                Some(of) => engine.open_appeal("township", None, &opening, of)?,
                None => engine.open_case("township", None, &opening)?,
            };
            let mut line = format!("{} {summary}", case.channel());
            if let Some(h) = case.view().handling {
                if let Some(p) = h.primary {
                    line += &format!(" → 与 {p} 为同一诉求，已并入主件 ({})", case.state());
                }
                if let Some(a) = h.appeal_of {
                    line += &format!(
                        " → 对 {} 的{}申请",
                        a.case_id,
                        match a.stage {
                            civicflow::Stage::Review => "复查",
                            civicflow::Stage::ReReview => "复核",
                        }
                    );
                }
            }
            line
        }
        Do::Take(case, who, transition, payload) => {
            let payload: Map<String, Value> = payload.as_object().cloned().unwrap_or_default();
            let a = actor(who);
            let cmd = Command {
                transition,
                actor: &a,
                payload: Values::Json(&payload),
                at: when,
            };
            let state = engine.apply(case, &cmd)?.state().to_owned();
            let mut line = format!(
                "{} {}: → {}",
                a.id,
                show::title(engine, "township", transition),
                state
            );
            if let Some(h) = engine.case(case).and_then(|c| c.view().handling) {
                if matches!(*transition, "dispatch" | "transfer") {
                    if let (Some(u), Some(r)) = (&h.unit, &h.route) {
                        let passed = if r.passed_over.is_empty() {
                            String::new()
                        } else {
                            format!("，跳过被检举单位 {}", r.passed_over.join(", "))
                        };
                        line += &format!(
                            " {u}（{}{passed}）",
                            r.rule
                                .as_deref()
                                .map_or(format!("{:?}", r.basis).to_lowercase(), |r| format!(
                                    "rule {r}"
                                ))
                        );
                    } else if let Some(u) = &h.unit {
                        line += &format!(" {u}");
                    }
                }
            }
            line
        }
        Do::Opinion(case, who, text) => {
            engine.submit_opinion(case, &actor(who), text, when)?;
            format!("{who} 会办意见: {text}")
        }
        Do::Supervise(case, who, level, required) => {
            engine.supervise(case, &actor(who), *level, None, required, when)?;
            format!("{who} {}: {required}", level_name(*level))
        }
        Do::Answer(case, who, index, text) => {
            engine.answer_supervision(case, &actor(who), *index, text, when)?;
            format!("{who} 答复督办 #{index}: {text}")
        }
        Do::Fire => {
            let fired = engine.fire_due(when);
            let mut out = format!("定时任务 fire_due: {} 件有到期事项", fired.len());
            for f in fired {
                for e in f.events {
                    out += &format!(
                        "\n{}",
                        row(&[("", 11), ("", 5), (&f.case_id, 5), (&describe(&e), 0)])
                    );
                }
            }
            out
        }
    };
    let effects = engine.pending_effects() - before;
    Ok(if effects > 0 {
        format!("{line}  [+{effects} effects]")
    } else {
        line
    })
}

fn cmd_case(what: &Do) -> &'static str {
    match what {
        Do::Take(case, ..)
        | Do::Opinion(case, ..)
        | Do::Supervise(case, ..)
        | Do::Answer(case, ..) => case,
        Do::Open { case, .. } => case,
        Do::Fire => "",
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Reminder => "催办",
        Level::Supervision => "督办",
        Level::Listed => "挂牌督办",
    }
}

fn describe(e: &EventRecord) -> String {
    match e {
        EventRecord::SlaWarning { sla, warning, .. } => format!("预警 {sla}/{warning}"),
        EventRecord::SlaBreached { sla, step, .. } => format!("超期 {sla}/{step}"),
        EventRecord::SupervisionRaised { level, unit, .. } => {
            format!("自动{} by {unit}", level_name(*level))
        }
        EventRecord::OpinionOverdue { unit, .. } => format!("会办意见逾期: {unit}"),
        EventRecord::SupervisionOverdue {
            unit, supervision, ..
        } => format!("督办 #{supervision} 逾期未答复 ({unit})"),
        EventRecord::Transitioned { transition, to, .. } => format!("系统执行 {transition} → {to}"),
        other => format!("{:?}", other.seq()),
    }
}

fn main() {
    let mut engine = Engine::new();
    let loaded = serde_json::from_str(CALENDAR)
        .map_err(|e| e.to_string())
        .and_then(|c| engine.load_calendar(c).map(drop).map_err(|e| e.to_string()))
        .and_then(|()| serde_json::from_str(ORG).map_err(|e| e.to_string()))
        .and_then(|o| engine.load_org(o).map(drop).map_err(|e| e.to_string()))
        .and_then(|()| serde_json::from_str(TEMPLATE).map_err(|e| e.to_string()))
        .and_then(|w| engine.load_workflow(w).map(drop).map_err(|e| e.to_string()));
    if let Err(e) = loaded {
        return eprintln!("the township data does not load: {e}");
    }
    println!("青山镇便民服务中心的一周 (workflow `township`, organisation `qingshan`, calendar `cn-mainland`)\n");
    let (mut done, mut refused) = (0, 0);
    for (when, what) in week() {
        let case = cmd_case(&what);
        match run(&mut engine, when, &what) {
            Ok(line) => {
                done += 1;
                println!("{}", row(&[(&clock(when), 11), (case, 5), (&line, 0)]));
            }
            Err(e) => {
                refused += 1;
                println!(
                    "{}",
                    row(&[
                        (&clock(when), 11),
                        (case, 5),
                        (&format!("✗ refused [{}] {e}", e.code()), 0)
                    ])
                );
            }
        }
    }

    println!("\nThe cases at the end:");
    println!(
        "{}",
        row(&[
            ("case", 5),
            ("channel", 8),
            ("unit", 16),
            ("state", 18),
            ("record", 0)
        ])
    );
    let mut ids: Vec<String> = engine.snapshot().cases.into_iter().map(|c| c.id).collect();
    ids.sort();
    for id in &ids {
        let Some(v) = engine.case(id).map(|c| c.view()) else {
            continue;
        };
        let h = v.handling.unwrap_or_default();
        let mut notes = Vec::new();
        if h.transfers + h.returns > 0 {
            notes.push(format!("转办 {} 退回 {}", h.transfers, h.returns));
        }
        if !h.assisting.is_empty() {
            let late = h.assisting.iter().filter(|a| a.overdue).count();
            notes.push(format!("会办 {} (逾期 {late})", h.assisting.len()));
        }
        if !h.supervisions.is_empty() {
            let by: Vec<String> = h
                .supervisions
                .iter()
                .map(|s| format!("{}{}", s.unit, if s.overdue { "!" } else { "" }))
                .collect();
            notes.push(format!("督办 {}", by.join("→")));
        }
        if !h.linked.is_empty() {
            notes.push(format!(
                "并案 {}",
                h.linked
                    .iter()
                    .map(|l| format!("{}({})", l.case_id, l.channel))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if h.reopens > 0 {
            notes.push(format!("重办 {}", h.reopens));
        }
        let state = format!("{} {}", v.state, v.state_title.unwrap_or_default());
        let unit = h.unit.unwrap_or_default();
        println!(
            "{}",
            row(&[
                (&v.id, 5),
                (&v.channel, 8),
                (&unit, 16),
                (&state, 18),
                (&notes.join("; "), 0)
            ])
        );
    }

    // The host's delivery job: take everything pending, deliver, acknowledge.
    let effects = engine.drain_outbox(at(9, 11, 0), usize::MAX, 60_000);
    let mut by_reason: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in &effects {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        *by_reason.entry((kind, e.reason.clone())).or_default() += 1;
    }
    println!(
        "\nThe outbox: {} effects for the host to deliver",
        effects.len()
    );
    for ((kind, reason), n) in &by_reason {
        println!("{}", row(&[(kind, 20), (reason, 22), (&n.to_string(), 0)]));
    }
    println!("\nThe reply to T-2 reaches the citizen on every linked channel:");
    for e in effects.iter().filter(|e| {
        e.case_id == "T-2" && e.kind == civicflow::EffectKind::NotifyCitizen && e.reason == "reply"
    }) {
        println!(
            "  {} → {} ({})",
            pad(&e.id, 8),
            e.channel.as_deref().unwrap_or(""),
            e.channel_case.as_deref().unwrap_or("")
        );
    }
    let ids: Vec<String> = effects.into_iter().map(|e| e.id).collect();
    let acked = engine.ack_effects(&ids).unwrap_or(0);
    println!(
        "\n{} cases, {done} things done, {refused} refused with a typed error and no change; {acked} effects delivered, {} pending.",
        engine.case_count(),
        engine.pending_effects()
    );
}

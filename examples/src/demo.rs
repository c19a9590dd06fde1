//! The first thing to run: a week at a district 12345 hotline.
//!
//! Loads the 12345 work-order template, runs a dozen work orders from WeChat, Weibo, the
//! website, the app, the hotline, letters and visits through different paths (including
//! commands the engine refuses, with their errors), then prints each case's timeline, the
//! workflow as a Mermaid diagram, and where every case stands.
//!
//! Run it with `cargo run -p civicflow-examples --bin demo`.

mod show;

use civicflow::{Actor, Coded, Command, Engine, Opening, Values, WorkflowDef};
use serde_json::{json, Map, Value};
use show::{clock, pad, row};

const TEMPLATE: &str = include_str!("../../templates/hotline-12345.json");
const CALENDAR: &str = include_str!("../../calendars/cn-mainland.json");
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// What happens to one work order: when (minutes after it came in), who, what, with what.
struct Step {
    after: i64,
    actor: &'static str,
    transition: &'static str,
    payload: Value,
}

fn step(after: i64, actor: &'static str, transition: &'static str, payload: Value) -> Step {
    Step {
        after,
        actor,
        transition,
        payload,
    }
}

struct Order {
    id: &'static str,
    channel: &'static str,
    opened: i64,
    fields: Value,
    steps: Vec<Step>,
}

fn actor(key: &str) -> Actor {
    let (id, roles, unit): (&str, &[&str], Option<&str>) = match key {
        "operator" => ("op-王敏", &["operator"], None),
        "dispatcher" => ("disp-刘强", &["dispatcher"], None),
        "env" => ("h-环保-陈", &["handler"], Some("district-env")),
        "water" => ("h-水务-周", &["handler"], Some("water-group")),
        "urban" => ("h-城管-吴", &["handler"], Some("urban-mgmt")),
        "housing" => ("h-住建-郑", &["handler"], Some("housing-bureau")),
        "supervisor" => ("sup-督办-孙", &["supervisor"], None),
        _ => ("citizen-app", &["citizen"], None),
    };
    let mut a = Actor::new(id, roles);
    a.unit = unit.map(str::to_owned);
    a
}

fn citizen(summary: &str, category: &str, name: &str, phone: &str) -> Value {
    json!({"summary": summary, "category": category, "citizen_name": name, "citizen_phone": phone})
}

fn orders() -> Vec<Order> {
    let unit = |u: &str| json!({ "assigned_unit": u });
    let none = || json!({});
    vec![
        Order {
            id: "WO-0001",
            channel: "wechat",
            opened: 0,
            fields: citizen("幸福路路灯不亮", "municipal", "张伟", "13812345678"),
            steps: vec![
                step(
                    10,
                    "operator",
                    "accept",
                    json!({"urgency": "normal", "region": "幸福街道"}),
                ),
                step(25, "dispatcher", "dispatch", unit("urban-mgmt")),
                step(90, "urban", "sign", none()),
                step(
                    26 * 60,
                    "urban",
                    "reply",
                    json!({"reply_text": "已更换灯具，路灯恢复照明。"}),
                ),
                step(
                    48 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
                step(48 * 60 + 5, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0002",
            channel: "weibo",
            opened: 2 * HOUR,
            fields: citizen("夜间施工噪声扰民", "environment", "李娜", "13900001111"),
            steps: vec![
                step(15, "operator", "accept", json!({"urgency": "urgent"})),
                step(30, "dispatcher", "dispatch", unit("water-group")),
                step(
                    120,
                    "water",
                    "return_order",
                    json!({"return_reason": "施工噪声不属于供水职责，请改派环保部门"}),
                ),
                step(150, "dispatcher", "dispatch", unit("district-env")),
                step(180, "env", "sign", none()),
                step(
                    20 * 60,
                    "env",
                    "reply",
                    json!({"reply_text": "已责令施工单位夜间停工并罚款。"}),
                ),
                step(
                    30 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "basically_satisfied"}),
                ),
                step(30 * 60 + 2, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0003",
            channel: "hotline",
            opened: 5 * HOUR,
            fields: citizen("小区停水超过一天", "municipal", "王芳", "13700002222"),
            steps: vec![
                step(5, "operator", "accept", json!({"urgency": "urgent"})),
                step(20, "dispatcher", "dispatch", unit("urban-mgmt")),
                step(60, "urban", "sign", none()),
                step(
                    90,
                    "supervisor",
                    "transfer",
                    json!({"assigned_unit": "water-group", "transfer_reason": "涉及供水管网抢修"}),
                ),
                step(100, "water", "sign", none()),
                step(
                    8 * 60,
                    "water",
                    "reply",
                    json!({"reply_text": "管网已抢修完毕，恢复供水。"}),
                ),
                step(
                    24 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
                step(24 * 60 + 1, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0004",
            channel: "web",
            opened: 26 * HOUR,
            fields: citizen("楼道垃圾无人清运", "environment", "赵磊", "13600003333"),
            steps: vec![
                step(30, "operator", "accept", none()),
                step(40, "dispatcher", "dispatch", unit("district-env")),
                step(120, "env", "sign", none()),
                step(
                    150,
                    "env",
                    "request_info",
                    json!({"info_request": "请提供具体楼栋号和现场照片"}),
                ),
                step(
                    20 * 60,
                    "citizen",
                    "supplement",
                    json!({"supplement": "3号楼2单元，照片已上传"}),
                ),
                step(
                    30 * 60,
                    "env",
                    "reply",
                    json!({"reply_text": "已清运并增加清运频次。"}),
                ),
                step(
                    50 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
                step(50 * 60 + 3, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0005",
            channel: "app",
            opened: 28 * HOUR,
            fields: citizen("道路坑洼影响通行", "traffic", "孙丽", "13500004444"),
            steps: vec![
                step(10, "operator", "accept", none()),
                step(20, "dispatcher", "dispatch", unit("urban-mgmt")),
                step(60, "urban", "sign", none()),
                step(
                    10 * 60,
                    "urban",
                    "reply",
                    json!({"reply_text": "已纳入维修计划。"}),
                ),
                step(
                    30 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": false, "satisfaction": "dissatisfied"}),
                ),
                step(
                    30 * 60 + 5,
                    "operator",
                    "redo",
                    json!({"redo_reason": "市民反映坑洼仍未修补"}),
                ),
                step(
                    40 * 60,
                    "urban",
                    "reply",
                    json!({"reply_text": "坑洼已于今日修补完毕。"}),
                ),
                step(
                    60 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}),
                ),
                step(60 * 60 + 2, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0006",
            channel: "letter",
            opened: 30 * HOUR,
            fields: citizen("顶楼房屋漏水", "housing", "周杰", "13400005555"),
            steps: vec![
                step(60, "operator", "accept", none()),
                step(90, "dispatcher", "dispatch", unit("housing-bureau")),
                step(180, "housing", "sign", none()),
                step(
                    50 * 60,
                    "housing",
                    "reply",
                    json!({"reply_text": "属于维修基金使用范围，已告知申请流程。"}),
                ),
                step(
                    70 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": true, "cb_solved": false, "satisfaction": "dissatisfied"}),
                ),
                step(70 * 60 + 10, "operator", "close", none()),
                step(72 * 60, "supervisor", "close", none()),
            ],
        },
        Order {
            id: "WO-0007",
            channel: "visit",
            opened: 50 * HOUR,
            fields: citizen("咨询离婚财产分割", "other", "吴婷", "13300006666"),
            steps: vec![step(
                20,
                "operator",
                "reject",
                json!({"reject_reason": "属于司法程序事项，已告知依法向法院起诉。"}),
            )],
        },
        Order {
            id: "WO-0008",
            channel: "wechat",
            opened: 52 * HOUR,
            fields: citizen("商户占道经营", "market", "郑浩", "13200007777"),
            steps: vec![
                step(10, "operator", "accept", none()),
                step(30, "dispatcher", "dispatch", unit("urban-mgmt")),
                step(90, "urban", "sign", none()),
                step(
                    5 * 60,
                    "citizen",
                    "withdraw",
                    json!({"withdraw_reason": "商户已自行整改"}),
                ),
                step(
                    6 * 60,
                    "urban",
                    "reply",
                    json!({"reply_text": "已现场查看"}),
                ),
            ],
        },
        Order {
            id: "WO-0009",
            channel: "hotline",
            opened: 74 * HOUR,
            fields: citizen("广场舞音响扰民", "environment", "冯雪", "13100008888"),
            steps: vec![
                step(5, "citizen", "accept", none()),
                step(8, "operator", "accept", none()),
                step(15, "dispatcher", "dispatch", unit("district-env")),
                step(40, "water", "sign", none()),
                step(45, "env", "sign", none()),
                step(100, "env", "reply", none()),
                step(
                    20,
                    "env",
                    "reply",
                    json!({"reply_text": "已协调广场舞队调低音量。"}),
                ),
                step(
                    110,
                    "env",
                    "reply",
                    json!({"reply_text": "已协调广场舞队调低音量、限定时段。"}),
                ),
            ],
        },
        Order {
            id: "WO-0010",
            channel: "weibo",
            opened: 96 * HOUR,
            fields: citizen(
                "违章停车堵塞消防通道",
                "public_safety",
                "陈晨",
                "13000009999",
            ),
            steps: vec![
                step(3, "operator", "accept", json!({"urgency": "urgent"})),
                step(8, "dispatcher", "dispatch", unit("urban-mgmt")),
            ],
        },
        Order {
            id: "WO-0011",
            channel: "web",
            opened: 100 * HOUR,
            fields: citizen("公交站牌信息错误", "traffic", "褚明", "18900001234"),
            steps: vec![
                step(30, "operator", "accept", none()),
                step(45, "dispatcher", "dispatch", unit("urban-mgmt")),
                step(120, "urban", "sign", none()),
                step(
                    24 * 60,
                    "urban",
                    "reply",
                    json!({"reply_text": "站牌已更新。"}),
                ),
                step(
                    48 * 60,
                    "operator",
                    "callback",
                    json!({"cb_contacted": false, "cb_solved": false, "satisfaction": "unreachable"}),
                ),
                step(48 * 60 + 1, "operator", "close", none()),
            ],
        },
        Order {
            id: "WO-0012",
            channel: "app",
            opened: 120 * HOUR,
            fields: json!({"summary": "社保卡补办进度查询", "category": "pension", "citizen_name": "卫东"}),
            steps: vec![],
        },
    ]
}

fn main() {
    let mut engine = Engine::new();
    let calendar = serde_json::from_str(CALENDAR)
        .map_err(|e| e.to_string())
        .and_then(|c| engine.load_calendar(c).map_err(|e| e.to_string()));
    if let Err(e) = calendar {
        return eprintln!("the calendar does not load: {e}");
    }
    let def: WorkflowDef = match serde_json::from_str(TEMPLATE) {
        Ok(def) => def,
        Err(e) => return eprintln!("the template is not a definition: {e}"),
    };
    match engine.load_workflow(def) {
        Ok(loaded) => println!(
            "Loaded workflow `{}` version {} ({} warnings).\n",
            loaded.workflow.id(),
            loaded.workflow.version(),
            loaded.warnings.len()
        ),
        Err(e) => return eprintln!("the template does not load: {e}"),
    }
    let monday = 1_793_581_200_000; // 2026-11-02 09:00 +08:00
    let (mut accepted, mut refused) = (0, 0);
    for order in orders() {
        let fields: Map<String, Value> = order.fields.as_object().cloned().unwrap_or_default();
        let opened = monday + order.opened;
        let summary = fields
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        println!("━━ {} · {} · {summary}", order.id, order.channel);
        let operator = actor("operator");
        let opening = Opening {
            case_id: order.id,
            channel: order.channel,
            fields: Values::Json(&fields),
            actor: &operator,
            at: opened,
            keys: None,
        };
        if let Err(e) = engine.open_case("hotline-12345", None, &opening) {
            refused += 1;
            for d in e.details("") {
                println!(
                    "  ✗ {} refused to open: {} ({} at {})",
                    clock(opened),
                    d.message,
                    d.code,
                    d.path.unwrap_or_default()
                );
            }
            println!();
            continue;
        }
        println!(
            "{}",
            row(&[
                ("time", 11),
                ("actor", 14),
                ("transition", 24),
                ("state", 0)
            ])
        );
        let initial = engine
            .case(order.id)
            .map(|c| c.state().to_owned())
            .unwrap_or_default();
        println!(
            "{}",
            row(&[
                (&clock(opened), 11),
                (&operator.id, 14),
                ("opened", 24),
                (&initial, 0)
            ])
        );
        for s in &order.steps {
            let a = actor(s.actor);
            let payload = s.payload.as_object().cloned().unwrap_or_default();
            let cmd = Command {
                transition: s.transition,
                actor: &a,
                payload: Values::Json(&payload),
                at: opened + s.after * MINUTE,
            };
            let what = format!(
                "{} {}",
                s.transition,
                show::title(&engine, "hotline-12345", s.transition)
            );
            match engine.apply(order.id, &cmd) {
                Ok(case) => {
                    accepted += 1;
                    let moved = match case.history(case.events().len() - 1).pop() {
                        Some(civicflow::EventRecord::Transitioned { from, to, .. }) => {
                            format!("{from} → {to}")
                        }
                        _ => String::new(),
                    };
                    println!(
                        "{}",
                        row(&[(&clock(cmd.at), 11), (&a.id, 14), (&what, 24), (&moved, 0)])
                    );
                }
                Err(e) => {
                    refused += 1;
                    println!(
                        "{}",
                        row(&[
                            (&clock(cmd.at), 11),
                            (&a.id, 14),
                            (&what, 24),
                            (&format!("✗ refused [{}]", e.code()), 0)
                        ])
                    );
                    println!(
                        "{}",
                        row(&[("", 11), ("", 14), ("", 24), (&format!("  {e}"), 0)])
                    );
                }
            }
        }
        let Some(case) = engine.case(order.id) else {
            continue;
        };
        let view = case.view();
        println!(
            "  now: {} {}\n",
            view.state,
            view.state_title.unwrap_or_default()
        );
    }

    println!("Workflow diagram (Mermaid, paste into any Mermaid viewer):\n");
    let graph = engine.answer_json(
        json!({"op": "export_graph", "workflow": "hotline-12345", "format": "mermaid"}),
    );
    println!(
        "{}",
        graph
            .pointer("/result/text")
            .and_then(Value::as_str)
            .unwrap_or("")
    );

    println!("Where the cases stand:");
    let mut ids: Vec<String> = engine.snapshot().cases.into_iter().map(|c| c.id).collect();
    ids.sort();
    println!(
        "{}",
        row(&[("case", 9), ("channel", 8), ("state", 24), ("events", 0)])
    );
    for id in &ids {
        if let Some(c) = engine.case(id) {
            let v = c.view();
            let state = format!("{} {}", v.state, v.state_title.unwrap_or_default());
            println!(
                "{}",
                row(&[
                    (&v.id, 9),
                    (&v.channel, 8),
                    (&state, 24),
                    (&v.events.to_string(), 0)
                ])
            );
        }
    }
    // Time limits: at the end of the week, what is running, what is late, and what fires.
    let friday = monday + 4 * 24 * HOUR + 9 * HOUR; // 2026-11-06 18:00 +08:00
    println!(
        "\nTime limits at {} (SLA clocks of the cases still open):",
        clock(friday)
    );
    println!(
        "{}",
        row(&[
            ("case", 9),
            ("rule", 16),
            ("status", 10),
            ("due", 12),
            ("left (h)", 0)
        ])
    );
    for id in &ids {
        let open = engine.case(id).is_some_and(|c| !c.is_terminal());
        let Ok(clocks) = engine.sla_status(id, friday) else {
            continue;
        };
        for c in clocks.iter().filter(|c| open && c.active) {
            let due = c.due_at.map(clock).unwrap_or_default();
            let left = format!("{:.1}", c.remaining_ms as f64 / HOUR as f64);
            println!(
                "{}",
                row(&[
                    (id, 9),
                    (&c.sla, 16),
                    (&c.status, 10),
                    (&due, 12),
                    (&left, 0)
                ])
            );
        }
    }
    // Nobody acted over the weekend and Monday.
    let tuesday = friday + 4 * 24 * HOUR;
    println!(
        "\nfire_due at {}: what fell due since, recorded as events",
        clock(tuesday)
    );
    for f in engine.fire_due(tuesday) {
        for e in f.events {
            let line = match e {
                civicflow::EventRecord::SlaWarning {
                    sla,
                    warning,
                    due_at,
                    ..
                } => format!("warning `{warning}` of `{sla}`, due {}", clock(due_at)),
                civicflow::EventRecord::SlaBreached {
                    sla, step, due_at, ..
                } => format!("breach step `{step}` of `{sla}`, due {}", clock(due_at)),
                civicflow::EventRecord::Transitioned { transition, .. } => {
                    format!("system took `{transition}`")
                }
                _ => continue,
            };
            println!("  {}  {line}", pad(&f.case_id, 9));
        }
    }
    println!("\n{} cases, {accepted} commands applied, {refused} refused with a typed error and no change.", ids.len());
}

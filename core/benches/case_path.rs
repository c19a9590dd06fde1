//! The hot path: a work order through the 12345 template on the typed API.
//!
//! `cargo bench -p civicflow --bench case_path`. Issue-level targets and the comparison with
//! XState and robot3 live in `bench/` (later); this measures the core alone.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use civicflow::{Actor, Command, Engine, Opening, Values, WorkflowDef};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::{json, Map, Value};

fn payload(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn bench(c: &mut Criterion) {
    let def: WorkflowDef =
        serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
    let mut base = Engine::new();
    base.load_calendar(
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap(),
    )
    .unwrap();
    base.load_workflow(def).unwrap();
    let op = Actor::new("op", &["operator"]);
    let disp = Actor::new("disp", &["dispatcher"]);
    let mut env = Actor::new("h", &["handler"]);
    env.unit = Some("district-env".into());
    let fields = payload(
        json!({"summary": "路灯不亮", "category": "municipal", "citizen_name": "张三", "citizen_phone": "13812345678"}),
    );
    let unit = payload(json!({"assigned_unit": "district-env"}));
    let reply = payload(json!({"reply_text": "已修复"}));
    let sat =
        payload(json!({"cb_contacted": true, "cb_solved": true, "satisfaction": "satisfied"}));
    let empty = Map::new();
    let steps: [(&str, &Actor, &Map<String, Value>); 8] = [
        ("accept", &op, &empty),
        ("dispatch", &disp, &unit),
        ("sign", &env, &empty),
        ("reply", &env, &reply),
        ("callback", &op, &sat),
        ("close", &op, &empty),
        ("accept", &op, &empty),
        ("accept", &op, &empty),
    ];
    let mut n = 0u64;
    c.bench_function("open + 6 transitions + 2 refused (per case)", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |engine| {
                n += 1;
                let id = n.to_string();
                let opening = Opening {
                    case_id: &id,
                    channel: "wechat",
                    fields: Values::Json(&fields),
                    actor: &op,
                    at: 0,
                    keys: None,
                };
                engine.open_case("hotline-12345", None, &opening).unwrap();
                for (i, (t, a, p)) in steps.iter().enumerate() {
                    let cmd = Command {
                        transition: t,
                        actor: a,
                        payload: Values::Json(p),
                        at: i as i64,
                    };
                    let _ = engine.apply(&id, &cmd);
                }
            },
            BatchSize::SmallInput,
        )
    });
    let mut engine = base.clone();
    let opening = Opening {
        case_id: "X",
        channel: "wechat",
        fields: Values::Json(&fields),
        actor: &op,
        at: 0,
        keys: None,
    };
    engine.open_case("hotline-12345", None, &opening).unwrap();
    for (i, (t, a, p)) in steps.iter().take(6).enumerate() {
        let cmd = Command {
            transition: t,
            actor: a,
            payload: Values::Json(p),
            at: i as i64,
        };
        engine.apply("X", &cmd).unwrap();
    }
    c.bench_function(
        "snapshot to JSON text (template definition + one closed case)",
        |b| b.iter(|| serde_json::to_string(&engine.snapshot()).unwrap()),
    );
    let text = serde_json::to_string(&engine.snapshot()).unwrap();
    c.bench_function(
        "restore from JSON text (template definition + one closed case, replayed)",
        |b| {
            b.iter(|| {
                let mut e = Engine::new();
                e.restore(serde_json::from_str(&text).unwrap()).unwrap();
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

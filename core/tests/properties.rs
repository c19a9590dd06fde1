//! Property tests over random command sequences on the 12345 template:
//! - replaying a case's history gives the live case;
//! - a rejected command changes nothing (the serialized case is byte-identical);
//! - snapshot and restore give an identical engine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use civicflow::{replay, Actor, Command, Engine, Opening, Values, WorkflowDef};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const CASES: [&str; 3] = ["WO-A", "WO-B", "WO-C"];
const T0: i64 = 1_767_225_600_000;

fn template() -> &'static WorkflowDef {
    static DEF: OnceLock<WorkflowDef> = OnceLock::new();
    DEF.get_or_init(|| {
        let text = include_str!("../../templates/hotline-12345.json");
        serde_json::from_str(text).unwrap()
    })
}

fn actors() -> Vec<Actor> {
    let unit = |mut a: Actor, u: &str| {
        a.unit = Some(u.to_owned());
        a
    };
    vec![
        Actor::new("op-01", &["operator"]),
        Actor::new("disp-01", &["dispatcher"]),
        unit(Actor::new("h-env", &["handler"]), "district-env"),
        unit(Actor::new("h-water", &["handler"]), "water-group"),
        Actor::new("sup-01", &["supervisor"]),
        Actor::new("citizen-01", &["citizen"]),
        Actor::new("multi", &["operator", "supervisor"]),
        Actor::new("nobody", &["mayor"]),
    ]
}

/// Payload values: mostly valid, some of the wrong type or not allowed, so that both
/// accepted and rejected commands are common.
fn payload_value(field: &str, pick: u8) -> Value {
    match (field, pick % 4) {
        (_, 3) => json!(42),
        ("assigned_unit", p) => json!(["district-env", "water-group", "a\nb"][p as usize]),
        ("satisfaction", p) => json!(["satisfied", "unsatisfied", "thrilled"][p as usize]),
        ("urgency", p) => json!(["normal", "urgent", "soon"][p as usize]),
        (_, p) => json!(format!("说明 {p}")),
    }
}

const PAYLOAD_FIELDS: [&str; 14] = [
    "assigned_unit",
    "reject_reason",
    "return_reason",
    "transfer_reason",
    "info_request",
    "supplement",
    "reply_text",
    "satisfaction",
    "redo_reason",
    "withdraw_reason",
    "urgency",
    "region",
    "mood",
    "summary",
];

#[derive(Clone, Debug)]
struct Cmd {
    /// Fire every due SLA timer at this command's time first.
    fire: bool,
    /// Take a transition some actor can take now, with its required payload, rather than a
    /// random one: random commands alone rarely get a case past the first few states.
    guided: bool,
    case: usize,
    transition: usize,
    actor: usize,
    payload: Vec<(usize, u8)>,
    dt: i64,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    (
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.7),
        0..CASES.len(),
        0..template().transitions.len() + 1,
        0..8usize,
        proptest::collection::vec((0..PAYLOAD_FIELDS.len(), any::<u8>()), 0..4),
        // Mostly forward in time, sometimes backwards.
        prop_oneof![9 => 0..86_400_000i64, 1 => -3_600_000..0i64],
    )
        .prop_map(|(fire, guided, case, transition, actor, payload, dt)| Cmd {
            fire,
            guided,
            case,
            transition,
            actor,
            payload,
            dt,
        })
}

/// The command `c` stands for: its transition, actor and payload.
fn resolve(engine: &Engine, c: &Cmd, actors: &[Actor]) -> (String, usize, Map<String, Value>) {
    let mut payload: Map<String, Value> = c
        .payload
        .iter()
        .map(|(f, pick)| {
            (
                PAYLOAD_FIELDS[*f].to_owned(),
                payload_value(PAYLOAD_FIELDS[*f], *pick),
            )
        })
        .collect();
    let transitions = &template().transitions;
    let random = transitions
        .get(c.transition)
        .map_or("no_such_transition", |t| t.id.as_str());
    if c.guided {
        let case = engine.case(CASES[c.case]).unwrap();
        // Every (actor, transition) possible now. Early exits (withdraw, reject) are kept only
        // one time in ten, so most cases travel the whole flow.
        let exit = |t: &civicflow::Available| t.to == "withdrawn" || t.to == "not_accepted";
        let mut options: Vec<(usize, civicflow::Available)> = (0..actors.len())
            .flat_map(|a| case.available(&actors[a]).into_iter().map(move |t| (a, t)))
            .collect();
        if c.transition % 10 != 0 && options.iter().any(|(_, t)| !exit(t)) {
            options.retain(|(_, t)| !exit(t));
        }
        if let Some((a, t)) = options.get((c.transition + c.actor) % options.len().max(1)) {
            for f in &t.requires {
                payload.insert(f.clone(), payload_value(f, 0));
            }
            return (t.id.clone(), *a, payload);
        }
    }
    (random.to_owned(), c.actor, payload)
}

fn case_json(engine: &Engine, id: &str) -> Option<String> {
    engine
        .case(id)
        .map(|c| serde_json::to_string(&(c.view(), c.history(0))).unwrap())
}

fn opened_engine() -> Engine {
    let mut engine = Engine::new();
    let calendar = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    engine.load_calendar(calendar).unwrap();
    engine.load_workflow(template().clone()).unwrap();
    let fields: Map<String, Value> = serde_json::from_value(json!({
        "summary": "噪声扰民", "category": "environment",
        "citizen_name": "李四", "citizen_phone": "13900001111"
    }))
    .unwrap();
    let op = Actor::new("op-01", &["operator"]);
    for (i, id) in CASES.iter().enumerate() {
        let opening = Opening {
            case_id: id,
            channel: ["wechat", "weibo", "hotline"][i],
            fields: Values::Json(&fields),
            actor: &op,
            at: T0,
            keys: None,
        };
        engine.open_case("hotline-12345", None, &opening).unwrap();
    }
    engine
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn commands_keep_every_invariant(cmds in proptest::collection::vec(cmd(), 1..60)) {
        let mut engine = opened_engine();
        let actors = actors();
        let mut clock = [T0; CASES.len()];
        let (mut accepted, mut rejected) = (0, 0);
        for c in &cmds {
            let id = CASES[c.case];
            let (name, actor, payload) = resolve(&engine, c, &actors);
            let at = clock[c.case] + c.dt;
            if c.fire {
                // Timers fire as the system actor; what they record replays like the rest.
                engine.fire_due(at);
                prop_assert!(engine.due(at, 10).is_empty(), "everything due has fired");
            }
            let before = case_json(&engine, id);
            let cmd = Command { transition: &name, actor: &actors[actor], payload: Values::Json(&payload), at };
            match engine.apply(id, &cmd) {
                Ok(_) => {
                    accepted += 1;
                    clock[c.case] = at;
                }
                Err(e) => {
                    rejected += 1;
                    prop_assert_eq!(&before, &case_json(&engine, id), "rejected `{}` changed the case", e.code());
                }
            }
            // Replaying the history rebuilds exactly the live case.
            let live = engine.case(id).unwrap();
            let rebuilt = replay(live.workflow().clone(), &live.history(0)).unwrap();
            prop_assert_eq!(&rebuilt, live);
        }
        prop_assert_eq!(accepted + rejected, cmds.len());
        if std::env::var_os("CIVICFLOW_PROPTEST_STATS").is_some() {
            let states: Vec<&str> = CASES.iter().map(|id| engine.case(id).unwrap().state()).collect();
            let sla_events = CASES
                .iter()
                .flat_map(|id| engine.history(id).unwrap())
                .filter(|e| matches!(e, civicflow::EventRecord::SlaWarning { .. } | civicflow::EventRecord::SlaBreached { .. }))
                .count();
            eprintln!("stats accepted={accepted} rejected={rejected} sla_events={sla_events} states={states:?}");
        }

        // Snapshot and restore give an identical engine, through JSON text as a host stores it.
        let snapshot = engine.snapshot();
        let text = serde_json::to_string(&snapshot).unwrap();
        let mut restored = Engine::new();
        restored.restore(serde_json::from_str(&text).unwrap()).unwrap();
        prop_assert_eq!(restored.snapshot(), snapshot);
        for id in CASES {
            prop_assert_eq!(case_json(&restored, id), case_json(&engine, id));
        }
    }

    /// Restoring a snapshot with one event tampered with either fails and leaves the engine
    /// as it was, or (when the change is harmless, like another actor id) restores in full.
    #[test]
    fn restore_is_all_or_nothing(cmds in proptest::collection::vec(cmd(), 1..30), victim in 0..CASES.len(), new_state in 0..10usize) {
        let mut engine = opened_engine();
        let actors = actors();
        for (i, c) in cmds.iter().enumerate() {
            let (name, actor, payload) = resolve(&engine, c, &actors);
            let cmd = Command { transition: &name, actor: &actors[actor], payload: Values::Json(&payload), at: T0 + i as i64 * 1000 };
            let _ = engine.apply(CASES[c.case], &cmd);
        }
        let mut snapshot = engine.snapshot();
        let state = template().states[new_state].id.clone();
        let changed = snapshot.cases[victim].state != state;
        snapshot.cases[victim].state = state;
        let mut target = opened_engine();
        let before = target.snapshot();
        let result = target.restore(snapshot);
        prop_assert_eq!(result.is_err(), changed);
        if changed {
            prop_assert_eq!(target.snapshot(), before);
        }
    }
}

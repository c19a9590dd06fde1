//! Property tests of governance on the township template and the qingshan organisation:
//! - every effect is delivered at least once, whatever the drains, leases, acknowledgements
//!   and snapshot/restore cycles in between, and never again once acknowledged;
//! - linking never loses a channel: the primary's reply and closure reach the channel of every
//!   case linked to it, whenever it was linked;
//! - a case is never handled by the unit its accusation names, or by a unit under it;
//! - a matter for functional departments (国办函〔2025〕66号; public safety in the qingshan
//!   catalogue) never reaches a township or village, or a unit under one, by routing, dispatch,
//!   transfer or supervision, whoever asks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use civicflow::{Actor, Command, Engine, Level, MatterKeys, Opening, Values};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const T0: i64 = 1_767_574_800_000; // 2026-01-05 09:00 +08:00, a Monday
const HOUR: i64 = 3_600_000;
const UNITS: [&str; 10] = [
    "district",
    "district-letters",
    "police",
    "town",
    "town-env",
    "town-land",
    "town-social",
    "dongcun",
    "xicun",
    "volunteers",
];
const CHANNELS: [&str; 5] = ["wechat", "weibo", "web", "app", "hotline"];

fn engine() -> Engine {
    let mut engine = Engine::new();
    let calendar = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    engine.load_calendar(calendar).unwrap();
    let wf = serde_json::from_str(include_str!("../../templates/township.json")).unwrap();
    engine.load_workflow(wf).unwrap();
    let org = serde_json::from_str(include_str!("../../orgs/qingshan.json")).unwrap();
    engine.load_org(org).unwrap();
    engine
}

fn with_unit(id: &str, roles: &[&str], unit: &str) -> Actor {
    let mut a = Actor::new(id, roles);
    a.unit = Some(unit.to_owned());
    a
}

/// Clerks, dispatchers and supervisors of the town and the district, a handler in every unit,
/// and a citizen.
fn actors() -> Vec<Actor> {
    let mut out = vec![
        with_unit("clerk", &["clerk"], "town"),
        with_unit("disp", &["dispatcher"], "town"),
        with_unit("sup-town", &["supervisor"], "town"),
        with_unit("sup-district", &["supervisor"], "district"),
        Actor::new("citizen", &["citizen"]),
    ];
    out.extend(
        UNITS
            .iter()
            .map(|u| with_unit(&format!("h-{u}"), &["handler"], u)),
    );
    out
}

fn fields(category: &str, region: &str, accused: Option<&str>) -> Map<String, Value> {
    let mut f = json!({
        "summary": "诉求", "category": category, "region": region, "citizen_name": "李四"
    });
    if let Some(a) = accused {
        f["accused_unit"] = json!(a);
    }
    f.as_object().cloned().unwrap()
}

/// A value for a required payload field; `pick` chooses among units and answers.
fn payload_value(field: &str, pick: usize) -> Value {
    match field {
        "handling_unit" => json!(UNITS[pick % UNITS.len()]),
        "assisting_units" => json!([UNITS[pick % UNITS.len()], UNITS[(pick / 3) % UNITS.len()]]),
        "cb_contacted" => json!(pick % 5 != 0),
        "cb_solved" => json!(pick % 3 != 0),
        "satisfaction" => json!(["satisfied", "basically_satisfied", "unsatisfied"][pick % 3]),
        _ => json!(format!("说明 {pick}")),
    }
}

/// Takes the `pick`-th transition some actor can take now on `case_id`, with its required
/// payload; false if none applies or the engine refuses it.
fn guided(engine: &mut Engine, case_id: &str, pick: usize, at: i64) -> bool {
    let actors = actors();
    let mut options: Vec<(usize, civicflow::Available)> = (0..actors.len())
        .flat_map(|a| {
            engine
                .available_transitions(case_id, &actors[a])
                .unwrap_or_default()
                .into_iter()
                .map(move |t| (a, t))
        })
        // Early exits are left out, so that cases travel the whole flow.
        .filter(|(_, t)| !["rejected", "merged", "closed_duplicate"].contains(&t.to.as_str()))
        .collect();
    // Moves back and sideways are kept one time in four, so that cases also get forward.
    let sideways = |t: &civicflow::Available| ["transfer", "return_case"].contains(&t.id.as_str());
    if pick % 4 != 0 && options.iter().any(|(_, t)| !sideways(t)) {
        options.retain(|(_, t)| !sideways(t));
    }
    let Some((a, t)) = options.get(pick % options.len().max(1)) else {
        return false;
    };
    let payload: Map<String, Value> = t
        .requires
        .iter()
        .map(|f| (f.clone(), payload_value(f, pick / 7)))
        .collect();
    let cmd = Command {
        transition: &t.id,
        actor: &actors[*a],
        payload: Values::Json(&payload),
        at,
    };
    engine.apply(case_id, &cmd).is_ok()
}

/// Every effect any case has produced.
fn all_effects(engine: &Engine, ids: &[String]) -> BTreeSet<String> {
    ids.iter()
        .flat_map(|id| engine.case(id).unwrap().effects_since(0))
        .map(|e| e.id)
        .collect()
}

#[derive(Clone, Debug)]
enum Op {
    /// A transition some actor can take on case `case`.
    Step {
        case: usize,
        pick: usize,
    },
    /// A governance command that is not a transition.
    Govern {
        case: usize,
        pick: usize,
    },
    /// Let `days` pass, then fire what is due.
    Fire {
        days: i64,
    },
    Drain {
        limit: usize,
        lease_h: i64,
    },
    /// Acknowledge the delivered effects whose position is odd or even, or all.
    Ack {
        which: u8,
    },
    /// Snapshot through JSON text, then restore into a new engine.
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, any::<usize>()).prop_map(|(case, pick)| Op::Step { case, pick }),
        2 => (0..3usize, any::<usize>()).prop_map(|(case, pick)| Op::Govern { case, pick }),
        1 => (0..6i64).prop_map(|days| Op::Fire { days }),
        3 => (1..6usize, 0..3i64).prop_map(|(limit, lease_h)| Op::Drain { limit, lease_h }),
        2 => (0..3u8).prop_map(|which| Op::Ack { which }),
        1 => Just(Op::Restart),
    ]
}

/// Supervise, answer a supervision, or give an opinion, by whoever may.
fn govern(engine: &mut Engine, case_id: &str, pick: usize, at: i64) {
    let actors = actors();
    let Some(view) = engine.case(case_id).and_then(|c| c.view().handling) else {
        return;
    };
    match pick % 3 {
        0 => {
            let sup = &actors[2 + pick % 2];
            let level = [Level::Reminder, Level::Supervision, Level::Listed][pick % 3];
            let _ = engine.supervise(case_id, sup, level, None, "说明进度", at);
        }
        1 => {
            if let (Some(unit), Some(s)) = (view.unit, view.supervisions.last()) {
                let lead = with_unit("lead", &["handler"], &unit);
                let _ = engine.answer_supervision(case_id, &lead, s.index, "已办", at);
            }
        }
        _ => {
            if let Some(unit) = view.opinions_due().first() {
                let a = with_unit("helper", &["handler"], unit);
                let _ = engine.submit_opinion(case_id, &a, "意见", at);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_effect_is_delivered_at_least_once(ops in proptest::collection::vec(op(), 1..80)) {
        let mut engine = engine();
        let clerk = &actors()[0];
        let ids: Vec<String> = (0..3).map(|i| format!("T-{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let f = fields(["municipal", "environment", "land"][i], ["dongcun", "xicun", "dongcun"][i], None);
            let opening = Opening { case_id: id, channel: CHANNELS[i], fields: Values::Json(&f), actor: clerk, at: T0, keys: None };
            engine.open_case("township", None, &opening).unwrap();
        }
        let mut now = T0;
        let mut delivered: BTreeSet<String> = BTreeSet::new();
        let mut delivered_order: Vec<String> = Vec::new();
        let mut acked: BTreeSet<String> = BTreeSet::new();
        for op in &ops {
            now += HOUR;
            match op {
                Op::Step { case, pick } => { guided(&mut engine, &ids[*case], *pick, now); }
                Op::Govern { case, pick } => govern(&mut engine, &ids[*case], *pick, now),
                Op::Fire { days } => {
                    now += days * 24 * HOUR;
                    engine.fire_due(now);
                }
                Op::Drain { limit, lease_h } => {
                    let got = engine.drain_outbox(now, *limit, lease_h * HOUR);
                    prop_assert!(got.len() <= *limit);
                    for e in got {
                        prop_assert!(!acked.contains(&e.id), "`{}` delivered again after its acknowledgement", e.id);
                        if delivered.insert(e.id.clone()) {
                            delivered_order.push(e.id);
                        }
                    }
                }
                Op::Ack { which } => {
                    let chosen: Vec<String> = delivered_order
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *which == 2 || i % 2 == usize::from(*which))
                        .map(|(_, id)| id.clone())
                        .collect();
                    // Acknowledging again what was acknowledged before is accepted.
                    engine.ack_effects(&chosen).unwrap();
                    acked.extend(chosen);
                }
                Op::Restart => {
                    let pending = engine.pending_effects();
                    let text = serde_json::to_string(&engine.snapshot()).unwrap();
                    let mut fresh = Engine::new();
                    fresh.restore(serde_json::from_str(&text).unwrap()).unwrap();
                    prop_assert_eq!(fresh.pending_effects(), pending);
                    engine = fresh;
                }
            }
            let produced = all_effects(&engine, &ids);
            prop_assert_eq!(engine.pending_effects() + acked.len(), produced.len(), "pending plus acknowledged is everything produced");
        }
        // The host drains until nothing is left (leases long run out) and acknowledges.
        let later = now + 1000 * HOUR;
        loop {
            let got = engine.drain_outbox(later, 7, 0);
            if got.is_empty() { break; }
            let got: Vec<String> = got.into_iter().map(|e| e.id).collect();
            for id in &got {
                prop_assert!(!acked.contains(id), "`{}` delivered again after its acknowledgement", id);
            }
            engine.ack_effects(&got).unwrap();
            acked.extend(got);
        }
        prop_assert_eq!(engine.pending_effects(), 0);
        prop_assert_eq!(&acked, &all_effects(&engine, &ids), "every effect produced was delivered and acknowledged");
    }

    #[test]
    fn linking_never_loses_a_channel(
        channels in proptest::collection::vec(0..CHANNELS.len(), 2..7),
        by_keys in proptest::collection::vec(any::<bool>(), 7),
        link_after in proptest::collection::vec(0..5usize, 7),
        picks in proptest::collection::vec(any::<usize>(), 30),
    ) {
        let mut engine = engine();
        let acts = actors();
        let clerk = &acts[0];
        let keys = MatterKeys { citizen: "c-1".into(), matter: "m-1".into() };
        let f = fields("municipal", "dongcun", None);
        let ids: Vec<String> = (0..channels.len()).map(|i| format!("L-{i}")).collect();
        let mut at = T0;
        let open = |engine: &mut Engine, i: usize, at: i64| {
            let opening = Opening {
                case_id: &ids[i], channel: CHANNELS[channels[i]], fields: Values::Json(&f),
                actor: clerk, at, keys: by_keys[i].then_some(&keys),
            };
            engine.open_case("township", None, &opening).unwrap();
        };
        // The primary is opened first (with its keys, so that duplicates opened with the same
        // keys are linked to it); then it moves on while the others arrive at random points.
        let mut opened = vec![false; ids.len()];
        open(&mut engine, 0, at);
        opened[0] = true;
        let path = ["accept", "dispatch", "sign", "reply"];
        for (stage, transition) in path.iter().enumerate() {
            for i in 1..ids.len() {
                if !opened[i] && link_after[i] <= stage {
                    at += HOUR;
                    open(&mut engine, i, at);
                    opened[i] = true;
                    if engine.case(&ids[i]).unwrap().primary().is_none() {
                        engine.link(&ids[i], &ids[0], clerk, at).unwrap();
                    }
                }
            }
            at += HOUR;
            let who = match *transition {
                "accept" => clerk.clone(),
                "dispatch" => acts[1].clone(),
                _ => with_unit("h", &["handler"], "dongcun"),
            };
            let payload: Map<String, Value> = if *transition == "reply" {
                json!({"reply_text": "已修复"}).as_object().cloned().unwrap()
            } else { Map::new() };
            let cmd = Command { transition, actor: &who, payload: Values::Json(&payload), at };
            engine.apply(&ids[0], &cmd).unwrap();
        }
        // Those arriving after the reply.
        for i in 1..ids.len() {
            if !opened[i] {
                at += HOUR;
                open(&mut engine, i, at);
                if engine.case(&ids[i]).unwrap().primary().is_none() {
                    engine.link(&ids[i], &ids[0], clerk, at).unwrap();
                }
            }
        }
        // Random other commands on the duplicates are refused or harmless to the links.
        for (n, p) in picks.iter().enumerate() {
            let i = 1 + p % (ids.len() - 1);
            guided(&mut engine, &ids[i], *p, at + n as i64);
        }
        at += 100 * HOUR;
        for t in ["callback", "close"] {
            let payload: Map<String, Value> = if t == "callback" {
                json!({"cb_contacted": true, "cb_solved": true}).as_object().cloned().unwrap()
            } else { Map::new() };
            let cmd = Command { transition: t, actor: clerk, payload: Values::Json(&payload), at };
            engine.apply(&ids[0], &cmd).unwrap();
        }
        let effects: Vec<civicflow::Effect> = ids.iter().flat_map(|id| engine.case(id).unwrap().effects_since(0)).collect();
        let reached = |reason: &str| -> BTreeSet<(String, String)> {
            effects.iter()
                .filter(|e| e.kind == civicflow::EffectKind::NotifyCitizen && e.reason == reason)
                .map(|e| (e.channel_case.clone().unwrap(), e.channel.clone().unwrap()))
                .collect()
        };
        let primary = engine.case(&ids[0]).unwrap().view().handling.unwrap();
        let expected: BTreeSet<(String, String)> = ids.iter().enumerate()
            .map(|(i, id)| (id.clone(), CHANNELS[channels[i]].to_owned()))
            .collect();
        let linked: BTreeSet<(String, String)> = primary.linked.iter()
            .map(|l| (l.case_id.clone(), l.channel.clone()))
            .chain([(ids[0].clone(), CHANNELS[channels[0]].to_owned())])
            .collect();
        prop_assert_eq!(&linked, &expected, "every case is linked to the primary");
        prop_assert_eq!(reached("reply"), expected.clone(), "the reply reaches every channel");
        prop_assert_eq!(reached("closed"), expected, "the closure reaches every channel");
        for id in &ids[1..] {
            prop_assert_eq!(engine.case(id).unwrap().state(), "closed_duplicate");
        }
    }

    #[test]
    fn neither_the_accused_nor_the_grass_roots_for_departments_matters_handle_a_case(
        cases in proptest::collection::vec((0..6usize, 0..3usize, proptest::option::of(0..UNITS.len())), 1..4),
        ops in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 1..60),
    ) {
        let mut engine = engine();
        let acts = actors();
        let org = engine.org().unwrap().clone();
        let categories = ["municipal", "environment", "land", "social_security", "public_safety", "other"];
        let regions = ["dongcun", "xicun", "elsewhere"];
        let mut ids = Vec::new();
        for (i, (c, r, accused)) in cases.iter().enumerate() {
            let id = format!("A-{i}");
            let f = fields(categories[*c], regions[*r], accused.map(|a| UNITS[a]));
            let opening = Opening { case_id: &id, channel: "web", fields: Values::Json(&f), actor: &acts[0], at: T0, keys: None };
            engine.open_case("township", None, &opening).unwrap();
            ids.push(id);
        }
        let mut at = T0;
        let (mut moved, mut refused) = (0, 0);
        for (case, pick, random) in &ops {
            // Now and then most of a day passes, and clocks breach: supervision climbs.
            at += HOUR * if pick % 5 == 0 { 20 } else { 1 };
            let _ = engine.fire_due(at);
            let id = &ids[case % ids.len()];
            let before = engine.case(id).unwrap().clone();
            let ok = if *random {
                // Dispatch or transfer to a unit of the attacker's choosing.
                let t = ["dispatch", "transfer"][pick % 2];
                let payload: Map<String, Value> = json!({
                    "handling_unit": UNITS[(pick / 2) % UNITS.len()], "reason": "改派"
                }).as_object().cloned().unwrap();
                let actor = &acts[[1, 2, 3][pick % 3]];
                let cmd = Command { transition: t, actor, payload: Values::Json(&payload), at };
                engine.apply(id, &cmd).is_ok()
            } else if pick % 3 == 0 {
                govern(&mut engine, id, *pick / 3, at);
                true
            } else {
                guided(&mut engine, id, *pick, at)
            };
            if ok { moved += 1 } else {
                refused += 1;
                prop_assert_eq!(engine.case(id).unwrap(), &before, "a refused command changed the case");
            }
            for id in &ids {
                let case = engine.case(id).unwrap();
                if let (Some(unit), Some(accused)) = (case.handling_unit(), case.accused_unit()) {
                    prop_assert!(
                        unit != accused && !org.is_within(unit, accused),
                        "case {} handled by {} under accused {}", id, unit, accused
                    );
                }
                let department = case.category().is_some_and(|c| org.is_department_matter(c));
                if let (Some(unit), true) = (case.handling_unit(), department) {
                    prop_assert!(!org.is_grassroots(unit), "case {} handled by {}", id, unit);
                }
                let supervisors = case.view().handling.map(|h| h.supervisions).unwrap_or_default();
                for s in supervisors.iter().filter(|_| department) {
                    prop_assert!(!org.is_grassroots(&s.unit), "case {} supervised by {}", id, s.unit);
                }
            }
        }
        prop_assert_eq!(moved + refused, ops.len());
    }
}

//! The petition bench's path (`core/benches/petition.rs`: open a case, then 12 transitions)
//! for a fixed number of cases, with (`sla`) or without the two SLA clocks, so that callgrind
//! counts the same work for two builds of the core: instructions do not depend on what else the
//! machine is doing, as timings on a shared 2-core machine do.
//!
//! `scripts/count-instructions.sh` builds it, runs it under callgrind with and without SLA, and
//! prints the instructions per case (`docs/performance.md` quotes them). Two more modes, on the
//! path without SLA, add what the bench's persist and restore do per case: `persist` writes each
//! case's history as JSON text (hash chain included), `restore` also parses that text and
//! restores the case into a second engine (dropped at the end, which `restore` counts too); the
//! script subtracts the modes from one another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use civicflow::{Actor, Command, Engine, Limits, Opening, Values};

#[path = "../benches/common/mod.rs"]
mod common;
use common::PATH;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let sla = mode == "sla";
    let cases: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    // Nothing delivers the effects here: the outbox holds every one.
    let mut engine = Engine::with_limits(Limits {
        max_pending_effects: usize::MAX,
        ..Limits::default()
    });
    let calendar = include_str!("../../calendars/cn-mainland.json");
    engine
        .load_calendar(serde_json::from_str(calendar).unwrap())
        .unwrap();
    let (workflow, text) = if sla {
        (
            "petition-sla",
            include_str!("../../bench/workload/petition-sla.json"),
        )
    } else {
        (
            "petition",
            include_str!("../../bench/workload/petition.json"),
        )
    };
    engine
        .load_workflow(serde_json::from_str(text).unwrap())
        .unwrap();
    let opener = Actor::new("u-open", &["clerk"]);
    let actors: Vec<Actor> = PATH
        .iter()
        .enumerate()
        .map(|(i, (_, role))| Actor::new(format!("u{i}"), &[role]))
        .collect();
    let t0: i64 = 1_767_225_600_000;
    for c in 0..cases {
        let id = format!("c{c}");
        let opening = Opening {
            case_id: &id,
            channel: "web",
            fields: Values::NONE,
            actor: &opener,
            at: t0,
            keys: None,
        };
        engine.open_case(workflow, None, &opening).unwrap();
        for (k, ((transition, _), actor)) in PATH.iter().zip(&actors).enumerate() {
            let cmd = Command {
                transition,
                actor,
                payload: Values::NONE,
                at: t0 + 60_000 * (k as i64 + 1),
            };
            engine.apply(&id, &cmd).unwrap();
        }
    }
    if mode == "persist" || mode == "restore" {
        let mut restored = engine.clone_definitions();
        let mut bytes = 0;
        for c in 0..cases {
            let text = serde_json::to_string(&engine.history(&format!("c{c}")).unwrap()).unwrap();
            bytes += text.len();
            if mode == "restore" {
                let history: Vec<civicflow::EventRecord> = serde_json::from_str(&text).unwrap();
                restored.restore_case(&history).unwrap();
            }
        }
        println!(
            "{} bytes of JSON, {} restored",
            bytes,
            restored.case_count()
        );
    }
    println!("{} cases", engine.case_count());
}

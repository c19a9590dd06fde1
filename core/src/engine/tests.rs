#![allow(clippy::unwrap_used)]
//! Engine tests that look inside: ids shared across cases (`case/shared_ids.rs`).

use crate::case::{Actor, CaseError, Command, Opening, Values};
use crate::engine::Engine;

fn engine() -> Engine {
    let mut engine = Engine::new();
    let def = include_str!("../../../bench/workload/petition.json");
    engine
        .load_workflow(serde_json::from_str(def).unwrap())
        .unwrap();
    engine
}

fn open(engine: &mut Engine, id: &str, actor: &Actor) -> Result<(), CaseError> {
    let opening = Opening {
        case_id: id,
        channel: "web",
        fields: Values::NONE,
        actor,
        at: 1_000,
        keys: None,
    };
    engine.open_case("petition", None, &opening).map(|_| ())
}

#[test]
fn cases_share_ids_and_refusals_leave_none_behind() {
    let mut engine = engine();
    let clerk = Actor::new("u-clerk", &["clerk"]);
    open(&mut engine, "a", &clerk).unwrap();
    open(&mut engine, "b", &clerk).unwrap();
    // The clerk's id, the channel and the clerk's record, once each for both cases.
    assert_eq!(engine.shared_names(), 3);
    let (a, b) = (engine.case("a").unwrap(), engine.case("b").unwrap());
    let (ea, eb) = (&a.history[0].actor, &b.history[0].actor);
    assert!(ea.same(eb) && std::sync::Arc::ptr_eq(&ea.id, &eb.id));

    // Refused: a role the transition does not allow, then an unknown case.
    let stranger = Actor::new("u-stranger", &["citizen"]);
    let cmd = Command {
        transition: "ACCEPT",
        actor: &stranger,
        payload: Values::NONE,
        at: 2_000,
    };
    let before = engine.case("a").unwrap().clone();
    assert!(engine.apply("a", &cmd).is_err());
    assert!(engine.apply("nowhere", &cmd).is_err());
    assert!(open(&mut engine, "", &stranger).is_err());
    assert_eq!(engine.shared_names(), 3);
    assert_eq!(engine.case("a").unwrap(), &before);

    // Kept once an event records it.
    let officer = Actor::new("u-clerk-2", &["clerk"]);
    let cmd = Command {
        actor: &officer,
        ..cmd
    };
    engine.apply("a", &cmd).unwrap();
    assert_eq!(engine.shared_names(), 5);
    // Found before the command ran, its record is the one the engine keeps.
    engine.apply("b", &cmd).unwrap();
    assert_eq!(engine.shared_names(), 5);
    let (a, b) = (engine.case("a").unwrap(), engine.case("b").unwrap());
    assert!(a.history[1].actor.same(&b.history[1].actor));
    // A refusal (accepted already) by an actor whose record events hold keeps it, in the
    // engine and in a copy of it.
    let mut copy = engine.clone();
    for e in [&mut engine, &mut copy] {
        assert!(e.apply("a", &cmd).is_err());
        assert_eq!(e.shared_names(), 5);
        let (a, b) = (e.case("a").unwrap(), e.case("b").unwrap());
        assert!(a.history[1].actor.same(&b.history[1].actor));
    }

    // A case restored into another engine shares that engine's ids too.
    let history = engine.history("a").unwrap();
    let mut other = self::engine();
    open(&mut other, "x", &clerk).unwrap();
    other.restore_case(&history).unwrap();
    assert_eq!(other.shared_names(), 5);
    let (x, a) = (other.case("x").unwrap(), other.case("a").unwrap());
    assert!(x.history[0].actor.same(&a.history[0].actor));
}

//! Authorization as a property (issue 9): random actors with random role sets issue random
//! commands on a few cases of the petition workflow, and the engine must agree, command by
//! command, with a model much simpler than the engine: the definition read as a table of
//! `from` states, target and allowed roles. A command the model forbids must be refused with
//! the model's reason and leave the case exactly as it was; one it allows must move the case
//! where the model says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use civicflow::{Actor, Command, Engine, Opening, Values};
use proptest::prelude::*;
use serde_json::Value;

const DEFINITION: &str = include_str!("../../bench/workload/petition.json");
/// Roles of the workflow, and one it does not know.
const ROLES: [&str; 5] = ["clerk", "officer", "supervisor", "citizen", "visitor"];
const CASES: usize = 3;

/// A transition as the model sees it: the states it leaves (None for `"*"`), its target and
/// its roles.
type Row = (Option<BTreeSet<String>>, String, BTreeSet<String>);

/// The definition as a table.
struct Model {
    transitions: BTreeMap<String, Row>,
    terminal: BTreeSet<String>,
    initial: String,
}

impl Model {
    fn read() -> Model {
        let def: Value = serde_json::from_str(DEFINITION).unwrap();
        let names = |v: &Value| -> BTreeSet<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        let states = def["states"].as_array().unwrap();
        let flagged = |flag: &'static str| -> Vec<String> {
            states
                .iter()
                .filter(|s| s[flag] == true)
                .map(|s| s["id"].as_str().unwrap().to_owned())
                .collect()
        };
        Model {
            transitions: def["transitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let from = (t["from"] != "*").then(|| names(&t["from"]));
                    let to = t["to"].as_str().unwrap().to_owned();
                    (
                        t["id"].as_str().unwrap().to_owned(),
                        (from, to, names(&t["roles"])),
                    )
                })
                .collect(),
            terminal: flagged("terminal").into_iter().collect(),
            initial: flagged("initial").remove(0),
        }
    }

    /// Where `transition` by an actor with `roles` takes a case in `state`, or the code of the
    /// refusal, checked in the order the engine documents: the case, then the transition,
    /// then the roles.
    fn step(&self, state: &str, transition: &str, roles: &[&str]) -> Result<String, &'static str> {
        if self.terminal.contains(state) {
            return Err("case.terminal");
        }
        let Some((from, to, allowed)) = self.transitions.get(transition) else {
            return Err("case.unknown_transition");
        };
        // "*": every non-terminal state except the transition's own target.
        let leaves = from.as_ref().map_or(state != to, |f| f.contains(state));
        if !leaves {
            return Err("case.transition_not_from_state");
        }
        if !roles.iter().any(|r| allowed.contains(*r)) {
            return Err("case.role_not_allowed");
        }
        Ok(to.clone())
    }
}

/// One command: which case, which transition (the workflow's, or an unknown one), and the
/// actor's roles as a bit set over `ROLES`.
fn command() -> impl Strategy<Value = (usize, usize, u8)> {
    (0..CASES, 0..14usize, 0u8..32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_allows_exactly_what_the_model_allows(
        commands in proptest::collection::vec(command(), 1..80)
    ) {
        let model = Model::read();
        let ids: Vec<String> = model.transitions.keys().cloned().chain(["NOPE".to_owned()]).collect();
        let mut engine = Engine::new();
        engine.load_workflow(serde_json::from_str(DEFINITION).unwrap()).unwrap();
        let opener = Actor::new("opener", &["clerk"]);
        let mut states = Vec::new();
        for c in 0..CASES {
            let opening = Opening {
                case_id: &format!("c{c}"),
                channel: "web",
                fields: Values::NONE,
                actor: &opener,
                at: 1_000,
                keys: None,
            };
            engine.open_case("petition", None, &opening).unwrap();
            states.push(model.initial.clone());
        }
        let mut allowed = 0;
        for (n, (c, t, mask)) in commands.into_iter().enumerate() {
            let roles: Vec<&str> = ROLES.iter().enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
            let actor = Actor::new(format!("u{n}"), &roles);
            let (case_id, transition) = (format!("c{c}"), ids[t % ids.len()].as_str());
            let cmd = Command { transition, actor: &actor, payload: Values::NONE, at: 2_000 + n as i64 };
            let before = engine.case(&case_id).unwrap().clone();
            let expected = model.step(&states[c], transition, &roles);
            match (engine.apply(&case_id, &cmd).map(|case| case.state().to_owned()), expected) {
                (Ok(state), Ok(to)) => {
                    prop_assert_eq!(&state, &to);
                    prop_assert_eq!(engine.history(&case_id).unwrap().len(), before.history(0).len() + 1);
                    states[c] = to;
                    allowed += 1;
                }
                (Err(e), Err(code)) => {
                    prop_assert_eq!(e.code(), code, "{} by {:?} in {}", transition, roles, states[c]);
                    prop_assert_eq!(engine.case(&case_id).unwrap(), &before);
                }
                (got, want) => prop_assert!(false, "{transition} by {roles:?} in {}: engine {got:?}, model {want:?}", states[c]),
            }
        }
        // Not a vacuous run: some commands went through (most random ones are refused).
        prop_assert!(allowed > 0 || states.iter().all(|s| s == &model.initial));
    }
}

//! The township desk through the store, on SQLite and on PostgreSQL: every answer is the one
//! a single in-memory engine gives, the store holds the same histories, every stored history
//! verifies and replays, the timer rows are the ones the histories compute, and a retried
//! request id is answered from the store and adds nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::desk::{Desk, T0};
use common::*;

fn run(kind: &str, url: &str, seed: u64, steps: usize) {
    let mut store = township_store(url);
    let mut engine = reference();
    let mut desk = Desk {
        now: T0,
        cases: Vec::new(),
    };
    let mut sink = Remember::default();
    let mut rng = Rng(seed);
    let mut answered = Vec::new();
    let mut effects = std::collections::BTreeSet::new();
    let mut fired = 0;
    for i in 0..steps {
        let request = desk.next(&mut engine, rng.picks());
        let id = format!("r-{i}");
        let expected = reference_step(&mut engine, &request, &id);
        effects.extend(expected.iter().flat_map(effect_ids));
        fired += expected
            .as_ref()
            .map_or(0, |e| e["result"]["fired"].as_array().map_or(0, Vec::len));
        let got = store_step(&mut store, &request, &id, &mut sink).unwrap();
        if let (Some(expected), Some(got)) = (expected, got) {
            assert_eq!(
                comparable(got.clone()),
                expected,
                "{kind} step {i}: {request}"
            );
            if got["ok"] == true {
                answered.push((request, id, got));
            }
        }
        if i % 25 == 24 {
            // A retry of an answered request: the stored answer, nothing added.
            let before = store_heads(&mut store);
            let (request, id, first) = &answered[i % answered.len()];
            let again = store.call(with_id(request, id)).unwrap();
            assert_eq!(again["result"]["duplicate"], true, "{kind}: {again}");
            assert_eq!(comparable(again), comparable(first.clone()));
            assert_eq!(
                store_heads(&mut store),
                before,
                "{kind}: a retry changed the store"
            );
        }
    }
    assert_eq!(
        store_heads(&mut store),
        heads(&mut engine, &desk.cases),
        "{kind}"
    );
    let checked = store.check().unwrap();
    let archived = checked.cases.values().filter(|c| c.archived).count();
    assert!(
        archived > 0 && fired > 0,
        "{kind}: {archived} archived, {fired} cases fired"
    );
    // Every effect reached the sink, in each case's order, and nothing else did.
    assert_eq!(drain_all(&mut store, &mut sink), effects, "{kind}");
    let mut last = std::collections::HashMap::new();
    for effect in &sink.delivered {
        let seq = effect.body["seq"].as_u64().unwrap();
        let previous = last.insert(effect.case_id.clone(), seq).unwrap_or(0);
        assert!(previous <= seq, "{kind}: {} out of order", effect.effect_id);
    }
}

#[test]
fn the_desk_through_the_store_is_one_engine() {
    for seed in [7, 1_234_567] {
        for (kind, url, _guard) in backends("desk") {
            run(kind, &url, seed, 200);
        }
    }
}

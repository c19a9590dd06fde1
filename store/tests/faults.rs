//! Fail at every statement: the township desk through the store, with each request's k-th
//! statement failing (k = 1, 2, ... until one try gets through), on SQLite and on PostgreSQL.
//! After every failure the store is sound (every history gap-free, verifying, replaying, its
//! timer rows the ones it computes); the retry with the same request id gets the answer one
//! engine gives, whether the failed try had committed or not; at the end the store holds the
//! engine's histories and every effect reached the sink. Killing the process at every
//! statement is the server's test (`server/tests/kill.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use civicflow_store::FaultKind;
use common::desk::{Desk, T0};
use common::*;

fn run(kind: &str, url: &str, seed: u64, steps: usize) -> usize {
    let mut store = township_store(url);
    store.set_claim_lease(0);
    let mut engine = reference();
    let mut desk = Desk {
        now: T0,
        cases: Vec::new(),
    };
    let mut sink = Remember::default();
    let mut rng = Rng(seed);
    let mut effects = std::collections::BTreeSet::new();
    let mut failures = 0;
    for i in 0..steps {
        let request = desk.next(&mut engine, rng.picks());
        let id = format!("r-{i}");
        let expected = reference_step(&mut engine, &request, &id);
        effects.extend(expected.iter().flat_map(effect_ids));
        for k in 1.. {
            store.inject_fault(k, FaultKind::Fail);
            match store_step(&mut store, &request, &id, &mut sink) {
                Err(e) => {
                    assert_eq!(e.code(), "store.injected", "{kind} step {i}: {e}");
                    failures += 1;
                    let checked = store.check().unwrap();
                    assert!(
                        checked.problems.is_empty(),
                        "{kind} step {i} k {k}: {:?}",
                        checked.problems
                    );
                }
                Ok(got) => {
                    store.inject_fault(u64::MAX / 2, FaultKind::Fail);
                    if let (Some(expected), Some(got)) = (&expected, got) {
                        assert_eq!(
                            &comparable(got),
                            expected,
                            "{kind} step {i} k {k}: {request}"
                        );
                    }
                    break;
                }
            }
        }
    }
    assert_eq!(
        store_heads(&mut store),
        heads(&mut engine, &desk.cases),
        "{kind}"
    );
    assert_eq!(drain_all(&mut store, &mut sink), effects, "{kind}");
    failures
}

#[test]
fn every_statement_failing_once_loses_and_doubles_nothing() {
    for (kind, url, _guard) in backends("faults") {
        let failures = run(kind, &url, 99, 120);
        assert!(failures > 500, "{kind}: only {failures} faults");
        eprintln!("{kind}: {failures} statements failed and were retried");
    }
}

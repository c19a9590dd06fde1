//! Moving to PostgreSQL: a township's SQLite store after a run of the desk (cases open and
//! closed, archived ones, effects delivered and not, request ids) copied into an empty
//! PostgreSQL store holds the same: every case with its head, hot or archived, the same work
//! waiting, and a retried request answered from the copy. A target that is not empty is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use civicflow_store::Store;
use common::desk::{Desk, T0};
use common::*;

#[test]
fn a_sqlite_store_copied_into_postgresql_is_the_same_store() {
    let (url, _dir) = sqlite_url();
    let mut source = township_store(&url);
    let mut engine = reference();
    let mut desk = Desk {
        now: T0,
        cases: Vec::new(),
    };
    let mut sink = Remember::default();
    let mut rng = Rng(42);
    let mut answered = Vec::new();
    for i in 0..200 {
        let request = desk.next(&mut engine, rng.picks());
        let id = format!("r-{i}");
        reference_step(&mut engine, &request, &id);
        if let Some(answer) = store_step(&mut source, &request, &id, &mut sink).unwrap() {
            if answer["ok"] == true {
                answered.push((request, id, answer));
            }
        }
    }
    let before = source.check().unwrap();
    assert!(before.problems.is_empty());
    let backlog = source.backlog().unwrap();

    let mut target = Store::open(&pg::fresh("copy")).unwrap();
    let copied = source.copy_into(&mut target).unwrap();
    let after = target.check().unwrap();
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert_eq!(
        after.cases, before.cases,
        "the cases, their heads and where they are"
    );
    assert!(
        copied.archived > 0 && copied.cases > 0 && copied.effects > 0 && copied.requests > 0,
        "{copied:?}"
    );
    target.set_clock(Some(desk.now));
    source.set_clock(Some(desk.now));
    assert_eq!(target.backlog().unwrap(), source.backlog().unwrap());
    assert_eq!(target.backlog().unwrap().outbox, backlog.outbox);
    let (request, id, first) = &answered[answered.len() / 2];
    let again = target.call(with_id(request, id)).unwrap();
    assert_eq!(again["result"]["duplicate"], true);
    assert_eq!(comparable(again), comparable(first.clone()));
    // A second copy into the same target is refused, and changes nothing.
    let refused = source.copy_into(&mut target).unwrap_err();
    assert_eq!(refused.code(), "store.corrupt");
    assert_eq!(target.check().unwrap(), after);
}

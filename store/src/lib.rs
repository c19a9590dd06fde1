//! civicflow on a database. A [`Store`] keeps cases, their events, timers, outbox and the
//! answers to retried requests in SQLite (embedded, one file) or PostgreSQL (any number of
//! workers on one database), and answers the JSON API of the engine with one transaction per
//! command: lock what the command's plan names, load it into a copy of the definitions, run,
//! commit the write set, answer. A [`Store`] also sweeps due timers ([`Store::sweep`]),
//! delivers the outbox ([`Store::dispatch`]) and archives closed cases ([`Store::archive`]).
//!
//! ```no_run
//! use civicflow_store::Store;
//! use serde_json::json;
//!
//! let mut store = Store::open("sqlite:./civicflow.db")?;
//! let answer = store.call(json!({"op": "list_workflows"}))?;
//! assert_eq!(answer["ok"], true);
//! # Ok::<(), civicflow_store::StoreError>(())
//! ```
//!
//! `docs/hosting.md` tells how to run it; `../shared/HOSTING.md` the design it follows.

mod archiver;
mod check;
mod command;
mod copy;
mod db;
mod dispatch;
mod error;
mod faults;
mod json;
mod migrate;
mod read;
mod store;
mod sweeper;
mod url;

pub use check::{Checked, CheckedCase};
pub use copy::Copied;
pub use db::OutboxRow;
pub use dispatch::{backoff_ms, Dispatched, Sink};
pub use error::{Result, StoreError};
pub use faults::FaultKind;
pub use migrate::SCHEMA_VERSION;
pub use read::CaseFilter;
pub use store::{takes_request_id, Backlog, Store};
pub use sweeper::{Swept, CLAIM_LEASE_MS};
pub use url::Database;

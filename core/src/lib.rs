//! civicflow: a deterministic engine for petition and work-order workflows.
//!
//! Workflows are data ([`WorkflowDef`], JSON `"format": 1`), validated on load with graph
//! analysis into a [`Workflow`]. Cases run on them by commands that are checked in full before
//! anything changes; every change is an event, and [`replay`] rebuilds a case from its history.
//! The core does no I/O, reads no clock and uses no randomness: hosts pass `at` (UTC
//! milliseconds) and ids.
//!
//! The same operations are available as typed methods on [`Engine`] and as a JSON
//! request/answer API ([`Engine::handle_str`]) that the C and WASM bindings pass through.
//!
//! # Example
//! ```
//! use civicflow::{Actor, Command, Engine, Opening, Values};
//!
//! let mut engine = Engine::new();
//! // The template's time limits count on the mainland China calendar.
//! let calendar = serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
//! engine.load_calendar(calendar).unwrap();
//! let def = serde_json::from_str(include_str!("../../templates/hotline-12345.json")).unwrap();
//! engine.load_workflow(def).unwrap();
//!
//! let operator = Actor::new("op-7", &["operator"]);
//! let opening = Opening {
//!     case_id: "WO-1",
//!     channel: "wechat",
//!     fields: Values::Json(&serde_json::from_str(
//!         r#"{"summary": "小区路灯不亮", "category": "municipal", "citizen_name": "张三", "citizen_phone": "13812345678"}"#,
//!     ).unwrap()),
//!     actor: &operator,
//!     at: 1_700_000_000_000,
//!     keys: None,
//! };
//! engine.open_case("hotline-12345", None, &opening).unwrap();
//!
//! let cmd = Command { transition: "accept", actor: &operator, payload: Values::NONE, at: 1_700_000_060_000 };
//! assert_eq!(engine.apply("WO-1", &cmd).unwrap().state(), "accepted");
//!
//! // A rejected command leaves the case as it was.
//! let citizen = Actor::new("c-1", &["citizen"]);
//! let bad = Command { transition: "dispatch", actor: &citizen, payload: Values::NONE, at: 1_700_000_120_000 };
//! let err = engine.apply("WO-1", &bad).unwrap_err();
//! assert_eq!(err.code(), "case.role_not_allowed");
//! assert_eq!(engine.case("WO-1").unwrap().state(), "accepted");
//! ```

#![deny(missing_docs)]

pub mod answer;
pub mod api;
mod archive;
pub mod calendar;
pub mod calendar_time;
pub mod case;
mod case_handling;
pub mod chain;
pub mod clock;
pub mod definition;
pub mod disclosure;
mod emit;
pub mod engine;
mod engine_handling;
pub mod error;
pub mod governance;
pub mod graph;
pub mod guard;
pub mod handling;
mod intern;
pub mod journal;
mod json;
pub mod limits;
pub mod mask;
pub mod metrics;
mod metrics_table;
pub mod org;
pub mod outbox;
pub mod sla;
mod strict_json;
pub mod value;
pub mod workflow;

pub use api::{Answer, Reply, ReplyStatus, Request, OPS};
pub use calendar::{Calendar, CalendarDef, CalendarError, InvalidCalendar};
pub use calendar_time::{Between, Computed, Duration, DurationDef};
pub use case::{
    replay, Actor, Available, Case, CaseView, Command, Event, EventRecord, Opening, Values,
};
pub use chain::{verify_history, Verified};
pub use definition::{WorkflowDef, DEFINITION_FORMAT};
pub use engine::{Engine, Limits, Loaded, Snapshot, SNAPSHOT_FORMAT};
pub use error::{
    CaseError, DefinitionError, Diagnostic, ErrorDetail, GraphError, HistoryError,
    InvalidDefinition, RequestError, SnapshotError, WorkflowError, ALL_CODES,
};
pub use governance::{AppealOf, HandlingView, Level, MatterKeys, Stage};
pub use graph::{GraphFormat, PathToClose};
pub use handling::{Action, HandlingDef};
pub use journal::{Appended, CaseEvents};
pub use org::{Org, OrgDef, OrgError, Route};
pub use outbox::{Effect, EffectKind};
pub use value::{FieldKind, Value};
pub use workflow::Workflow;

// The Rust examples of the README and the guide are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeQuickStart;

#[cfg(doctest)]
#[doc = include_str!("../../docs/persistence.md")]
struct PersistenceGuide;

#[cfg(doctest)]
#[doc = include_str!("../../docs/rust.md")]
struct RustGuide;

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

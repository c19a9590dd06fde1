//! civicflow: a deterministic engine for petition and work-order workflows.
//!
//! Workflows are data ([`WorkflowDef`], JSON `"format": 1`), validated on load with graph
//! analysis into a [`Workflow`]. Cases run on them by commands that are checked in full before
//! anything changes; every change is an event, and [`replay`] rebuilds a case from its history.
//! The core does no I/O, reads no clock and uses no randomness: hosts pass `at` (UTC
//! milliseconds) and ids.
//!
//! The same operations are available as typed methods on [`Engine`] and as a JSON
//! request/answer API ([`Engine::answer_str`]) that the C and WASM bindings pass through.
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

mod api;
mod calendar;
mod case;
mod engine;
mod error;
mod limits;
mod mask;
mod metrics;
mod org;
pub mod shipped;
mod support;
mod value;
mod workflow;

pub use api::answer::{
    Acknowledged, CalendarLoaded, CaseChange, CaseTimers, Deadline, Drained, Drawing, DueTimers,
    EventsAppended, Extended, FiredTimers, History, LimitsAnswer, Loaded, NextDue, NoticeRead,
    OptionsAnswer, OrgLoaded, Plan, Replayed, Restored, SlaClocks, Transitions, Unloaded,
    Validation, WorkflowList, WorkflowSummary,
};
pub use api::{
    parse_document, read_part, AckRequest, Answer, AnswerSupervisionRequest, AppendEventsRequest,
    ApplyRequest, ArchiveRequest, AvailableRequest, CalendarAddRequest, CalendarBetweenRequest,
    CalendarRequest, CaseRequest, DefinitionRequest, Document, DrainRequest, DueRequest, Empty,
    ExportGraphRequest, ExtendRequest, FireDueRequest, FollowRequest, LinkRequest, NoticeRequest,
    OpenCaseRequest, OpinionRequest, OrgRequest, PlanRequest, ReplayRequest, Reply, ReplyStatus,
    Request, RequestError, RestoreRequest, RouteRequest, SetLimitsRequest, SetOptionsRequest,
    ShortestPathRequest, SlaStatusRequest, SnapshotRequest, SuperviseRequest, VerifyRequest, OPS,
    OP_RESULTS,
};
pub use calendar::notice::{read_notice, InvalidNotice, NoticeError, NoticeLine, NoticeYear};
pub use calendar::working_time::{Between, Computed, Duration, DurationDef};
pub use calendar::{
    Calendar, CalendarDef, CalendarError, HolidayDef, InvalidCalendar, SourceDef, Week,
    WorkingDayDef, YearRange, CALENDAR_FORMAT, MAX_CALENDAR_YEARS,
};
pub use case::disclosure::{PublicEvent, PublicView};
pub use case::effect::{Effect, EffectKind};
pub use case::hash_chain::{hex, verify_history, Verified, GENESIS};
pub use case::sla_clock::{ClockView, TimerKind};
pub use case::{
    history_workflow, replay, Actor, Available, Case, CaseError, CaseView, Command, Event,
    EventRecord, HistoryError, Opening, Values, MAX_CASE_ID_BYTES, MAX_NAME_BYTES,
    MAX_REQUEST_ID_BYTES, SYSTEM_ACTOR,
};
pub use engine::journal::{Appended, CaseEvents};
pub use engine::outbox::{OutboxMode, OutboxNotEmpty, UnknownEffect};
pub use engine::{
    BadQuery, CaseList, CaseQuery, CaseRow, CaseSnapshot, CaseSummary, CaseWrite, DueKind,
    DueTimer, Engine, FireScope, Fired, GraphError, Guarded, LoadedWorkflow, Precondition,
    SlaStatusError, Snapshot, SnapshotError, WorkflowError, DEFAULT_PAGE, MAX_PAGE,
    SNAPSHOT_FORMAT,
};
pub use error::{Coded, DocumentError, DocumentErrors, ErrorDetail, Located, ALL_CODES};
pub use limits::Limits;
pub use mask::{Mask, Protector, DIGIT_WINDOW, MAX_KEEP, PHONE_LIKE_DIGITS, REDACTED};
pub use metrics::table::{Rank, TableCsv, RANK_COLUMNS, ROW_COLUMNS, SLA_COLUMNS};
pub use metrics::{
    Count, GroupBy, Metrics, MetricsError, MetricsQuery, MetricsRow, Scoring, SlaRow, TableFormat,
    Tier,
};
pub use org::handling::{
    AppealOf, AssistView, CallbackView, HandlingView, Level, LinkView, MatterKeys, Stage,
    SupervisionView,
};
pub use org::{
    CatalogueDef, DepartmentMattersDef, InvalidOrg, Org, OrgDef, OrgError, Route, RouteBasis,
    RuleDef, UnitDef, UnitKind, MAX_UNIT_ID_BYTES, ORG_FORMAT,
};
pub use support::ids::MAX_ID_BYTES;
pub use value::{
    FieldKind, FieldProblem, FieldSource, Value, MAX_INSTANT, MAX_STRING_BYTES, MIN_INSTANT,
};
pub use workflow::definition::{
    FieldDef, FromStates, RoleDef, StateDef, TransitionDef, Visibility, WorkflowDef,
    DEFINITION_FORMAT,
};
pub use workflow::graph::{GraphFormat, PathToClose, Step};
pub use workflow::guard::{ActorAttr, CaseAttr, GuardDef, OperandDef, UnitRelation};
pub use workflow::handling::{
    Action, AppealsDef, AssistDef, CallbackDef, DuplicatePolicy, DuplicatesDef, HandlingDef,
    LevelDef, LinkedDef, LEGAL_ROUTES, SATISFACTION,
};
pub use workflow::sla::{
    BreachDef, ExtensionDef, Reentry, Since, SlaDef, TargetDef, TriggerDef, WarningDef,
    MAX_SLA_STEPS,
};
pub use workflow::{Compiled, DefinitionError, Diagnostic, InvalidDefinition, Workflow};

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

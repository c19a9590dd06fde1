//! The result of each op of the JSON API, as types: what `"result"` holds in an `"ok": true`
//! answer. They exist so that every binding, and the TypeScript declarations of the npm
//! package, describe answers from one source.

use serde::{Deserialize, Serialize};

use crate::calendar::YearRange;
use crate::case::sla_clock::ClockView;
use crate::case::{Available, CaseView, EventRecord};
use crate::engine::journal::CaseEvents;
use crate::engine::DueTimer;
use crate::error::ErrorDetail;
use crate::workflow::graph::GraphFormat;

/// Result of `load_workflow`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Loaded {
    /// Workflow id.
    pub id: String,
    /// Workflow version.
    pub version: u32,
    /// Things worth a look that do not stop loading.
    pub warnings: Vec<ErrorDetail>,
}

/// Result of `set_limits` and `get_limits`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct LimitsAnswer {
    /// Every limit now in force.
    pub limits: crate::limits::Limits,
}

/// Result of `validate_workflow`: a definition with errors is a result, not a failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Validation {
    /// Whether it would load.
    pub valid: bool,
    /// Why it would not.
    pub errors: Vec<ErrorDetail>,
    /// Things worth a look.
    pub warnings: Vec<ErrorDetail>,
}

/// One loaded workflow in `list_workflows`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct WorkflowSummary {
    /// Workflow id.
    pub id: String,
    /// Version.
    pub version: u32,
    /// Title (empty when the definition has none).
    pub title: String,
}

/// Result of `list_workflows`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct WorkflowList {
    /// Every loaded workflow version, by id then version.
    pub workflows: Vec<WorkflowSummary>,
    /// Digest of every loaded definition (workflows, calendars, organisation): equal on
    /// engines that decide on the same rules.
    pub digest: String,
}

/// Result of `open_case` and `apply`: the case after the command and the events it recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseChange {
    /// The case now.
    pub case: CaseView,
    /// The events the command appended.
    pub events: Vec<EventRecord>,
    /// The events the same command appended to linked cases, by case, recorded after
    /// `events`: the primary's record of a new duplicate (`link_cases`, or `open_case` under
    /// the `link` duplicate policy) and duplicates closing with their primary (`apply`). A
    /// host that stores every answer's events stores these too (`docs/persistence.md`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_events: Vec<CaseEvents>,
    /// What the host must do because of them (also queued in the outbox).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<crate::case::effect::Effect>,
    /// Open cases of the same citizen and matter, for a workflow whose duplicate policy is
    /// `candidate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    /// The answer to a retried request: the case holds its `request_id` already, so nothing
    /// ran; `events` and `effects` are what the first try appended and queued.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
    /// What the host commits, in one transaction, before it answers: an entry for each case
    /// the command touched, this one first (`docs/persistence.md`). Empty for a duplicate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<crate::engine::CaseWrite>,
    /// Linked duplicates of a primary this command closed that did not follow it here (more
    /// than `max_inline_follow_ups`, or not loaded): the host runs `follow_primary` for each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<String>,
}

/// Result of `plan`: what a command needs loaded before it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Plan {
    /// The cases it reads or may change, the request's own first.
    pub cases: Vec<String>,
    /// Citizen and matter keys whose open cases it checks for duplicates (and may link to).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matters: Vec<crate::org::handling::MatterKeys>,
}

/// Result of `load_org`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct OrgLoaded {
    /// Organisation id.
    pub id: String,
    /// Number of units.
    pub units: usize,
}

/// Result of `drain_outbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Drained {
    /// The instant asked about.
    pub now: i64,
    /// Effects to deliver, oldest first.
    pub effects: Vec<crate::case::effect::Effect>,
    /// Undelivered effects in all, these included.
    pub pending: usize,
}

/// Result of `ack_effects`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Acknowledged {
    /// How many of the ids were undelivered until now (the others were acknowledged before).
    pub acknowledged: usize,
    /// Undelivered effects left.
    pub pending: usize,
}

/// Result of `available_transitions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Transitions {
    /// Case id.
    pub case_id: String,
    /// Its current state.
    pub state: String,
    /// What the actor may take now.
    pub transitions: Vec<Available>,
}

/// Result of `history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct History {
    /// Case id.
    pub case_id: String,
    /// Every event, oldest first, each with its chain hash.
    pub events: Vec<EventRecord>,
    /// The last event's hash, for the host to anchor elsewhere (a database row, a log, a
    /// notary) and give back to `verify_history`.
    pub head: String,
}

/// Result of `replay`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Replayed {
    /// The case the history rebuilds (not stored).
    pub case: CaseView,
}

/// Result of `append_events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct EventsAppended {
    /// The case now.
    pub case: CaseView,
    /// Events added to it.
    pub appended: usize,
    /// Events the engine already held, the same ones, and skipped.
    pub held: usize,
}

/// Result of `export_graph`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Drawing {
    /// The format asked for.
    pub format: GraphFormat,
    /// The drawing.
    pub text: String,
}

/// Result of `restore`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Restored {
    /// Workflow versions loaded.
    pub workflows: usize,
    /// Cases rebuilt.
    pub cases: usize,
}

/// Result of `load_calendar`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CalendarLoaded {
    /// Calendar id.
    pub id: String,
    /// The years it covers.
    pub years: YearRange,
}

/// Result of `calendar_from_notice`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct NoticeRead {
    /// What the notice sets for its year.
    pub notice: crate::calendar::notice::NoticeYear,
    /// The requested calendar's document with the year in it, when a calendar was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<crate::calendar::CalendarDef>,
}

/// Result of `calendar_add`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Deadline {
    /// The deadline (UTC ms).
    pub at: i64,
    /// The deadline in the calendar's time zone, RFC 3339 with offset.
    pub local: String,
    /// Whether it depends on years the calendar does not cover.
    pub provisional: bool,
    /// How the duration was counted.
    #[cfg_attr(
        feature = "typescript",
        tsify(type = r#""calendar" | "natural_days" | "working_days" | "working_time""#)
    )]
    pub basis: String,
}

/// Result of `sla_status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct SlaClocks {
    /// Case id.
    pub case_id: String,
    /// The instant the clocks are seen at (UTC ms).
    pub now: i64,
    /// One per SLA rule of the workflow.
    pub clocks: Vec<ClockView>,
}

/// Result of `due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct DueTimers {
    /// The instant (UTC ms).
    pub now: i64,
    /// Due timers, earliest first.
    pub timers: Vec<DueTimer>,
}

/// Result of `fire_due`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct FiredTimers {
    /// The instant (UTC ms).
    pub now: i64,
    /// The events recorded, by case.
    pub fired: Vec<CaseEvents>,
    /// Timers in scope are still due: the `limit` stopped the firing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// What the host commits, as in [`CaseChange`]: an entry for each case a timer changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<crate::engine::CaseWrite>,
    /// Duplicates of primaries a breach closed left to `follow_primary`, as in
    /// [`CaseChange`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<String>,
}

/// Result of `set_options` and `get_options`: every option in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct OptionsAnswer {
    /// Who holds the effects until they are delivered.
    pub outbox: crate::engine::outbox::OutboxMode,
}

/// Result of `case_timers`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseTimers {
    /// The case.
    pub case_id: String,
    /// Every pending timer of the case, due or not, earliest first.
    pub timers: Vec<DueTimer>,
}

/// Result of `next_due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct NextDue {
    /// The earliest pending timer of any case held; absent when none is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer: Option<DueTimer>,
}

/// Result of `unload_case`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Unloaded {
    /// The case.
    pub case_id: String,
    /// Its number of events when it left: the version the host's store must hold.
    pub events: usize,
    /// The head of its hash chain, to check the stored history against.
    pub head: String,
}

/// Result of `extend`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Extended {
    /// The case now.
    pub case: CaseView,
    /// The extension event.
    pub events: Vec<EventRecord>,
    /// What the host must do because of it (the petitioner is told of an extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<crate::case::effect::Effect>,
    /// Every clock of the case at the extension's instant (`null` only if they cannot be
    /// computed there).
    #[cfg_attr(feature = "typescript", tsify(type = "ClockView[] | null"))]
    pub clocks: Option<Vec<ClockView>>,
    /// The answer to a retried request, as in [`CaseChange`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
    /// What the host commits, as in [`CaseChange`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<crate::engine::CaseWrite>,
}

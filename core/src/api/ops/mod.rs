//! The JSON API's ops as one table. Each entry names the op, the variant of [`Request`] and
//! the body it reads, the function that answers it (one file per group of ops, in the shape of
//! cedar's `ffi/`), and the TypeScript type of its result. The `Request` enum, [`OPS`], the
//! op-name reader and the dispatch are generated from it, and so is the `Results` map of the
//! npm package's declarations ([`OP_RESULTS`]): an op is added here and nowhere else.

use serde::Serialize;
use serde_json::Value as Json;

use super::{read_request, Outcome};
use crate::api::*;
use crate::engine::Engine;

mod calendars;
mod cases;
mod clocks;
mod definitions;
mod engine_state;
mod handling;
mod history;
mod metrics;
mod outbox;

macro_rules! ops {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($body:ty) = $op:literal => $group:ident::$handler:ident -> $result:literal;
    )*) => {
        /// A request to the engine: `{"op": "<name>", ...body}`. Each op's body is its own struct, so
        /// typed callers build exactly what the op needs and every error in a body names its place.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
        #[serde(tag = "op")]
        pub enum Request {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $op)]
                $variant($body),
            )*
        }

        /// Every `op` the API answers, in documentation order.
        pub const OPS: &[&str] = &[$($op),*];

        /// Every op with the TypeScript type of its result, in documentation order: the
        /// npm package's `Results` map is generated from it.
        pub const OP_RESULTS: &[(&str, &str)] = &[$(($op, $result)),*];

        /// The request for `op` read from its body, or `None` for an unknown op.
        pub(super) fn read_op(op: &str, body: Json) -> Option<Result<Request, RequestError>> {
            Some(match op {
                $($op => read_request(body, "").map(Request::$variant),)*
                _ => return None,
            })
        }

        /// Answers a request through the function of its op.
        pub(super) fn dispatch(engine: &mut Engine, request: Request) -> Outcome {
            match request {
                $(Request::$variant(body) => $group::$handler(engine, body),)*
            }
        }
    };
}

ops! {
    /// Validate and load a workflow definition.
    LoadWorkflow(DefinitionRequest) = "load_workflow" => definitions::load_workflow -> "Loaded";
    /// Check a definition without loading it.
    ValidateWorkflow(DefinitionRequest) = "validate_workflow" => definitions::validate_workflow -> "Validation";
    /// List loaded workflows.
    ListWorkflows(Empty) = "list_workflows" => definitions::list_workflows -> "WorkflowList";
    /// Open a case.
    OpenCase(OpenCaseRequest) = "open_case" => cases::open_case -> "CaseChange";
    /// Apply a transition to a case.
    Apply(ApplyRequest) = "apply" => cases::apply -> "CaseChange";
    /// A case's current view.
    GetCase(CaseRequest) = "get_case" => cases::get_case -> "CaseView";
    /// The cases matching filters (workflow, state, category, unit, channel, closed, overdue,
    /// opened between), newest first, a page at a time.
    ListCases(crate::engine::CaseQuery) = "list_cases" => cases::list_cases -> "CaseList";
    /// Transitions an actor can take on a case now.
    AvailableTransitions(AvailableRequest) = "available_transitions" => cases::available_transitions -> "Transitions";
    /// A case's history.
    History(CaseRequest) = "history" => history::history -> "History";
    /// Rebuild a case from a history without storing it.
    Replay(ReplayRequest) = "replay" => history::replay -> "Replayed";
    /// Check a history's hash chain, and its head against an anchored one.
    VerifyHistory(VerifyRequest) = "verify_history" => history::verify_history -> "Verified";
    /// Add stored events to the case they belong to (recovery from a journal).
    AppendEvents(AppendEventsRequest) = "append_events" => history::append_events -> "EventsAppended";
    /// Take any case out of the engine with its timers, index entries and outbox entries.
    UnloadCase(CaseRequest) = "unload_case" => history::unload_case -> "Unloaded";
    /// Take a closed case out of the engine, answering its history.
    ArchiveCase(ArchiveRequest) = "archive_case" => history::archive_case -> "History";
    /// Fewest transitions to a terminal state.
    ShortestPath(ShortestPathRequest) = "shortest_path" => definitions::shortest_path -> "PathToClose";
    /// Draw a workflow.
    ExportGraph(ExportGraphRequest) = "export_graph" => definitions::export_graph -> "Drawing";
    /// The whole engine as data.
    Snapshot(SnapshotRequest) = "snapshot" => engine_state::snapshot -> "Snapshot";
    /// Replace the engine with a snapshot.
    Restore(RestoreRequest) = "restore" => engine_state::restore -> "Restored";
    /// Load or replace a business calendar.
    LoadCalendar(CalendarRequest) = "load_calendar" => calendars::load_calendar -> "CalendarLoaded";
    /// A deadline on a calendar: an instant plus a duration.
    CalendarAdd(CalendarAddRequest) = "calendar_add" => calendars::calendar_add -> "Deadline";
    /// The year a State Council holiday notice sets, read from its text; with `calendar`, that
    /// calendar's document with the year in it. Changes nothing.
    CalendarFromNotice(NoticeRequest) = "calendar_from_notice" => calendars::calendar_from_notice -> "NoticeRead";
    /// Working and elapsed time between two instants on a calendar.
    CalendarBetween(CalendarBetweenRequest) = "calendar_between" => calendars::calendar_between -> "Between";
    /// Every SLA clock of a case at `now`.
    SlaStatus(SlaStatusRequest) = "sla_status" => clocks::sla_status -> "SlaClocks";
    /// Warnings and breach steps due at `now`.
    Due(DueRequest) = "due" => clocks::due -> "DueTimers";
    /// Every pending timer of a case.
    CaseTimers(CaseRequest) = "case_timers" => clocks::case_timers -> "CaseTimers";
    /// The earliest pending timer of any case held, if any: what a timer loop sleeps until.
    NextDue(Empty) = "next_due" => clocks::next_due -> "NextDue";
    /// Record everything due at `now`.
    FireDue(FireDueRequest) = "fire_due" => clocks::fire_due -> "FiredTimers";
    /// Extend a running SLA clock.
    Extend(ExtendRequest) = "extend" => clocks::extend -> "Extended";
    /// Load or replace the organisation tree and dispatch catalogue.
    LoadOrg(OrgRequest) = "load_org" => handling::load_org -> "OrgLoaded";
    /// Where the dispatch catalogue sends a matter.
    Route(RouteRequest) = "route" => handling::route -> "Route";
    /// A linked duplicate follows its closed primary.
    FollowPrimary(FollowRequest) = "follow_primary" => handling::follow_primary -> "CaseChange";
    /// Which cases and matter keys a request needs loaded.
    Plan(PlanRequest) = "plan" => cases::plan -> "Plan";
    /// Link a case to a primary as a duplicate.
    LinkCases(LinkRequest) = "link_cases" => handling::link_cases -> "CaseChange";
    /// An assisting unit gives its opinion.
    SubmitOpinion(OpinionRequest) = "submit_opinion" => handling::submit_opinion -> "CaseChange";
    /// A higher unit supervises a case.
    Supervise(SuperviseRequest) = "supervise" => handling::supervise -> "CaseChange";
    /// The handling unit answers a supervision.
    AnswerSupervision(AnswerSupervisionRequest) = "answer_supervision" => handling::answer_supervision -> "CaseChange";
    /// Effects to deliver.
    DrainOutbox(DrainRequest) = "drain_outbox" => outbox::drain_outbox -> "Drained";
    /// Acknowledge delivered effects.
    AckEffects(AckRequest) = "ack_effects" => outbox::ack_effects -> "Acknowledged";
    /// Performance measures of the cases of a period.
    Metrics(crate::metrics::MetricsQuery) = "metrics" => metrics::metrics -> "Metrics | TableCsv";
    /// What may be published about a case, personal data masked.
    PublicView(CaseRequest) = "public_view" => cases::public_view -> "PublicView";
    /// Change some of the engine's limits.
    SetLimits(SetLimitsRequest) = "set_limits" => engine_state::set_limits -> "LimitsAnswer";
    /// The limits in force.
    GetLimits(Empty) = "get_limits" => engine_state::get_limits -> "LimitsAnswer";
    /// Change some of the engine's options: who holds the outbox.
    SetOptions(SetOptionsRequest) = "set_options" => engine_state::set_options -> "OptionsAnswer";
    /// The options in force.
    GetOptions(Empty) = "get_options" => engine_state::get_options -> "OptionsAnswer";
}

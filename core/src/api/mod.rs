//! The JSON API every binding speaks: a tagged request in, `{"ok": true, "result": ...}` or
//! `{"ok": false, "errors": [...]}` out. Each operation is a thin layer over a typed
//! [`Engine`] method; offered on [`serde_json::Value`], on `&str` and on bytes.

pub(crate) mod answer;
pub(crate) mod error;
pub(crate) mod request_json;

pub use error::RequestError;

use crate::error::Coded;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::calendar::working_time::DurationDef;
use crate::calendar::{parse_calendar, YearRange};
use crate::case::CaseError;
use crate::case::{Actor, Command, EventRecord, Opening, Values};
use crate::engine::{Engine, SlaStatusError, Snapshot};
use crate::error::ErrorDetail;
use crate::org::governance::{Level, MatterKeys};
use crate::support::json::read;
use crate::value::json_type_name;
use crate::workflow::definition::WorkflowDef;
use crate::workflow::graph::GraphFormat;
use crate::workflow::Workflow;
use crate::workflow::{DefinitionError, Diagnostic};

/// A request to the engine: `{"op": "<name>", ...body}`. Each op's body is its own struct, so
/// typed callers build exactly what the op needs and every error in a body names its place.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Validate and load a workflow definition.
    LoadWorkflow(DefinitionRequest),
    /// Check a definition without loading it.
    ValidateWorkflow(DefinitionRequest),
    /// List loaded workflows.
    ListWorkflows(Empty),
    /// Open a case.
    OpenCase(OpenCaseRequest),
    /// Apply a transition to a case.
    Apply(ApplyRequest),
    /// A case's current view.
    GetCase(CaseRequest),
    /// Transitions an actor can take on a case now.
    AvailableTransitions(AvailableRequest),
    /// A case's history.
    History(CaseRequest),
    /// Rebuild a case from a history without storing it.
    Replay(ReplayRequest),
    /// Check a history's hash chain, and its head against an anchored one.
    VerifyHistory(VerifyRequest),
    /// Add stored events to the case they belong to (recovery from a journal).
    AppendEvents(AppendEventsRequest),
    /// Take a closed case out of the engine, answering its history.
    ArchiveCase(CaseRequest),
    /// Fewest transitions to a terminal state.
    ShortestPath(ShortestPathRequest),
    /// Draw a workflow.
    ExportGraph(ExportGraphRequest),
    /// The whole engine as data.
    Snapshot(Empty),
    /// Replace the engine with a snapshot.
    Restore(RestoreRequest),
    /// Load or replace a business calendar.
    LoadCalendar(CalendarRequest),
    /// A deadline on a calendar: an instant plus a duration.
    CalendarAdd(CalendarAddRequest),
    /// Working and elapsed time between two instants on a calendar.
    CalendarBetween(CalendarBetweenRequest),
    /// Every SLA clock of a case at `now`.
    SlaStatus(SlaStatusRequest),
    /// Warnings and breach steps due at `now`.
    Due(DueRequest),
    /// Record everything due at `now`.
    FireDue(FireDueRequest),
    /// Extend a running SLA clock.
    Extend(ExtendRequest),
    /// Load or replace the organisation tree and dispatch catalogue.
    LoadOrg(OrgRequest),
    /// Where the dispatch catalogue sends a matter.
    Route(RouteRequest),
    /// Link a case to a primary as a duplicate.
    LinkCases(LinkRequest),
    /// An assisting unit gives its opinion.
    SubmitOpinion(OpinionRequest),
    /// A higher unit supervises a case.
    Supervise(SuperviseRequest),
    /// The handling unit answers a supervision.
    AnswerSupervision(AnswerSupervisionRequest),
    /// Effects to deliver.
    DrainOutbox(DrainRequest),
    /// Acknowledge delivered effects.
    AckEffects(AckRequest),
    /// Performance measures of the cases of a period.
    Metrics(crate::metrics::MetricsQuery),
    /// What may be published about a case, personal data masked.
    PublicView(CaseRequest),
    /// Change some of the engine's limits.
    SetLimits(SetLimitsRequest),
    /// The limits in force.
    GetLimits(Empty),
}

/// Every `op` the API answers, in documentation order.
pub const OPS: &[&str] = &[
    "load_workflow",
    "validate_workflow",
    "list_workflows",
    "open_case",
    "apply",
    "get_case",
    "available_transitions",
    "history",
    "replay",
    "verify_history",
    "append_events",
    "archive_case",
    "shortest_path",
    "export_graph",
    "snapshot",
    "restore",
    "load_calendar",
    "calendar_add",
    "calendar_between",
    "sla_status",
    "due",
    "fire_due",
    "extend",
    "load_org",
    "route",
    "link_cases",
    "submit_opinion",
    "supervise",
    "answer_supervision",
    "drain_outbox",
    "ack_effects",
    "metrics",
    "public_view",
    "set_limits",
    "get_limits",
];

impl Request {
    /// Reads a request, reporting the JSON Pointer of the first problem.
    ///
    /// # Errors
    /// `request.invalid` when the value is not an object, `op` is missing or unknown, or the
    /// body does not fit the op.
    pub fn from_json(value: Json) -> Result<Request, RequestError> {
        let Json::Object(mut body) = value else {
            return Err(invalid(
                format!(
                    "a request is a JSON object, found {}",
                    json_type_name(&value)
                ),
                "",
            ));
        };
        let op = match body.remove("op") {
            Some(Json::String(op)) => op,
            Some(other) => {
                return Err(invalid(
                    format!("`op` is a string, found {}", json_type_name(&other)),
                    "/op",
                ))
            }
            None => return Err(invalid("missing field `op`".to_owned(), "")),
        };
        let rest = Json::Object(body);
        fn op_body<T: DeserializeOwned>(body: Json) -> Result<T, RequestError> {
            read_request(body, "")
        }
        Ok(match op.as_str() {
            "load_workflow" => Request::LoadWorkflow(op_body(rest)?),
            "validate_workflow" => Request::ValidateWorkflow(op_body(rest)?),
            "list_workflows" => Request::ListWorkflows(op_body(rest)?),
            "open_case" => Request::OpenCase(op_body(rest)?),
            "apply" => Request::Apply(op_body(rest)?),
            "get_case" => Request::GetCase(op_body(rest)?),
            "available_transitions" => Request::AvailableTransitions(op_body(rest)?),
            "history" => Request::History(op_body(rest)?),
            "replay" => Request::Replay(op_body(rest)?),
            "verify_history" => Request::VerifyHistory(op_body(rest)?),
            "append_events" => Request::AppendEvents(op_body(rest)?),
            "archive_case" => Request::ArchiveCase(op_body(rest)?),
            "shortest_path" => Request::ShortestPath(op_body(rest)?),
            "export_graph" => Request::ExportGraph(op_body(rest)?),
            "snapshot" => Request::Snapshot(op_body(rest)?),
            "restore" => Request::Restore(op_body(rest)?),
            "load_calendar" => Request::LoadCalendar(op_body(rest)?),
            "calendar_add" => Request::CalendarAdd(op_body(rest)?),
            "calendar_between" => Request::CalendarBetween(op_body(rest)?),
            "sla_status" => Request::SlaStatus(op_body(rest)?),
            "due" => Request::Due(op_body(rest)?),
            "fire_due" => Request::FireDue(op_body(rest)?),
            "extend" => Request::Extend(op_body(rest)?),
            "load_org" => Request::LoadOrg(op_body(rest)?),
            "route" => Request::Route(op_body(rest)?),
            "link_cases" => Request::LinkCases(op_body(rest)?),
            "submit_opinion" => Request::SubmitOpinion(op_body(rest)?),
            "supervise" => Request::Supervise(op_body(rest)?),
            "answer_supervision" => Request::AnswerSupervision(op_body(rest)?),
            "drain_outbox" => Request::DrainOutbox(op_body(rest)?),
            "ack_effects" => Request::AckEffects(op_body(rest)?),
            "metrics" => Request::Metrics(op_body(rest)?),
            "public_view" => Request::PublicView(op_body(rest)?),
            "set_limits" => Request::SetLimits(op_body(rest)?),
            "get_limits" => Request::GetLimits(op_body(rest)?),
            other => {
                let known = OPS
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(invalid(
                    format!("unknown op `{other}`, expected one of {known}"),
                    "/op",
                ));
            }
        })
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Request::from_json(Json::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Reads part of a request: its problems are `request.invalid` at their place under `prefix`.
fn read_request<T: DeserializeOwned>(value: Json, prefix: &str) -> Result<T, RequestError> {
    read(value, prefix).map_err(|(message, path)| RequestError::Invalid { message, path })
}

fn invalid(message: String, path: &str) -> RequestError {
    RequestError::Invalid {
        message,
        path: path.to_owned(),
    }
}

/// The body of an op that takes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Body of `load_workflow` and `validate_workflow`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DefinitionRequest {
    /// The definition document (read separately, so its errors are `definition.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "WorkflowDef"))]
    pub definition: Json,
}

/// Body of `open_case`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OpenCaseRequest {
    /// New case id.
    pub case_id: String,
    /// Workflow id.
    pub workflow: String,
    /// Workflow version; the highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Intake channel.
    pub channel: String,
    /// Field values.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub fields: Map<String, Json>,
    /// Who opens it.
    pub actor: Actor,
    /// When (UTC ms).
    pub at: i64,
    /// Citizen and matter keys, for duplicate detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<MatterKeys>,
    /// The case this one appeals (复查 of an original, 复核 of a 复查).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_of: Option<String>,
}

/// Body of `load_org`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    /// The organisation document (read separately, so its errors are `org.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "OrgDef"))]
    pub org: Json,
}

/// Body of `route`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    /// The matter's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The matter's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A unit the matter accuses: never routed to it or under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accused: Option<String>,
}

/// Body of `link_cases`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The duplicate.
    pub case_id: String,
    /// The primary it follows.
    pub primary: String,
    /// Who links them.
    pub actor: Actor,
    /// When (UTC ms).
    pub at: i64,
}

/// Body of `submit_opinion`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct OpinionRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for the assisting unit.
    pub actor: Actor,
    /// The opinion.
    pub opinion: String,
    /// When (UTC ms).
    pub at: i64,
}

/// Body of `supervise`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SuperviseRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for a unit above the handling unit.
    pub actor: Actor,
    /// `reminder` (催办), `supervision` (督办) or `listed` (挂牌督办).
    pub level: Level,
    /// Time to answer, on the handling calendar; the workflow's `supervision_due` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<DurationDef>,
    /// What must be answered.
    pub required: String,
    /// When (UTC ms).
    pub at: i64,
}

/// Body of `answer_supervision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AnswerSupervisionRequest {
    /// Case id.
    pub case_id: String,
    /// Who, acting for the handling unit.
    pub actor: Actor,
    /// The supervision's number on the case.
    pub supervision: usize,
    /// The answer.
    pub answer: String,
    /// When (UTC ms).
    pub at: i64,
}

/// Body of `drain_outbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DrainRequest {
    /// The instant (UTC ms).
    pub now: i64,
    /// At most this many (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// How long the effects handed out are not handed out again, in ms (default 60000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_ms: Option<u32>,
}

/// Body of `ack_effects`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// Ids of delivered effects.
    pub ids: Vec<String>,
}

/// Body of `apply`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// Case id.
    pub case_id: String,
    /// Transition id.
    pub transition: String,
    /// Who acts.
    pub actor: Actor,
    /// Payload values.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub payload: Map<String, Json>,
    /// When (UTC ms).
    pub at: i64,
}

impl ApplyRequest {
    /// Reads a payload given as JSON text, as a binding that takes `apply` in parts receives
    /// it. A refusal is the answer the whole request would get, its path under `/payload`.
    ///
    /// # Errors
    /// `request.invalid_json` when the text is not JSON, `request.invalid` when it is not an
    /// object.
    pub fn payload_from_str(text: &str) -> Result<Map<String, Json>, Box<Reply>> {
        let value: Json = serde_json::from_str(text).map_err(|e| {
            Box::new(Reply::refused_at(
                RequestError::InvalidJson {
                    message: e.to_string(),
                },
                "/payload",
            ))
        })?;
        read_request(value, "/payload").map_err(|e| Box::new(Reply::refused(e)))
    }
}

/// Body of `get_case`, `history` and `public_view`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// Case id.
    pub case_id: String,
}

/// Body of `available_transitions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AvailableRequest {
    /// Case id.
    pub case_id: String,
    /// Who would act.
    pub actor: Actor,
}

/// Body of `replay`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// The events, as `history` returns them.
    pub history: Vec<EventRecord>,
    /// Also add the rebuilt case to the engine, as a live case that takes commands (a host
    /// restoring one case it stored); refused with `case.already_exists` when its id is taken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub store: bool,
}

/// Body of `append_events`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct AppendEventsRequest {
    /// The case the events belong to.
    pub case_id: String,
    /// Its events from the `seq` the engine holds on, as answers gave them (`events`,
    /// `linked_events`, `fired`); for a case the engine does not hold, from its `opened` event.
    pub events: Vec<EventRecord>,
}

/// Body of `verify_history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The events, as `history` returns them.
    pub history: Vec<EventRecord>,
    /// The head hash the host kept (from `history`), to detect events cut from the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

/// Body of `shortest_path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ShortestPathRequest {
    /// Workflow id.
    pub workflow: String,
    /// Version; highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Starting state; the initial state when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Body of `export_graph`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ExportGraphRequest {
    /// Workflow id (not needed when `case_id` is given).
    #[serde(default)]
    pub workflow: String,
    /// Version; highest loaded when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `dot` or `mermaid`.
    pub format: GraphFormat,
    /// Draw this case's workflow version with its current state highlighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

/// Body of `load_calendar`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarRequest {
    /// The calendar document (read separately, so its errors are `calendar.*`).
    #[cfg_attr(feature = "typescript", tsify(type = "CalendarDef"))]
    pub calendar: Json,
}

/// Body of `calendar_add`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarAddRequest {
    /// Calendar id.
    pub calendar: String,
    /// Start instant (UTC ms).
    pub at: i64,
    /// What to add.
    pub duration: DurationDef,
}

/// Body of `calendar_between`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarBetweenRequest {
    /// Calendar id.
    pub calendar: String,
    /// From (UTC ms).
    pub from: i64,
    /// To (UTC ms).
    pub to: i64,
}

/// Body of `sla_status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SlaStatusRequest {
    /// Case id.
    pub case_id: String,
    /// The instant to see the clocks at (UTC ms).
    pub now: i64,
}

/// Body of `due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DueRequest {
    /// The instant (UTC ms).
    pub now: i64,
    /// At most this many, earliest first (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Body of `fire_due`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct FireDueRequest {
    /// The instant (UTC ms).
    pub now: i64,
}

/// Body of `extend`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    /// Case id.
    pub case_id: String,
    /// SLA rule id.
    pub sla: String,
    /// Who approves.
    pub actor: Actor,
    /// By how much, in the unit of the rule's target.
    pub duration: DurationDef,
    /// Why (told to the petitioner).
    #[serde(default)]
    pub reason: String,
    /// When (UTC ms).
    pub at: i64,
}

/// Body of `set_limits`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SetLimitsRequest {
    /// The limits to change, by name (`max_states`, ...); the others stay as they are.
    #[cfg_attr(feature = "typescript", tsify(type = "Partial<Limits>"))]
    pub limits: Map<String, Json>,
}

/// Body of `restore`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// A snapshot, as `snapshot` returned it.
    #[cfg_attr(feature = "typescript", tsify(type = "Snapshot"))]
    pub snapshot: Json,
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Whether the request succeeded.
    pub ok: bool,
    /// The result, when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Json>,
    /// Every error, when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorDetail>>,
}

impl Answer {
    /// A success.
    pub fn success(result: Json) -> Self {
        Answer {
            ok: true,
            result: Some(result),
            errors: None,
        }
    }

    /// A failure.
    pub fn failure(errors: Vec<ErrorDetail>) -> Self {
        Answer {
            ok: false,
            result: None,
            errors: Some(errors),
        }
    }

    /// The answer as JSON.
    pub fn to_json(&self) -> Json {
        let mut out = Map::new();
        out.insert("ok".into(), Json::Bool(self.ok));
        if let Some(r) = &self.result {
            out.insert("result".into(), r.clone());
        }
        if let Some(e) = &self.errors {
            out.insert(
                "errors".into(),
                serde_json::to_value(e).unwrap_or(Json::Null),
            );
        }
        Json::Object(out)
    }
}

/// How a request fared, in the categories a binding reports as a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyStatus {
    /// Answered with `"ok": true`.
    Ok,
    /// Past a size limit of [`Limits`](crate::Limits): the whole request
    /// (`request.too_large`), its nesting (`request.too_deep`) or one string
    /// (`request.string_too_long`).
    TooLarge,
    /// Not UTF-8 (`request.invalid_utf8`).
    InvalidUtf8,
    /// Not JSON (`request.invalid_json`).
    InvalidJson,
    /// JSON, but not a request (`request.invalid`, `request.duplicate_key`).
    InvalidRequest,
    /// A well-formed request the engine refused: unknown ids, forbidden roles, failed guards, ...
    Rejected,
}

impl ReplyStatus {
    /// The status of a failed answer whose first error has this code. A `request.invalid` can
    /// also come from inside a well-formed request (a `restore` whose snapshot has the wrong
    /// shape): it is still a request that could not be read.
    pub fn of_code(code: &str) -> Self {
        match code {
            "request.too_large" | "request.too_deep" | "request.string_too_long" => {
                ReplyStatus::TooLarge
            }
            "request.invalid_utf8" => ReplyStatus::InvalidUtf8,
            "request.invalid_json" => ReplyStatus::InvalidJson,
            "request.invalid" | "request.duplicate_key" => ReplyStatus::InvalidRequest,
            _ => ReplyStatus::Rejected,
        }
    }
}

/// An answer as JSON text, with its status and first error.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The answer, `{"ok": ...}`, as JSON text.
    pub text: String,
    /// Its category.
    pub status: ReplyStatus,
    /// The first of the answer's errors, when it failed.
    pub first_error: Option<ErrorDetail>,
}

impl Reply {
    /// The answer to a request that could not be read.
    pub fn refused(error: RequestError) -> Self {
        Reply::refusal(error.detail())
    }

    /// The answer to a request given in parts (by a binding's typed entry point) whose part at
    /// `path`, a JSON Pointer into the request's JSON form, could not be read.
    pub fn refused_at(error: RequestError, path: &str) -> Self {
        Reply::refusal(error.detail().at(path))
    }

    // The status comes from the code, as for every other failed answer: one mapping.
    fn refusal(detail: ErrorDetail) -> Self {
        Reply {
            text: Answer::failure(vec![detail.clone()]).to_json().to_string(),
            status: ReplyStatus::of_code(&detail.code),
            first_error: Some(detail),
        }
    }
}

type Outcome = Result<Json, Vec<ErrorDetail>>;

fn to_json<T: Serialize>(value: &T) -> Json {
    // Our result types hold only strings, integers and maps with string keys: always
    // representable, so this cannot fail.
    serde_json::to_value(value).unwrap_or(Json::Null)
}

/// Reads a definition document, as the `load_workflow` and `validate_workflow` ops do.
///
/// # Errors
/// One `definition.invalid` error with the path (under `prefix`) of the first shape problem.
pub fn parse_definition(value: Json, prefix: &str) -> Result<WorkflowDef, ErrorDetail> {
    let invalid = |message, path: &str| {
        Diagnostic::new(DefinitionError::Invalid { message }, path).detail(prefix)
    };
    if !value.is_object() {
        let found = json_type_name(&value);
        return Err(invalid(
            format!("a workflow definition is a JSON object, found {found}"),
            "",
        ));
    }
    read(value, "").map_err(|(message, path)| invalid(message, &path))
}

impl Engine {
    /// Answers a request given as JSON.
    pub fn handle_value(&mut self, request: Json) -> Json {
        let checked = crate::api::request_json::recheck(request, self.limits());
        let answer = match checked.and_then(Request::from_json) {
            Ok(req) => self.handle(req),
            Err(e) => Answer::failure(vec![e.detail()]),
        };
        answer.to_json()
    }

    /// Answers a request given as JSON text; the answer is JSON text.
    pub fn handle_str(&mut self, request: &str) -> String {
        self.handle_bytes(request.as_bytes())
    }

    /// Answers a request given as UTF-8 JSON bytes; the answer is JSON text. Never panics on any
    /// input.
    pub fn handle_bytes(&mut self, request: &[u8]) -> String {
        self.respond_bytes(request).text
    }

    /// Like [`Engine::handle_bytes`], with the kind of outcome and the first error alongside the
    /// text, so that a binding can report a status without reading the answer again.
    pub fn respond_bytes(&mut self, request: &[u8]) -> Reply {
        match self.read_request(request).and_then(Request::from_json) {
            Ok(req) => self.respond(req),
            Err(e) => Reply::refused(e),
        }
    }

    /// Answers a typed request as [`Engine::respond_bytes`] would answer its JSON form.
    pub fn respond(&mut self, request: Request) -> Reply {
        let answer = self.handle(request);
        let first = answer.errors.as_ref().and_then(|e| e.first()).cloned();
        let status = match &first {
            _ if answer.ok => ReplyStatus::Ok,
            Some(e) => ReplyStatus::of_code(&e.code),
            None => ReplyStatus::Rejected,
        };
        Reply {
            text: answer.to_json().to_string(),
            status,
            first_error: first,
        }
    }

    fn read_request(&self, request: &[u8]) -> Result<Json, RequestError> {
        self.limits().check_size(request.len())?;
        let text = std::str::from_utf8(request).map_err(|e| RequestError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        crate::api::request_json::parse(text, self.limits())
    }

    /// Answers a typed request.
    pub fn handle(&mut self, request: Request) -> Answer {
        match self.dispatch(request) {
            Ok(result) => Answer::success(result),
            Err(errors) => Answer::failure(errors),
        }
    }

    fn dispatch(&mut self, request: Request) -> Outcome {
        match request {
            Request::LoadWorkflow(DefinitionRequest { definition }) => {
                let def = parse_definition(definition, "/definition").map_err(|e| vec![e])?;
                let loaded = self
                    .load_workflow(def)
                    .map_err(|e| e.details("/definition"))?;
                Ok(to_json(&answer::Loaded {
                    id: loaded.workflow.id().to_owned(),
                    version: loaded.workflow.version(),
                    warnings: loaded
                        .warnings
                        .iter()
                        .map(|d| d.detail("/definition"))
                        .collect(),
                }))
            }
            Request::ValidateWorkflow(DefinitionRequest { definition }) => {
                let def = match parse_definition(definition, "/definition") {
                    Ok(def) => def,
                    Err(e) => {
                        return Ok(to_json(&answer::Validation {
                            valid: false,
                            errors: vec![e],
                            warnings: Vec::new(),
                        }))
                    }
                };
                let (errors, warnings) = match Workflow::compile_with(def, self.limits()) {
                    Ok(c) => (Vec::new(), c.warnings),
                    Err(inv) => (inv.errors, inv.warnings),
                };
                let details = |ds: &[crate::workflow::Diagnostic]| {
                    ds.iter()
                        .map(|d| d.detail("/definition"))
                        .collect::<Vec<_>>()
                };
                Ok(to_json(&answer::Validation {
                    valid: errors.is_empty(),
                    errors: details(&errors),
                    warnings: details(&warnings),
                }))
            }
            Request::ListWorkflows(Empty {}) => {
                let workflows = self
                    .workflows()
                    .map(|w| answer::WorkflowSummary {
                        id: w.id().to_owned(),
                        version: w.version(),
                        title: w.definition().title.clone(),
                    })
                    .collect();
                Ok(to_json(&answer::WorkflowList { workflows }))
            }
            Request::OpenCase(OpenCaseRequest {
                case_id,
                workflow,
                version,
                channel,
                fields,
                actor,
                at,
                keys,
                appeal_of,
            }) => {
                let opening = Opening {
                    case_id: &case_id,
                    channel: &channel,
                    fields: Values::Json(&fields),
                    actor: &actor,
                    at,
                    keys: keys.as_ref(),
                };
                let candidates = self.candidates(&workflow, version, keys.as_ref());
                let (opened, touched) = self.watching(|engine| {
                    match &appeal_of {
                        Some(of) => engine.open_appeal(&workflow, version, &opening, of),
                        None => engine.open_case(&workflow, version, &opening),
                    }
                    .map(|_| ())
                });
                opened.map_err(|e| match (&e, &appeal_of) {
                    // The case it appeals is missing, not the one being opened.
                    (CaseError::NotFound { case_id: missing }, Some(of)) if missing == of => e
                        .details()
                        .into_iter()
                        .map(|d| d.at("/appeal_of"))
                        .collect(),
                    _ => e.details(),
                })?;
                let linked_events = self.events_of(touched, &case_id);
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(to_json(&answer::CaseChange {
                    case: case.view(),
                    events: case.history(0),
                    linked_events,
                    effects: case.effects_since(0),
                    candidates,
                }))
            }
            Request::Apply(ApplyRequest {
                case_id,
                transition,
                actor,
                payload,
                at,
            }) => {
                let cmd = Command {
                    transition: &transition,
                    actor: &actor,
                    payload: Values::Json(&payload),
                    at,
                };
                let before = self.case(&case_id).map_or(0, |c| c.events().len());
                let (applied, touched) =
                    self.watching(|engine| engine.apply(&case_id, &cmd).map(|_| ()));
                applied.map_err(|e| e.details())?;
                self.change(&case_id, before, touched)
            }
            Request::GetCase(CaseRequest { case_id }) => {
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(to_json(&case.view()))
            }
            Request::AvailableTransitions(AvailableRequest { case_id, actor }) => {
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(to_json(&answer::Transitions {
                    state: case.state().to_owned(),
                    transitions: case.available(&actor),
                    case_id,
                }))
            }
            Request::History(CaseRequest { case_id }) => {
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                let (events, head) = case.hashed(0);
                Ok(to_json(&answer::History {
                    case_id,
                    events,
                    head: crate::case::hash_chain::hex(&head),
                }))
            }
            Request::ArchiveCase(CaseRequest { case_id }) => {
                let case = self.archive_case(&case_id).map_err(|e| e.details())?;
                let (events, head) = case.hashed(0);
                Ok(to_json(&answer::History {
                    case_id,
                    events,
                    head: crate::case::hash_chain::hex(&head),
                }))
            }
            Request::VerifyHistory(VerifyRequest { history, head }) => {
                let verified = self
                    .check_length(&history)
                    .and_then(|()| {
                        crate::case::hash_chain::verify_history(&history, head.as_deref())
                    })
                    .map_err(|e| vec![e.detail("/history")])?;
                Ok(to_json(&verified))
            }
            Request::Replay(ReplayRequest { history, store }) => {
                let view = if store {
                    self.restore_case(&history).map(crate::case::Case::view)
                } else {
                    self.replay(&history).map(|c| c.view())
                };
                let case = view.map_err(|e| vec![e.detail("/history")])?;
                Ok(to_json(&answer::Replayed { case }))
            }
            Request::AppendEvents(AppendEventsRequest { case_id, events }) => {
                let done = self
                    .append_events(&case_id, &events)
                    .map_err(|e| vec![e.detail("/events")])?;
                let case = self.case(&case_id).ok_or_else(|| not_found(&case_id))?;
                Ok(to_json(&answer::EventsAppended {
                    case: case.view(),
                    appended: done.appended,
                    held: done.held,
                }))
            }
            Request::ShortestPath(ShortestPathRequest {
                workflow,
                version,
                from,
            }) => {
                let path = self
                    .shortest_path(&workflow, version, from.as_deref())
                    .map_err(|e| e.details())?;
                Ok(to_json(&path))
            }
            Request::ExportGraph(ExportGraphRequest {
                workflow,
                version,
                format,
                case_id,
            }) => {
                let text = self
                    .export_graph(&workflow, version, format, case_id.as_deref())
                    .map_err(|e| e.details())?;
                Ok(to_json(&answer::Drawing { format, text }))
            }
            Request::Snapshot(Empty {}) => Ok(to_json(&self.snapshot())),
            Request::Restore(RestoreRequest { snapshot }) => {
                let snapshot: Snapshot =
                    read_request(snapshot, "/snapshot").map_err(|e| vec![e.detail()])?;
                let (w, c) = (snapshot.workflows.len(), snapshot.cases.len());
                self.restore(snapshot).map_err(|e| e.details("/snapshot"))?;
                Ok(to_json(&answer::Restored {
                    workflows: w,
                    cases: c,
                }))
            }
            Request::LoadCalendar(CalendarRequest { calendar }) => {
                let def = parse_calendar(calendar, "/calendar").map_err(|e| vec![e])?;
                let cal = self
                    .load_calendar(def)
                    .map_err(|e| e.details("/calendar"))?;
                let (from, to) = cal.years();
                Ok(to_json(&answer::CalendarLoaded {
                    id: cal.id().to_owned(),
                    years: YearRange { from, to },
                }))
            }
            Request::CalendarAdd(CalendarAddRequest {
                calendar,
                at,
                duration,
            }) => {
                let cal = self
                    .calendar_or_err(&calendar)
                    .map_err(|e| vec![e.detail("/calendar")])?;
                let d = duration
                    .duration()
                    .map_err(|reason| vec![duration_error(reason)])?;
                let r = cal.add(at, d).map_err(|e| vec![e.detail("/at")])?;
                let local = cal.local_string(r.at).map_err(|e| vec![e.detail("/at")])?;
                Ok(to_json(&answer::Deadline {
                    at: r.at,
                    local,
                    provisional: r.provisional,
                    basis: d.basis().to_owned(),
                }))
            }
            Request::CalendarBetween(CalendarBetweenRequest { calendar, from, to }) => {
                let cal = self
                    .calendar_or_err(&calendar)
                    .map_err(|e| vec![e.detail("/calendar")])?;
                let b = cal.between(from, to).map_err(|e| vec![e.detail("")])?;
                Ok(to_json(&b))
            }
            Request::SlaStatus(SlaStatusRequest { case_id, now }) => {
                let clocks = self.sla_status(&case_id, now).map_err(|e| match e {
                    SlaStatusError::Case(CaseError::InvalidTime { at }) => vec![ErrorDetail::new(
                        "case.invalid_time",
                        CaseError::InvalidTime { at }.to_string(),
                    )
                    .at("/now")],
                    SlaStatusError::Case(e) => e.details(),
                    SlaStatusError::Calendar(e) => vec![e.detail("/now")],
                })?;
                Ok(to_json(&answer::SlaClocks {
                    case_id,
                    now,
                    clocks,
                }))
            }
            Request::Due(DueRequest { now, limit }) => {
                let due = self.due(now, limit.unwrap_or(1000));
                Ok(to_json(&answer::DueTimers { now, timers: due }))
            }
            Request::FireDue(FireDueRequest { now }) => {
                let fired = self.fire_due(now);
                Ok(to_json(&answer::FiredTimers { now, fired }))
            }
            Request::Extend(ExtendRequest {
                case_id,
                sla,
                actor,
                duration,
                reason,
                at,
            }) => {
                let d = duration
                    .duration()
                    .map_err(|reason| vec![duration_error(reason)])?;
                let case = self
                    .extend(&case_id, &sla, &actor, d, &reason, at)
                    .map_err(|e| e.details())?;
                let last = case.events().len().saturating_sub(1);
                let events = case.history(last);
                let effects = case.effects_since(last);
                let case = case.view();
                let clocks = self.sla_status(&case_id, at).ok();
                Ok(to_json(&answer::Extended {
                    case,
                    events,
                    effects,
                    clocks,
                }))
            }
            Request::LoadOrg(OrgRequest { org }) => {
                let def = crate::org::parse_org(org, "/org").map_err(|e| vec![e])?;
                let org = self.load_org(def).map_err(|e| e.details("/org"))?;
                Ok(to_json(&answer::OrgLoaded {
                    id: org.id().to_owned(),
                    units: org.len(),
                }))
            }
            Request::Route(RouteRequest {
                category,
                region,
                accused,
            }) => {
                let route = self
                    .route(category.as_deref(), region.as_deref(), accused.as_deref())
                    .map_err(|e| vec![e.detail("")])?;
                Ok(to_json(&route))
            }
            Request::LinkCases(LinkRequest {
                case_id,
                primary,
                actor,
                at,
            }) => {
                let before = self.case(&case_id).map_or(0, |c| c.events().len());
                let (linked, touched) =
                    self.watching(|engine| engine.link(&case_id, &primary, &actor, at).map(|_| ()));
                linked.map_err(|e| link_details(e, &case_id, &primary))?;
                self.change(&case_id, before, touched)
            }
            Request::SubmitOpinion(OpinionRequest {
                case_id,
                actor,
                opinion,
                at,
            }) => {
                let before = self.case(&case_id).map_or(0, |c| c.events().len());
                self.submit_opinion(&case_id, &actor, &opinion, at)
                    .map_err(|e| e.details())?;
                self.change(&case_id, before, Vec::new())
            }
            Request::Supervise(SuperviseRequest {
                case_id,
                actor,
                level,
                within,
                required,
                at,
            }) => {
                let within = match within {
                    Some(d) => Some(
                        d.duration()
                            .map_err(|r| vec![duration_error(r).at("/within")])?,
                    ),
                    None => None,
                };
                let before = self.case(&case_id).map_or(0, |c| c.events().len());
                self.supervise(&case_id, &actor, level, within, &required, at)
                    .map_err(|e| e.details())?;
                self.change(&case_id, before, Vec::new())
            }
            Request::AnswerSupervision(AnswerSupervisionRequest {
                case_id,
                actor,
                supervision,
                answer,
                at,
            }) => {
                let before = self.case(&case_id).map_or(0, |c| c.events().len());
                self.answer_supervision(&case_id, &actor, supervision, &answer, at)
                    .map_err(|e| e.details())?;
                self.change(&case_id, before, Vec::new())
            }
            Request::DrainOutbox(DrainRequest {
                now,
                limit,
                lease_ms,
            }) => {
                let lease = i64::from(lease_ms.unwrap_or(60_000));
                let effects = self.drain_outbox(now, limit.unwrap_or(1000), lease);
                Ok(to_json(&answer::Drained {
                    now,
                    effects,
                    pending: self.pending_effects(),
                }))
            }
            Request::AckEffects(AckRequest { ids }) => {
                let acknowledged = self.ack_effects(&ids).map_err(|e| vec![e.detail()])?;
                Ok(to_json(&answer::Acknowledged {
                    acknowledged,
                    pending: self.pending_effects(),
                }))
            }
            Request::Metrics(query) => {
                let metrics = self.metrics(&query).map_err(|e| vec![e.detail()])?;
                Ok(match query.format {
                    crate::metrics::TableFormat::Json => to_json(&metrics),
                    crate::metrics::TableFormat::Csv => to_json(&metrics.to_csv()),
                })
            }
            Request::PublicView(CaseRequest { case_id }) => {
                let view = self.public_view(&case_id).map_err(|e| e.details())?;
                Ok(to_json(&view))
            }
            Request::SetLimits(SetLimitsRequest { limits }) => {
                let next = self
                    .limits()
                    .patched(&limits)
                    .map_err(|e| vec![e.detail()])?;
                self.set_limits(next);
                Ok(to_json(&answer::LimitsAnswer {
                    limits: self.limits().clone(),
                }))
            }
            Request::GetLimits(Empty {}) => Ok(to_json(&answer::LimitsAnswer {
                limits: self.limits().clone(),
            })),
        }
    }

    /// Open cases with the same keys, for a workflow whose duplicate policy is `candidate`.
    fn candidates(
        &self,
        workflow: &str,
        version: Option<u32>,
        keys: Option<&MatterKeys>,
    ) -> Vec<String> {
        let policy = self
            .workflow(workflow, version)
            .and_then(|w| w.handling())
            .map(|h| h.duplicates);
        match (keys, policy) {
            (Some(keys), Some(crate::workflow::handling::DuplicatePolicy::Candidate)) => {
                self.duplicates_of(workflow, keys)
            }
            _ => Vec::new(),
        }
    }
}

impl Engine {
    /// The answer to a command that appended events from `before` on to case `case_id`, and
    /// to the other cases it `touched`.
    fn change(
        &mut self,
        case_id: &str,
        before: usize,
        touched: crate::engine::journal::Touched,
    ) -> Result<Json, Vec<ErrorDetail>> {
        let linked_events = self.events_of(touched, case_id);
        let case = self
            .cases
            .get_mut(case_id)
            .ok_or_else(|| not_found(case_id))?;
        let events = case.history_sealed(before);
        Ok(to_json(&answer::CaseChange {
            case: case.view(),
            events,
            linked_events,
            effects: case.effects_since(before),
            candidates: Vec::new(),
        }))
    }
}

/// A missing primary is at `/primary`, a missing duplicate at `/case_id`.
fn link_details(e: CaseError, case_id: &str, primary: &str) -> Vec<ErrorDetail> {
    match &e {
        CaseError::NotFound { case_id: missing }
        | CaseError::HistoryFull {
            case_id: missing, ..
        } if missing == primary && missing != case_id => {
            e.details().into_iter().map(|d| d.at("/primary")).collect()
        }
        _ => e.details(),
    }
}

fn duration_error(reason: &str) -> ErrorDetail {
    ErrorDetail::new(
        "calendar.invalid_duration",
        format!("invalid duration: {reason}"),
    )
    .at("/duration")
}

fn not_found(case_id: &str) -> Vec<ErrorDetail> {
    crate::case::CaseError::NotFound {
        case_id: case_id.to_owned(),
    }
    .details()
}

#[cfg(test)]
mod codes_tests;

#[cfg(test)]
mod document_tests;

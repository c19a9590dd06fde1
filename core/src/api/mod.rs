//! The JSON API every binding speaks: a tagged request in, `{"ok": true, "result": ...}` or
//! `{"ok": false, "errors": [...]}` out. Each operation is a thin layer over a typed
//! [`Engine`] method; offered on [`serde_json::Value`], on `&str` and on bytes.

pub(crate) mod answer;
pub(crate) mod error;
mod ops;
pub(crate) mod request_json;

pub use ops::{Request, OPS, OP_RESULTS};

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
        match ops::read_op(&op, rest) {
            Some(request) => request,
            None => {
                let known = OPS
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Err(invalid(
                    format!("unknown op `{op}`, expected one of {known}"),
                    "/op",
                ))
            }
        }
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
        match ops::dispatch(self, request) {
            Ok(result) => Answer::success(result),
            Err(errors) => Answer::failure(errors),
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

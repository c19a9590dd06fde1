//! The JSON API every binding speaks: a tagged request in, `{"ok": true, "result": ...}` or
//! `{"ok": false, "errors": [...]}` out. Each operation is a thin layer over a typed
//! [`Engine`] method; offered on [`serde_json::Value`], on `&str` and on bytes.

pub(crate) mod answer;
mod case_change;
use case_change::precondition;
mod documents;
pub(crate) mod error;
mod ops;
mod parts;
mod plan;
mod reply;
pub(crate) mod request_json;
mod requests;

pub use documents::{parse_document, Document};
pub use ops::{Request, OPS, OP_RESULTS};
pub use parts::read_part;
pub use reply::{Answer, Reply, ReplyStatus};
pub use requests::*;

pub use error::RequestError;

use crate::error::Coded;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::calendar::working_time::DurationDef;
use crate::calendar::{CalendarDef, YearRange};
use crate::case::CaseError;
use crate::case::{Actor, Command, EventRecord, Opening, Values};
use crate::engine::{Engine, SlaStatusError, Snapshot};
use crate::error::ErrorDetail;
use crate::org::handling::{Level, MatterKeys};
use crate::org::OrgDef;
use crate::support::json::read;
use crate::value::json_type_name;
use crate::workflow::definition::WorkflowDef;
use crate::workflow::graph::GraphFormat;
use crate::workflow::Workflow;

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

type Outcome = Result<Json, Vec<ErrorDetail>>;

fn to_json<T: Serialize>(value: &T) -> Json {
    // Our result types hold only strings, integers and maps with string keys: always
    // representable, so this cannot fail.
    serde_json::to_value(value).unwrap_or(Json::Null)
}

impl Engine {
    /// Answers a request given as JSON.
    pub fn answer_json(&mut self, request: Json) -> Json {
        let checked = crate::api::request_json::recheck(request, self.limits());
        let answer = match checked.and_then(Request::from_json) {
            Ok(req) => self.answer(req),
            Err(e) => Answer::failure(vec![e.detail("")]),
        };
        answer.to_json()
    }

    /// Answers a request given as JSON text; the answer is JSON text.
    pub fn answer_str(&mut self, request: &str) -> String {
        self.answer_bytes(request.as_bytes())
    }

    /// Answers a request given as UTF-8 JSON bytes; the answer is JSON text. Never panics on any
    /// input.
    pub fn answer_bytes(&mut self, request: &[u8]) -> String {
        self.reply_bytes(request).text
    }

    /// Like [`Engine::answer_bytes`], with the kind of outcome and the first error alongside the
    /// text, so that a binding can report a status without reading the answer again.
    pub fn reply_bytes(&mut self, request: &[u8]) -> Reply {
        match self.read_request(request).and_then(Request::from_json) {
            Ok(req) => self.reply(req),
            Err(e) => Reply::refused(e),
        }
    }

    /// Answers a typed request as [`Engine::reply_bytes`] would answer its JSON form.
    pub fn reply(&mut self, request: Request) -> Reply {
        let answer = self.answer(request);
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

    /// Reads request bytes into JSON as [`Engine::answer_bytes`] does, under the engine's
    /// limits (size, nesting, string lengths, no repeated keys), without answering: for a
    /// host that looks at a request (its actor, its op) before it runs it elsewhere.
    ///
    /// # Errors
    /// `request.too_large`, `request.invalid_utf8`, `request.invalid_json`,
    /// `request.too_deep`, `request.string_too_long`, `request.duplicate_key`.
    pub fn read_request(&self, request: &[u8]) -> Result<Json, RequestError> {
        self.limits().check_size(request.len())?;
        let text = std::str::from_utf8(request).map_err(|e| RequestError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        crate::api::request_json::parse(text, self.limits())
    }

    /// Answers a typed request.
    pub fn answer(&mut self, request: Request) -> Answer {
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
                self.duplicates_of(workflow, version, keys)
            }
            _ => Vec::new(),
        }
    }
}

/// A missing primary is at `/primary`, a missing duplicate at `/case_id`.
fn link_details(e: CaseError, case_id: &str, primary: &str) -> Vec<ErrorDetail> {
    match &e {
        CaseError::NotFound { case_id: missing }
        | CaseError::HistoryFull {
            case_id: missing, ..
        } if missing == primary && missing != case_id => e
            .details("")
            .into_iter()
            .map(|d| d.at("/primary"))
            .collect(),
        CaseError::SeqMismatch { case_id: c, .. } if c == primary && c != case_id => e
            .details("")
            .into_iter()
            .map(|d| d.at("/expected_primary_seq"))
            .collect(),
        _ => e.details(""),
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
    .details("")
}

#[cfg(test)]
mod codes_tests;

#[cfg(test)]
mod document_tests;

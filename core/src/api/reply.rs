//! What the API answers: a result or every error (`Answer`), and the same with the status a
//! binding returns beside it (`Reply`).

use super::*;

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
        Reply::refusal(error.detail(""))
    }

    /// The answer to a request given in parts (by a binding's typed entry point) whose part at
    /// `path`, a JSON Pointer into the request's JSON form, could not be read.
    pub fn refused_at(error: RequestError, path: &str) -> Self {
        Reply::refusal(error.detail("").at(path))
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

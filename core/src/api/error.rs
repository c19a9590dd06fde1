//! Why a request could not be read.

use crate::error::{Coded, ErrorDetail};

/// A request to the JSON API could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The bytes are UTF-8 but not JSON.
    #[error("request is not valid JSON: {message}")]
    InvalidJson {
        /// What the JSON reader reported.
        message: String,
    },
    /// The bytes are not UTF-8.
    #[error("request is not valid UTF-8: the bytes from offset {valid_up_to} on are not")]
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The JSON does not have the shape of a request.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// JSON Pointer to where.
        path: String,
    },
    /// The request is larger than the engine accepts.
    #[error("request is {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Arrays and objects nest deeper than the engine accepts.
    #[error("request nests arrays and objects more than {limit} deep at `{path}`")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// JSON Pointer to the array or object past the limit.
        path: String,
    },
    /// A string or object key is longer than the engine accepts.
    #[error("a string of {size} bytes at `{path}` is longer than the limit of {limit}")]
    StringTooLong {
        /// Its length in UTF-8 bytes.
        size: usize,
        /// The limit.
        limit: usize,
        /// JSON Pointer to the string, or to the object holding the key.
        path: String,
    },
    /// An object has the same key twice.
    #[error("key `{key}` appears twice in the object at `{path}`: a request must say one thing")]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// JSON Pointer to the object.
        path: String,
    },
    /// A binding's engine handle was used after it was freed.
    #[error("the engine was freed: create a new engine (and restore a snapshot to go on)")]
    EngineFreed,
    /// A binding was used before its module was loaded (the npm package's `web` build before
    /// `init()`).
    #[error("the WebAssembly module is not loaded: `await init()` first")]
    NotInitialized,
}

impl Coded for RequestError {
    fn code(&self) -> &'static str {
        use RequestError::*;
        match self {
            InvalidJson { .. } => "request.invalid_json",
            InvalidUtf8 { .. } => "request.invalid_utf8",
            Invalid { .. } => "request.invalid",
            TooLarge { .. } => "request.too_large",
            TooDeep { .. } => "request.too_deep",
            StringTooLong { .. } => "request.string_too_long",
            DuplicateKey { .. } => "request.duplicate_key",
            EngineFreed => "engine.freed",
            NotInitialized => "engine.not_initialized",
        }
    }

    /// At the place in the request (under `prefix`) of the problems that have one.
    fn detail(&self, prefix: &str) -> ErrorDetail {
        let detail = ErrorDetail::new(self.code(), self.to_string());
        match self {
            RequestError::Invalid { path, .. }
            | RequestError::TooDeep { path, .. }
            | RequestError::StringTooLong { path, .. }
            | RequestError::DuplicateKey { path, .. } => detail.at(format!("{prefix}{path}")),
            _ => detail,
        }
    }
}

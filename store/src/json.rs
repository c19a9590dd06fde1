//! Reading the engine's answers without indexing that could panic.

use serde_json::Value as Json;

static NULL: Json = Json::Null;

/// The value at a JSON Pointer, `null` when absent.
pub(crate) fn at<'a>(value: &'a Json, pointer: &str) -> &'a Json {
    value.pointer(pointer).unwrap_or(&NULL)
}

/// Whether an answer is `{"ok": true, ...}`.
pub(crate) fn is_ok(answer: &Json) -> bool {
    answer.get("ok") == Some(&Json::Bool(true))
}

//! Reading the documents a caller loads (calendars, organisations, workflow definitions) from
//! JSON: one reader for all three, each shape problem reported as the document's own
//! `*.invalid` code with its JSON Pointer.

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::calendar::{CalendarDef, CalendarError};
use crate::error::{Coded, ErrorDetail};
use crate::org::{OrgDef, OrgError};
use crate::support::json::read;
use crate::value::json_type_name;
use crate::workflow::definition::WorkflowDef;
use crate::workflow::DefinitionError;

/// A document read from JSON: what it is called, and the error its shape problems are.
pub trait Document: DeserializeOwned {
    /// The document with its article, as messages name it: `a calendar`.
    const NAME: &'static str;
    /// The error of the document's concept.
    type Error: Coded;
    /// The error for a shape problem: `calendar.invalid`, `org.invalid`, `definition.invalid`.
    fn invalid(message: String) -> Self::Error;
}

impl Document for CalendarDef {
    const NAME: &'static str = "a calendar";
    type Error = CalendarError;
    fn invalid(message: String) -> CalendarError {
        CalendarError::Invalid { message }
    }
}

impl Document for OrgDef {
    const NAME: &'static str = "an organisation";
    type Error = OrgError;
    fn invalid(message: String) -> OrgError {
        OrgError::Invalid { message }
    }
}

impl Document for WorkflowDef {
    const NAME: &'static str = "a workflow definition";
    type Error = DefinitionError;
    fn invalid(message: String) -> DefinitionError {
        DefinitionError::Invalid { message }
    }
}

/// Reads a document, as the `load_*` ops do, reporting the JSON Pointer (under `prefix`) of
/// the first shape problem.
///
/// # Errors
/// One `calendar.invalid`, `org.invalid` or `definition.invalid` error.
///
/// # Example
/// ```
/// use civicflow::{parse_document, CalendarDef};
///
/// let err = parse_document::<CalendarDef>(serde_json::json!([]), "/calendar").unwrap_err();
/// assert_eq!(err.code, "calendar.invalid");
/// assert_eq!(err.message, "a calendar is a JSON object, found an array");
/// assert_eq!(err.path.as_deref(), Some("/calendar"));
/// ```
pub fn parse_document<D: Document>(value: Json, prefix: &str) -> Result<D, ErrorDetail> {
    if !value.is_object() {
        let found = json_type_name(&value);
        let message = format!("{} is a JSON object, found {found}", D::NAME);
        return Err(D::invalid(message).detail(prefix));
    }
    read(value, prefix).map_err(|(message, path)| D::invalid(message).detail(&path))
}

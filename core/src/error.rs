//! Errors: typed enums for each layer, and the one serializable shape they all become.
//!
//! Every error has a stable, dot-separated `code` (`case.guard_failed`) that hosts may match on,
//! a lowercase human `message` naming the offending input in backticks, and, where the problem
//! sits in a document or request, a JSON Pointer `path` (`/transitions/3/to`). Codes are never
//! reused or renamed; [`ALL_CODES`] lists them and `docs/errors.md` documents each one.

use serde::{Deserialize, Serialize};

/// One error in the serializable form every binding returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct ErrorDetail {
    /// Stable machine-readable code, for example `case.role_not_allowed`.
    #[cfg_attr(feature = "typescript", tsify(type = "ErrorCode"))]
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// JSON Pointer to the offending place in the request or document, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A hint on how to fix it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ErrorDetail {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorDetail {
            code: code.to_owned(),
            message: message.into(),
            path: None,
            help: None,
        }
    }

    pub(crate) fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// Every error code the library can return, in documentation order.
pub const ALL_CODES: &[&str] = &[
    "request.invalid_json",
    "request.invalid_utf8",
    "request.invalid",
    "request.too_large",
    "request.too_deep",
    "request.string_too_long",
    "request.duplicate_key",
    "engine.freed",
    "engine.not_initialized",
    "definition.invalid",
    "definition.unsupported_format",
    "definition.invalid_id",
    "definition.duplicate_id",
    "definition.repeated_entry",
    "definition.unknown_state",
    "definition.unknown_role",
    "definition.unknown_field",
    "definition.no_initial_state",
    "definition.multiple_initial_states",
    "definition.no_terminal_state",
    "definition.transition_from_terminal",
    "definition.empty_from",
    "definition.empty_roles",
    "definition.empty_enum",
    "definition.unexpected_values",
    "definition.guard_type_mismatch",
    "definition.unknown_enum_value",
    "definition.guard_constant",
    "definition.guard_too_deep",
    "definition.unreachable_state",
    "definition.trap_state",
    "definition.too_many",
    "definition.unknown_transition",
    "definition.handling_field_kind",
    "definition.unknown_legal_route",
    "definition.legal_route_not_terminal",
    "definition.mask_not_personal",
    "definition.invalid_mask",
    "definition.scrub_field",
    "definition.action_needs_section",
    "definition.unknown_sla",
    "definition.unused_role",
    "definition.missing_title",
    "calendar.invalid",
    "calendar.unsupported_format",
    "calendar.invalid_id",
    "calendar.missing_key",
    "calendar.unknown_time_zone",
    "calendar.invalid_date",
    "calendar.invalid_interval",
    "calendar.invalid_years",
    "calendar.date_outside_years",
    "calendar.conflicting_day",
    "calendar.no_working_time",
    "calendar.not_found",
    "calendar.cyclic_extends",
    "calendar.out_of_range",
    "calendar.invalid_duration",
    "notice.unreadable",
    "notice.weekday",
    "notice.day_count",
    "notice.not_weekend",
    "notice.overlap",
    "notice.unknown_holiday",
    "notice.year",
    "notice.empty",
    "notice.year_gap",
    "sla.empty_trigger",
    "sla.no_target",
    "sla.invalid_duration",
    "sla.invalid_warning",
    "sla.breach_transition_requires",
    "sla.basis_mismatch",
    "sla.unknown_calendar",
    "sla.infeasible",
    "sla.not_found",
    "sla.not_running",
    "sla.already_fired",
    "sla.extension_not_allowed",
    "sla.reason_required",
    "sla.invalid_extension",
    "sla.extension_limit",
    "workflow.not_found",
    "workflow.version_conflict",
    "graph.unknown_state",
    "case.not_found",
    "case.already_exists",
    "case.invalid_id",
    "case.invalid_request_id",
    "case.seq_mismatch",
    "case.invalid_actor",
    "case.invalid_channel",
    "case.invalid_time",
    "case.terminal",
    "case.time_went_backwards",
    "case.unknown_transition",
    "case.transition_not_from_state",
    "case.role_not_allowed",
    "case.guard_failed",
    "case.no_channels",
    "case.unknown_field",
    "case.missing_field",
    "case.missing_payload",
    "case.field_type",
    "case.invalid_enum_value",
    "case.invalid_value",
    "case.no_handling",
    "case.not_dispatched",
    "case.not_lead_unit",
    "case.opinions_pending",
    "case.window_closed",
    "case.invalid_assist",
    "case.not_assisting",
    "case.reopen_not_allowed",
    "case.reopen_limit",
    "case.unknown_supervision",
    "case.supervision_answered",
    "case.invalid_link",
    "case.linked_not_loaded",
    "case.not_linked",
    "case.primary_open",
    "case.already_linked",
    "case.duplicate",
    "case.appeal_not_replied",
    "case.appeal_out_of_window",
    "case.appeal_final",
    "case.appeal_exists",
    "case.history_full",
    "case.not_closed",
    "case.effects_pending",
    "org.invalid",
    "org.unsupported_format",
    "org.invalid_id",
    "org.duplicate",
    "org.unknown_unit",
    "org.cyclic_parent",
    "org.empty_rule",
    "org.too_many",
    "org.not_loaded",
    "org.no_catalogue",
    "org.accused_unit",
    "org.no_route",
    "org.grassroots_unit",
    "org.no_department_route",
    "org.not_superior",
    "outbox.unknown_effect",
    "outbox.full",
    "outbox.not_empty",
    "metrics.invalid_time",
    "metrics.invalid_period",
    "metrics.invalid_scoring",
    "metrics.invalid_query",
    "metrics.roll_up_needs_units",
    "history.empty",
    "history.bad_sequence",
    "history.mismatch",
    "history.rejected",
    "history.hash_mismatch",
    "history.hash_missing",
    "history.head_mismatch",
    "history.too_long",
    "history.diverged",
    "snapshot.unsupported_format",
    "snapshot.duplicate",
    "snapshot.state_mismatch",
];

/// An error that knows its stable code and its serializable form. Every error type of the
/// crate has it; [`ErrorDetail`] is what they all become in the JSON API.
pub trait Coded: std::fmt::Display {
    /// The stable code, for example `case.role_not_allowed`.
    fn code(&self) -> &'static str;

    /// The serializable form as one entry, located at `path`: the JSON Pointer, in the request,
    /// of the input in error or of the part of the request it sits in (`""` for the request).
    fn detail(&self, path: &str) -> ErrorDetail {
        ErrorDetail::new(self.code(), self.to_string()).at(path)
    }

    /// The serializable form as every entry (an error may report several problems), located
    /// under `prefix` as [`Coded::detail`] is.
    fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        vec![self.detail(prefix)]
    }
}

/// The error of a document (a calendar, an organisation, a workflow definition), which
/// [`DocumentErrors`] collects with their places.
pub trait DocumentError: Coded {
    /// What the document is called in messages: `calendar`, `organisation`, ...
    const DOCUMENT: &'static str;
}

/// One problem of a document and where it is: a JSON Pointer into the document, and a hint
/// such as the ids that are declared.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<E> {
    /// What is wrong.
    pub error: E,
    /// JSON Pointer into the document.
    pub path: String,
    /// A hint, when there is one.
    pub help: Option<String>,
}

impl<E: DocumentError> Located<E> {
    pub(crate) fn new(error: E, path: impl Into<String>) -> Self {
        Located {
            error,
            path: path.into(),
            help: None,
        }
    }

    /// The serializable form. `prefix` is prepended to the path, so a document nested in a
    /// request (`/definition`) points into the request.
    pub fn detail(&self, prefix: &str) -> ErrorDetail {
        self.error
            .detail(&format!("{prefix}{}", self.path))
            .help(self.help.clone())
    }
}

/// A document was rejected: every error found, in document order, and the warnings beside
/// them (only workflow definitions have warnings).
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentErrors<E> {
    /// Every error, in document order.
    pub errors: Vec<Located<E>>,
    /// Every warning, in document order.
    pub warnings: Vec<Located<E>>,
}

impl<E: DocumentError> DocumentErrors<E> {
    /// Errors without warnings.
    pub(crate) fn new(errors: Vec<Located<E>>) -> Self {
        DocumentErrors {
            errors,
            warnings: Vec::new(),
        }
    }

    /// The serializable form of every error; `prefix` locates the document in the request.
    pub fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        self.errors.iter().map(|e| e.detail(prefix)).collect()
    }
}

impl<E: DocumentError> std::fmt::Display for DocumentErrors<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the {} has {} error(s)", E::DOCUMENT, self.errors.len())
    }
}

impl<E: DocumentError + std::fmt::Debug> std::error::Error for DocumentErrors<E> {}

pub(crate) fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes a key for use in a JSON Pointer (RFC 6901).
pub(crate) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

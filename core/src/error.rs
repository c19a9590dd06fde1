//! Errors: typed enums for each layer, and the one serializable shape they all become.
//!
//! Every error has a stable, dot-separated `code` (`case.guard_failed`) that hosts may match on,
//! a lowercase human `message` naming the offending input in backticks, and, where the problem
//! sits in a document or request, a JSON Pointer `path` (`/transitions/3/to`). Codes are never
//! reused or renamed; [`ALL_CODES`] lists them and `docs/errors.md` documents each one.

use serde::{Deserialize, Serialize};

use crate::value::FieldKind;

/// One error in the serializable form every binding returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct ErrorDetail {
    /// Stable machine-readable code, for example `case.role_not_allowed`.
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
    "case.invalid_actor",
    "case.invalid_channel",
    "case.invalid_time",
    "case.terminal",
    "case.time_went_backwards",
    "case.unknown_transition",
    "case.transition_not_from_state",
    "case.role_not_allowed",
    "case.guard_failed",
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
    "org.not_superior",
    "outbox.unknown_effect",
    "outbox.full",
    "metrics.invalid_time",
    "metrics.invalid_period",
    "metrics.invalid_scoring",
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

/// A problem found in a workflow definition. Most are errors; [`DefinitionError::is_warning`]
/// tells the few that only warn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// The document does not have the shape of a definition (wrong type, unknown key, ...).
    #[error("{message}")]
    Invalid {
        /// What the JSON reader found.
        message: String,
    },
    /// `format` is not a version this library reads.
    #[error("definition format `{found}` is not supported")]
    UnsupportedFormat {
        /// The format found in the document.
        found: u64,
    },
    /// An id is empty, too long, or uses characters outside its alphabet.
    #[error("id `{id}` is not valid: {reason}")]
    InvalidId {
        /// The offending id.
        id: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// Two items of the same kind share an id, or an enum lists a value twice.
    #[error("duplicate {kind} `{id}`")]
    DuplicateId {
        /// `state id`, `transition id`, `field id`, `role id` or `enum value`.
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A transition's `from`, `roles`, `requires` or `set` names the same id twice.
    #[error("`{id}` is listed twice in `{list}`")]
    RepeatedEntry {
        /// The list: `from`, `roles`, `requires` or `set`.
        list: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A reference to a state that is not declared.
    #[error("unknown state `{id}`")]
    UnknownState {
        /// The unknown id.
        id: String,
    },
    /// A reference to a role that is not declared.
    #[error("unknown role `{id}`")]
    UnknownRole {
        /// The unknown id.
        id: String,
    },
    /// A reference to a field that is not declared.
    #[error("unknown field `{id}`")]
    UnknownField {
        /// The unknown id.
        id: String,
    },
    /// No state has `"initial": true`.
    #[error("no state is marked initial")]
    NoInitialState,
    /// More than one state has `"initial": true`.
    #[error("state `{id}` is marked initial, but `{first}` already is")]
    MultipleInitialStates {
        /// The second initial state.
        id: String,
        /// The first initial state.
        first: String,
    },
    /// No state has `"terminal": true`, so no case could ever close.
    #[error("no state is marked terminal, so no case could ever close")]
    NoTerminalState,
    /// A transition names a terminal state in `from`.
    #[error("transition `{transition}` leaves terminal state `{state}`")]
    TransitionFromTerminal {
        /// The transition.
        transition: String,
        /// The terminal state it leaves.
        state: String,
    },
    /// A transition's `from` is an empty list, or a wildcard that matches no state.
    #[error("transition `{transition}` leaves no state")]
    EmptyFrom {
        /// The transition.
        transition: String,
    },
    /// A transition allows no role, so nobody could take it.
    #[error("transition `{transition}` allows no role, so nobody could take it")]
    EmptyRoles {
        /// The transition.
        transition: String,
    },
    /// An enum field lists no values.
    #[error("enum field `{field}` lists no values")]
    EmptyEnum {
        /// The field.
        field: String,
    },
    /// A field that is not an enum lists values.
    #[error("field `{field}` is of type `{kind}`; only enum fields list values")]
    UnexpectedValues {
        /// The field.
        field: String,
        /// Its declared type.
        kind: FieldKind,
    },
    /// A guard compares operands of incompatible types.
    #[error("cannot compare {left} with {right} using `{op}`")]
    GuardTypeMismatch {
        /// The operator.
        op: &'static str,
        /// The left operand's description.
        left: String,
        /// The right operand's description.
        right: String,
    },
    /// A guard compares an enum field with a value it cannot hold.
    #[error("`{value}` is not a value of enum field `{field}`")]
    UnknownEnumValue {
        /// The enum field.
        field: String,
        /// The literal.
        value: String,
    },
    /// A guard compares two literals; its outcome never depends on the case.
    #[error("condition compares two constants, so it never depends on the case")]
    GuardConstant,
    /// A guard nests `all`, `any` and `not` deeper than the engine's limit.
    #[error("guard nests `all`, `any` and `not` deeper than the limit of {limit} levels")]
    GuardTooDeep {
        /// `Limits::max_guard_depth`.
        limit: usize,
    },
    /// A state cannot be reached from the initial state.
    #[error("state `{state}` cannot be reached from the initial state `{initial}`")]
    UnreachableState {
        /// The unreachable state.
        state: String,
        /// The initial state.
        initial: String,
    },
    /// No terminal state can be reached from a non-terminal state: a case there is stuck forever.
    #[error("no terminal state can be reached from state `{state}`")]
    TrapState {
        /// The trap.
        state: String,
    },
    /// More items of a kind than the engine supports.
    #[error("too many {what}: {count}, at most {max}")]
    TooMany {
        /// `states`, `transitions`, `fields`, `roles` or `slas`.
        what: &'static str,
        /// How many the document has.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// A reference to a transition that is not declared.
    #[error("unknown transition `{id}`")]
    UnknownTransition {
        /// The unknown id.
        id: String,
    },
    /// An SLA rule's `start` or `stop` names nothing (or `stop` names `on_open`).
    #[error("the {which} of rule `{sla}` names no state or transition")]
    EmptyTrigger {
        /// The rule.
        sla: String,
        /// `start` or `stop`.
        which: &'static str,
    },
    /// An SLA rule has no target.
    #[error("rule `{sla}` has no target")]
    NoTarget {
        /// The rule.
        sla: String,
    },
    /// A duration gives no unit, two bases, or a misplaced `roll_forward`.
    #[error("invalid duration: {reason}")]
    InvalidDuration {
        /// Why.
        reason: &'static str,
    },
    /// A warning gives neither `before` nor `fraction`, both, or a fraction outside (0, 1).
    #[error("warning `{id}` needs either `before` or a `fraction` strictly between 0 and 1")]
    InvalidWarning {
        /// The warning.
        id: String,
    },
    /// A breach step's transition requires payload, which the system actor cannot give.
    #[error("transition `{transition}` requires payload, so the system cannot take it on breach")]
    BreachTransitionRequires {
        /// The transition.
        transition: String,
    },
    /// An extension's unit differs from a target's, so it cannot be added to it.
    #[error("rule `{sla}` counts in {target} but its extension in {extension}")]
    BasisMismatch {
        /// The rule.
        sla: String,
        /// The target's basis.
        target: &'static str,
        /// The extension's basis.
        extension: &'static str,
    },
    /// The calendar a rule counts on is not loaded (checked when the workflow is loaded).
    #[error("rule `{sla}` counts on calendar `{calendar}`, which is not loaded")]
    UnknownCalendar {
        /// The rule.
        sla: String,
        /// The calendar id.
        calendar: String,
    },
    /// Warning: stage rules along the shortest path do not fit inside a rule that covers them.
    #[error("stages {stages} need at least {total} {unit} on the shortest path, more than the {limit} {unit} of `{sla}`")]
    Infeasible {
        /// The covering rule.
        sla: String,
        /// The stage rules.
        stages: String,
        /// Their total.
        total: i64,
        /// The covering rule's target.
        limit: i64,
        /// The unit.
        unit: &'static str,
    },
    /// A `handling` field has a type that cannot hold what it is for.
    #[error("field `{field}` is of type `{kind}`; it must be {expected} here")]
    HandlingFieldKind {
        /// The field.
        field: String,
        /// Its type.
        kind: FieldKind,
        /// The types allowed.
        expected: String,
    },
    /// `mask` on a field that is not `personal`: only personal data is masked.
    #[error("field `{field}` has a `mask` but is not `personal`")]
    MaskNotPersonal {
        /// The field.
        field: String,
    },
    /// A mask that does not fit the field: a masking rule on a field that holds no text, or a
    /// custom mask keeping too much.
    #[error("field `{field}` cannot have this mask: {reason}")]
    InvalidMask {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// `scrub` on a field that holds no free text, or on a personal field (masked whole).
    #[error("field `{field}` of type `{kind}` cannot be scrubbed: {reason}")]
    ScrubField {
        /// The field.
        field: String,
        /// Its type.
        kind: FieldKind,
        /// Why.
        reason: &'static str,
    },
    /// A transition's `action` (or a deadline) needs a part of the `handling` section that the
    /// workflow does not have.
    #[error("`{action}` needs `{section}` in the workflow definition")]
    ActionNeedsSection {
        /// The action.
        action: &'static str,
        /// The section it needs.
        section: &'static str,
    },
    /// A reference to an SLA rule that is not declared.
    #[error("unknown SLA rule `{id}`")]
    UnknownSla {
        /// The unknown id.
        id: String,
    },
    /// Warning: a role no transition allows.
    #[error("role `{role}` is declared but no transition allows it")]
    UnusedRole {
        /// The role.
        role: String,
    },
    /// Warning: a workflow, state or transition without a title.
    #[error("{kind} `{id}` has no title")]
    MissingTitle {
        /// `workflow`, `state` or `transition`.
        kind: &'static str,
        /// Its id.
        id: String,
    },
}

impl DefinitionError {
    /// The stable code of this problem.
    pub fn code(&self) -> &'static str {
        use DefinitionError::*;
        match self {
            Invalid { .. } => "definition.invalid",
            UnsupportedFormat { .. } => "definition.unsupported_format",
            InvalidId { .. } => "definition.invalid_id",
            DuplicateId { .. } => "definition.duplicate_id",
            RepeatedEntry { .. } => "definition.repeated_entry",
            UnknownState { .. } => "definition.unknown_state",
            UnknownRole { .. } => "definition.unknown_role",
            UnknownField { .. } => "definition.unknown_field",
            NoInitialState => "definition.no_initial_state",
            MultipleInitialStates { .. } => "definition.multiple_initial_states",
            NoTerminalState => "definition.no_terminal_state",
            TransitionFromTerminal { .. } => "definition.transition_from_terminal",
            EmptyFrom { .. } => "definition.empty_from",
            EmptyRoles { .. } => "definition.empty_roles",
            EmptyEnum { .. } => "definition.empty_enum",
            UnexpectedValues { .. } => "definition.unexpected_values",
            GuardTypeMismatch { .. } => "definition.guard_type_mismatch",
            UnknownEnumValue { .. } => "definition.unknown_enum_value",
            GuardConstant => "definition.guard_constant",
            GuardTooDeep { .. } => "definition.guard_too_deep",
            UnreachableState { .. } => "definition.unreachable_state",
            TrapState { .. } => "definition.trap_state",
            TooMany { .. } => "definition.too_many",
            UnknownTransition { .. } => "definition.unknown_transition",
            EmptyTrigger { .. } => "sla.empty_trigger",
            NoTarget { .. } => "sla.no_target",
            InvalidDuration { .. } => "sla.invalid_duration",
            InvalidWarning { .. } => "sla.invalid_warning",
            BreachTransitionRequires { .. } => "sla.breach_transition_requires",
            BasisMismatch { .. } => "sla.basis_mismatch",
            UnknownCalendar { .. } => "sla.unknown_calendar",
            Infeasible { .. } => "sla.infeasible",
            HandlingFieldKind { .. } => "definition.handling_field_kind",
            MaskNotPersonal { .. } => "definition.mask_not_personal",
            InvalidMask { .. } => "definition.invalid_mask",
            ScrubField { .. } => "definition.scrub_field",
            ActionNeedsSection { .. } => "definition.action_needs_section",
            UnknownSla { .. } => "definition.unknown_sla",
            UnusedRole { .. } => "definition.unused_role",
            MissingTitle { .. } => "definition.missing_title",
        }
    }

    /// Whether this problem is only a warning: the definition still loads.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            DefinitionError::UnusedRole { .. }
                | DefinitionError::MissingTitle { .. }
                | DefinitionError::Infeasible { .. }
        )
    }
}

/// A definition problem and where it is in the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What is wrong.
    pub error: DefinitionError,
    /// JSON Pointer into the definition document.
    pub path: String,
    /// A hint, such as the ids that are declared.
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(error: DefinitionError, path: impl Into<String>) -> Self {
        Diagnostic {
            error,
            path: path.into(),
            help: None,
        }
    }

    /// The serializable form. `prefix` is prepended to the path, so a definition nested in a
    /// request (`/definition`) points into the request.
    pub fn detail(&self, prefix: &str) -> ErrorDetail {
        ErrorDetail::new(self.error.code(), self.error.to_string())
            .at(format!("{prefix}{}", self.path))
            .help(self.help.clone())
    }
}

/// A definition was rejected: every error found, and the warnings beside them.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the workflow definition has {} error(s)", errors.len())]
pub struct InvalidDefinition {
    /// Every error, in document order.
    pub errors: Vec<Diagnostic>,
    /// Every warning, in document order.
    pub warnings: Vec<Diagnostic>,
}

/// Where a case field value came from: the fields given at opening, or a command's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldSource {
    /// The `fields` of an `open_case`.
    Fields,
    /// The `payload` of an `apply`.
    Payload,
}

impl FieldSource {
    fn pointer(self) -> &'static str {
        match self {
            FieldSource::Fields => "/fields",
            FieldSource::Payload => "/payload",
        }
    }
}

/// What is wrong with one field value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldProblem {
    /// The workflow declares no such field.
    #[error("unknown field `{field}`")]
    Unknown {
        /// The field id given.
        field: String,
    },
    /// A field required at opening is absent.
    #[error("required field `{field}` is missing")]
    Missing {
        /// The field id.
        field: String,
    },
    /// A payload field the transition requires is absent.
    #[error("transition `{transition}` requires `{field}` in the payload")]
    MissingPayload {
        /// The field id.
        field: String,
        /// The transition.
        transition: String,
    },
    /// The value has the wrong JSON type.
    #[error("field `{field}` expects {expected}, found {found}")]
    WrongType {
        /// The field id.
        field: String,
        /// The declared type.
        expected: FieldKind,
        /// What was found.
        found: &'static str,
    },
    /// An enum field got a value it does not list.
    #[error("`{value}` is not a value of field `{field}`")]
    InvalidEnumValue {
        /// The field id.
        field: String,
        /// The value given.
        value: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// The value has the right type but is out of range.
    #[error("field `{field}`: {reason}")]
    InvalidValue {
        /// The field id.
        field: String,
        /// Why it is rejected.
        reason: &'static str,
    },
}

impl FieldProblem {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FieldProblem::Unknown { .. } => "case.unknown_field",
            FieldProblem::Missing { .. } => "case.missing_field",
            FieldProblem::MissingPayload { .. } => "case.missing_payload",
            FieldProblem::WrongType { .. } => "case.field_type",
            FieldProblem::InvalidEnumValue { .. } => "case.invalid_enum_value",
            FieldProblem::InvalidValue { .. } => "case.invalid_value",
        }
    }

    fn field(&self) -> &str {
        match self {
            FieldProblem::Unknown { field }
            | FieldProblem::Missing { field }
            | FieldProblem::MissingPayload { field, .. }
            | FieldProblem::WrongType { field, .. }
            | FieldProblem::InvalidEnumValue { field, .. }
            | FieldProblem::InvalidValue { field, .. } => field,
        }
    }

    fn detail(&self, source: FieldSource) -> ErrorDetail {
        let help = match self {
            FieldProblem::InvalidEnumValue { allowed, .. } => {
                Some(format!("allowed values: {}", quoted_list(allowed)))
            }
            _ => None,
        };
        ErrorDetail::new(self.code(), self.to_string())
            .at(format!(
                "{}/{}",
                source.pointer(),
                escape_pointer(self.field())
            ))
            .help(help)
    }
}

/// Why a case could not be opened or a command could not be applied. The case is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// No workflow with this id (and version) is loaded.
    #[error("workflow `{id}`{} is not loaded", version.map(|v| format!(" version {v}")).unwrap_or_default())]
    WorkflowNotFound {
        /// The workflow id.
        id: String,
        /// The version asked for, if any.
        version: Option<u32>,
    },
    /// No case with this id exists.
    #[error("case `{case_id}` does not exist")]
    NotFound {
        /// The case id.
        case_id: String,
    },
    /// A case with this id already exists.
    #[error("case `{case_id}` already exists")]
    AlreadyExists {
        /// The case id.
        case_id: String,
    },
    /// The case id is empty or too long.
    #[error("case id `{case_id}` is not valid: {reason}")]
    InvalidId {
        /// The case id.
        case_id: String,
        /// Why.
        reason: &'static str,
    },
    /// The actor's id or unit is empty, too long or has control characters.
    #[error("actor {attribute} is not valid: {reason}")]
    InvalidActor {
        /// `id` or `unit`.
        attribute: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The channel is empty or too long.
    #[error("channel `{channel}` is not valid: {reason}")]
    InvalidChannel {
        /// The channel.
        channel: String,
        /// Why.
        reason: &'static str,
    },
    /// `at` is outside the supported range of instants.
    #[error("time `{at}` is out of range")]
    InvalidTime {
        /// The instant given.
        at: i64,
    },
    /// The case is in a terminal state and accepts no more commands.
    #[error("case `{case_id}` is closed in terminal state `{state}`")]
    Terminal {
        /// The case id.
        case_id: String,
        /// Its terminal state.
        state: String,
    },
    /// The command is dated before the case's last event.
    #[error("time went backwards: `{at}` is before the case's last event at `{last}`")]
    TimeWentBackwards {
        /// The command's time.
        at: i64,
        /// The time of the last event.
        last: i64,
    },
    /// The workflow has no transition with this id.
    #[error("workflow has no transition `{transition}`")]
    UnknownTransition {
        /// The transition id given.
        transition: String,
        /// Transitions available from the current state.
        available: Vec<String>,
    },
    /// The transition exists but does not leave the case's current state.
    #[error("transition `{transition}` does not leave state `{state}`")]
    TransitionNotFromState {
        /// The transition id.
        transition: String,
        /// The case's current state.
        state: String,
        /// Transitions that do leave it.
        available: Vec<String>,
    },
    /// The actor holds none of the roles the transition allows.
    #[error("actor `{actor}` holds none of the roles allowed to take `{transition}`")]
    RoleNotAllowed {
        /// The actor id.
        actor: String,
        /// The transition id.
        transition: String,
        /// The roles that may take it.
        allowed: Vec<String>,
    },
    /// The transition's guard does not hold for this case and actor.
    #[error("the guard of transition `{transition}` does not hold")]
    GuardFailed {
        /// The transition id.
        transition: String,
        /// Where the guard is in the workflow definition.
        guard_path: String,
    },
    /// The workflow has no SLA rule with this id.
    #[error("workflow has no SLA rule `{sla}`")]
    SlaNotFound {
        /// The rule id given.
        sla: String,
    },
    /// The rule's clock is not running (not started, stopped or cancelled).
    #[error("the clock of SLA rule `{sla}` is not running")]
    SlaNotRunning {
        /// The rule.
        sla: String,
    },
    /// The timer step does not exist, already fired this cycle, or is not due yet.
    #[error("step {step} of SLA rule `{sla}` is not due or already fired")]
    SlaAlreadyFired {
        /// The rule.
        sla: String,
        /// The step index.
        step: u16,
    },
    /// The rule allows no extension, or not by this actor's roles.
    #[error("actor `{actor}` may not extend SLA rule `{sla}`")]
    ExtensionNotAllowed {
        /// The rule.
        sla: String,
        /// The actor.
        actor: String,
    },
    /// The extension counts in another unit than the clock's target.
    #[error("rule `{sla}` counts in {expected}, the extension in {found}")]
    ExtensionBasis {
        /// The rule.
        sla: String,
        /// The target's basis.
        expected: &'static str,
        /// The extension's basis.
        found: &'static str,
    },
    /// An extension of zero, negative, or not a whole number of minutes.
    #[error("an extension of rule `{sla}` is a positive whole number of minutes or days")]
    InvalidExtension {
        /// The rule.
        sla: String,
    },
    /// The rule requires a reason for an extension.
    #[error("an extension of SLA rule `{sla}` needs a reason")]
    ReasonRequired {
        /// The rule.
        sla: String,
    },
    /// The extension would exceed the allowed count or total.
    #[error("rule `{sla}` allows {max_count} extension(s) of at most {max_total} {unit} in all; {count} granted, {used} {unit} in all")]
    ExtensionLimit {
        /// The unit of the amounts: `natural_days`, `working_days`, or `ms`.
        unit: &'static str,
        /// The rule.
        sla: String,
        /// Extensions already granted.
        count: usize,
        /// The most allowed.
        max_count: u32,
        /// Total already granted, in the target's unit.
        used: i64,
        /// The most allowed in total.
        max_total: i64,
    },
    /// The workflow has no `handling` section (or not the part this needs).
    #[error("workflow `{workflow}` has no `{section}` section")]
    NoHandling {
        /// The workflow.
        workflow: String,
        /// The section needed.
        section: &'static str,
    },
    /// The case has no handling unit yet.
    #[error("case `{case_id}` has not been dispatched to a unit")]
    NotDispatched {
        /// The case.
        case_id: String,
    },
    /// Only the lead (handling) unit may do this.
    #[error("{} is not the lead unit `{lead}` of this case", actor_unit.as_deref().map_or_else(|| "an actor without a unit".to_owned(), |u| format!("unit `{u}`")))]
    NotLeadUnit {
        /// The actor's unit.
        actor_unit: Option<String>,
        /// The lead unit.
        lead: String,
    },
    /// The workflow lets the lead reply only once every assisting opinion is in.
    #[error("opinions of {} are still due", quoted_list(units))]
    OpinionsPending {
        /// The assisting units still to answer.
        units: Vec<String>,
    },
    /// The transition's time window (an SLA rule's deadline) has passed or its clock is not
    /// running.
    #[error("transition `{transition}` is only allowed before the deadline of rule `{sla}`{}", due_at.map(|d| format!(", which was `{d}`")).unwrap_or_default())]
    WindowClosed {
        /// The transition.
        transition: String,
        /// The SLA rule.
        sla: String,
        /// The deadline, when the clock ran.
        due_at: Option<i64>,
    },
    /// An assisting unit that cannot be added.
    #[error("unit `{unit}` cannot assist: {reason}")]
    InvalidAssist {
        /// The unit.
        unit: String,
        /// Why.
        reason: &'static str,
    },
    /// The actor's unit has no opinion due on this case.
    #[error("{} has no opinion due on this case", unit.as_deref().map_or_else(|| "an actor without a unit".to_owned(), |u| format!("unit `{u}`")))]
    NotAssisting {
        /// The actor's unit.
        unit: Option<String>,
    },
    /// Reopening needs a last callback that was unsatisfied or unsolved.
    #[error("case `{case_id}` can be reopened only after an unsatisfied or unsolved callback")]
    ReopenNotAllowed {
        /// The case.
        case_id: String,
    },
    /// The case has been reopened as often as the workflow allows.
    #[error("case `{case_id}` has been reopened {limit} time(s), the most the workflow allows")]
    ReopenLimit {
        /// The case.
        case_id: String,
        /// The limit.
        limit: u32,
    },
    /// No supervision with this number.
    #[error("case has no supervision {index}")]
    UnknownSupervision {
        /// The number given.
        index: usize,
    },
    /// The supervision is already answered.
    #[error("supervision {index} is already answered")]
    SupervisionAnswered {
        /// The supervision.
        index: usize,
    },
    /// A link that cannot be made.
    #[error("case `{case_id}` cannot be linked to `{primary}`: {reason}")]
    InvalidLink {
        /// The duplicate.
        case_id: String,
        /// The primary asked for.
        primary: String,
        /// Why.
        reason: &'static str,
    },
    /// The case is already linked to a primary.
    #[error("case `{case_id}` is already linked to `{primary}`")]
    AlreadyLinked {
        /// The case.
        case_id: String,
        /// Its primary.
        primary: String,
    },
    /// The same citizen's same matter is open and within its time limit (信访工作条例 art. 19).
    #[error("the same citizen and matter are open as case `{existing}`")]
    Duplicate {
        /// The open case.
        existing: String,
    },
    /// The appealed case has no written reply to appeal against.
    #[error("case `{case_id}` has no written reply to appeal against")]
    AppealNotReplied {
        /// The appealed case.
        case_id: String,
    },
    /// The request window after the written reply has passed.
    #[error("the window to appeal case `{case_id}` closed at `{closed_at}`")]
    AppealOutOfWindow {
        /// The appealed case.
        case_id: String,
        /// The end of the window.
        closed_at: i64,
    },
    /// 复核 is final: the same matter is not accepted again.
    #[error("case `{case_id}` is a re-review (复核), which is final")]
    AppealFinal {
        /// The re-review case.
        case_id: String,
    },
    /// The case is already appealed.
    #[error("case `{case_id}` is already appealed by `{existing}`")]
    AppealExists {
        /// The appealed case.
        case_id: String,
        /// The appeal.
        existing: String,
    },
    /// The case holds `Limits::max_history_events` events and takes no further command.
    #[error("case `{case_id}` holds {limit} events, the most a case may hold: it takes no further command")]
    HistoryFull {
        /// The case id.
        case_id: String,
        /// `Limits::max_history_events`.
        limit: usize,
    },
    /// Only a closed case can be archived.
    #[error("case `{case_id}` is in state `{state}`, which is not terminal: only a closed case can be archived")]
    NotClosed {
        /// The case id.
        case_id: String,
        /// Its state.
        state: String,
    },
    /// Effects of the case await acknowledgement, and would be lost with it.
    #[error("case `{case_id}` has {pending} effects not yet acknowledged: deliver and acknowledge them before archiving it")]
    EffectsPending {
        /// The case id.
        case_id: String,
        /// Its effects not acknowledged.
        pending: usize,
    },
    /// `Limits::max_pending_effects` effects await acknowledgement.
    #[error("{pending} effects await acknowledgement, the limit is {limit}: deliver and acknowledge effects before new commands")]
    OutboxFull {
        /// Effects pending.
        pending: usize,
        /// `Limits::max_pending_effects`.
        limit: usize,
    },
    /// An organisation problem: unknown or accused unit, no route, not a superior.
    #[error(transparent)]
    Org(#[from] crate::org::OrgError),
    /// A deadline could not be placed on the calendar.
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// One or more field values are wrong; all are listed, in the order the values were given
    /// (object keys sort alphabetically in JSON), then missing fields in declaration order.
    #[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Fields {
        /// Where the values came from.
        place: FieldSource,
        /// Every problem, in field order.
        problems: Vec<FieldProblem>,
    },
}

impl CaseError {
    /// The stable code. For [`CaseError::Fields`], the code of the first problem.
    pub fn code(&self) -> &'static str {
        use CaseError::*;
        match self {
            WorkflowNotFound { .. } => "workflow.not_found",
            NotFound { .. } => "case.not_found",
            AlreadyExists { .. } => "case.already_exists",
            InvalidId { .. } => "case.invalid_id",
            InvalidActor { .. } => "case.invalid_actor",
            InvalidChannel { .. } => "case.invalid_channel",
            InvalidTime { .. } => "case.invalid_time",
            Terminal { .. } => "case.terminal",
            TimeWentBackwards { .. } => "case.time_went_backwards",
            UnknownTransition { .. } => "case.unknown_transition",
            TransitionNotFromState { .. } => "case.transition_not_from_state",
            RoleNotAllowed { .. } => "case.role_not_allowed",
            GuardFailed { .. } => "case.guard_failed",
            SlaNotFound { .. } => "sla.not_found",
            SlaNotRunning { .. } => "sla.not_running",
            SlaAlreadyFired { .. } => "sla.already_fired",
            ExtensionNotAllowed { .. } => "sla.extension_not_allowed",
            ExtensionBasis { .. } => "sla.basis_mismatch",
            ReasonRequired { .. } => "sla.reason_required",
            InvalidExtension { .. } => "sla.invalid_extension",
            ExtensionLimit { .. } => "sla.extension_limit",
            NoHandling { .. } => "case.no_handling",
            NotDispatched { .. } => "case.not_dispatched",
            NotLeadUnit { .. } => "case.not_lead_unit",
            OpinionsPending { .. } => "case.opinions_pending",
            WindowClosed { .. } => "case.window_closed",
            InvalidAssist { .. } => "case.invalid_assist",
            NotAssisting { .. } => "case.not_assisting",
            ReopenNotAllowed { .. } => "case.reopen_not_allowed",
            ReopenLimit { .. } => "case.reopen_limit",
            UnknownSupervision { .. } => "case.unknown_supervision",
            SupervisionAnswered { .. } => "case.supervision_answered",
            InvalidLink { .. } => "case.invalid_link",
            AlreadyLinked { .. } => "case.already_linked",
            Duplicate { .. } => "case.duplicate",
            AppealNotReplied { .. } => "case.appeal_not_replied",
            AppealOutOfWindow { .. } => "case.appeal_out_of_window",
            AppealFinal { .. } => "case.appeal_final",
            AppealExists { .. } => "case.appeal_exists",
            HistoryFull { .. } => "case.history_full",
            OutboxFull { .. } => "outbox.full",
            NotClosed { .. } => "case.not_closed",
            EffectsPending { .. } => "case.effects_pending",
            Org(e) => e.code(),
            Calendar(e) => e.code(),
            Fields { problems, .. } => problems.first().map_or("case.invalid_value", |p| p.code()),
        }
    }

    /// The serializable form: one entry, or one per field problem.
    pub fn details(&self) -> Vec<ErrorDetail> {
        use CaseError::*;
        let one = |path: &str, help: Option<String>| {
            vec![ErrorDetail::new(self.code(), self.to_string())
                .at(path)
                .help(help)]
        };
        match self {
            Fields { place, problems } => problems.iter().map(|p| p.detail(*place)).collect(),
            WorkflowNotFound { .. } => one("/workflow", None),
            NotFound { .. }
            | AlreadyExists { .. }
            | InvalidId { .. }
            | HistoryFull { .. }
            | NotClosed { .. }
            | EffectsPending { .. } => one("/case_id", None),
            OutboxFull { .. } => one("", None),
            InvalidActor { attribute, .. } => one(&format!("/actor/{attribute}"), None),
            InvalidChannel { .. } => one("/channel", None),
            InvalidTime { .. } | TimeWentBackwards { .. } => one("/at", None),
            Terminal { .. } => one("/case_id", None),
            UnknownTransition { available, .. } | TransitionNotFromState { available, .. } => {
                one("/transition", Some(available_help(available)))
            }
            RoleNotAllowed { allowed, .. } => one(
                "/actor/roles",
                Some(format!("allowed roles: {}", quoted_list(allowed))),
            ),
            SlaNotFound { .. }
            | SlaNotRunning { .. }
            | SlaAlreadyFired { .. }
            | ExtensionLimit { .. } => one("/sla", None),
            ExtensionNotAllowed { .. } => one("/actor/roles", None),
            ExtensionBasis { .. } | InvalidExtension { .. } => one("/duration", None),
            ReasonRequired { .. } => one("/reason", None),
            NoHandling { .. } | NotDispatched { .. } => one("/case_id", None),
            NotLeadUnit { .. }
            | NotAssisting { .. }
            | Org(crate::org::OrgError::NotSuperior { .. }) => one("/actor/unit", None),
            OpinionsPending { .. } | ReopenNotAllowed { .. } | ReopenLimit { .. } => {
                one("/transition", None)
            }
            WindowClosed { .. } | Calendar(_) => one("/at", None),
            InvalidAssist { .. } | Org(_) => one("/payload", None),
            UnknownSupervision { .. } | SupervisionAnswered { .. } => one("/supervision", None),
            InvalidLink { .. } | AlreadyLinked { .. } => one("/primary", None),
            Duplicate { .. } => one("/keys", None),
            AppealNotReplied { .. }
            | AppealOutOfWindow { .. }
            | AppealFinal { .. }
            | AppealExists { .. } => one("/appeal_of", None),
            GuardFailed { guard_path, .. } => one(
                "/transition",
                Some(format!(
                    "see the guard at `{guard_path}` in the workflow definition"
                )),
            ),
        }
    }
}

fn available_help(available: &[String]) -> String {
    if available.is_empty() {
        "no transition leaves the current state".to_owned()
    } else {
        format!(
            "transitions from the current state: {}",
            quoted_list(available)
        )
    }
}

/// A workflow could not be loaded into the engine.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The definition has errors.
    #[error(transparent)]
    Invalid(#[from] InvalidDefinition),
    /// The same id and version is loaded with a different definition.
    #[error("workflow `{id}` version {version} is already loaded with a different definition")]
    VersionConflict {
        /// Workflow id.
        id: String,
        /// Version.
        version: u32,
    },
}

impl WorkflowError {
    /// The serializable form. `prefix` locates the definition in the request.
    pub fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        match self {
            WorkflowError::Invalid(inv) => inv.errors.iter().map(|d| d.detail(prefix)).collect(),
            WorkflowError::VersionConflict { .. } => {
                vec![
                    ErrorDetail::new("workflow.version_conflict", self.to_string())
                        .at(format!("{prefix}/version"))
                        .help(Some(
                            "publish the changed definition under a new version".to_owned(),
                        )),
                ]
            }
        }
    }
}

/// A history could not be replayed into a case.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The history has no events.
    #[error("history is empty")]
    Empty,
    /// The first event is not `opened`, an `opened` event appears later, or `seq` skips.
    #[error("event {index} is out of sequence: {reason}")]
    BadSequence {
        /// Index of the event in the history.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Re-running an event's command gives a different outcome than the one recorded.
    #[error("event {index} records `{recorded}` but replaying it gives `{replayed}`")]
    Mismatch {
        /// Index of the event.
        index: usize,
        /// What the history says.
        recorded: String,
        /// What the engine computes.
        replayed: String,
    },
    /// An event's command is rejected when replayed.
    #[error("event {index} is rejected on replay: {error}")]
    Rejected {
        /// Index of the event.
        index: usize,
        /// Why.
        error: CaseError,
    },
    /// An event's hash is not the one its content and the chain before it give.
    #[error("event {index} does not match its hash: it, or an event before it, was changed, removed, reordered or inserted")]
    HashMismatch {
        /// Index of the first event whose hash fails.
        index: usize,
    },
    /// An event carries no hash where the history must be chained.
    #[error("event {index} carries no hash")]
    HashMissing {
        /// Index of the event.
        index: usize,
    },
    /// The chain ends at another hash than the head the host anchored.
    #[error("the history ends at hash `{found}`, not at the anchored head `{expected}`: events were cut from the end or added")]
    HeadMismatch {
        /// The head given.
        expected: String,
        /// The last event's hash.
        found: String,
    },
    /// An event given for a place in the history that the engine already holds differs from
    /// the event there (`append_events`): the events belong to another history of the case.
    #[error("event {index} differs from the event the engine holds at `seq` {seq}: the events given belong to another history of the case")]
    Diverged {
        /// Index of the event in the list given.
        index: usize,
        /// Its place in the case's history.
        seq: u64,
    },
    /// The history has more events recorded by callers than `Limits::max_history_events`.
    #[error("the history has {events} events recorded by callers, more than the limit of {limit}")]
    TooLong {
        /// Its events, the engine's own records (timers, system moves) not counted.
        events: usize,
        /// The limit.
        limit: usize,
    },
}

impl HistoryError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryError::Empty => "history.empty",
            HistoryError::BadSequence { .. } => "history.bad_sequence",
            HistoryError::Mismatch { .. } => "history.mismatch",
            HistoryError::Rejected { .. } => "history.rejected",
            HistoryError::HashMismatch { .. } => "history.hash_mismatch",
            HistoryError::HashMissing { .. } => "history.hash_missing",
            HistoryError::HeadMismatch { .. } => "history.head_mismatch",
            HistoryError::TooLong { .. } => "history.too_long",
            HistoryError::Diverged { .. } => "history.diverged",
        }
    }

    /// The serializable form; `prefix` locates the history in the request.
    pub fn detail(&self, prefix: &str) -> ErrorDetail {
        let path = match self {
            HistoryError::Empty | HistoryError::TooLong { .. } => prefix.to_owned(),
            HistoryError::BadSequence { index, .. }
            | HistoryError::Mismatch { index, .. }
            | HistoryError::Rejected { index, .. }
            | HistoryError::HashMismatch { index }
            | HistoryError::HashMissing { index }
            | HistoryError::Diverged { index, .. } => format!("{prefix}/{index}"),
            HistoryError::HeadMismatch { .. } => "/head".to_owned(),
        };
        let help = match self {
            HistoryError::Rejected { error, .. } => Some(format!("cause: `{}`", error.code())),
            _ => None,
        };
        ErrorDetail::new(self.code(), self.to_string())
            .at(path)
            .help(help)
    }
}

/// A snapshot could not be restored. The engine is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// `format` is not a snapshot version this library reads.
    #[error("snapshot format `{found}` is not supported")]
    UnsupportedFormat {
        /// The format found.
        found: u64,
    },
    /// A workflow in the snapshot is invalid.
    #[error("workflow {index} of the snapshot is invalid")]
    Workflow {
        /// Index in `workflows`.
        index: usize,
        /// Why.
        error: WorkflowError,
    },
    /// Two workflows with the same id and version, or two cases with the same id.
    #[error("the snapshot holds {what} `{id}` twice")]
    Duplicate {
        /// `workflow` or `case`.
        what: &'static str,
        /// The repeated id.
        id: String,
        /// Where the second one is.
        path: String,
    },
    /// A calendar in the snapshot is invalid.
    #[error("calendar {index} of the snapshot is invalid")]
    Calendar {
        /// Index in `calendars`.
        index: usize,
        /// Why.
        error: crate::calendar::InvalidCalendar,
    },
    /// The snapshot's organisation is invalid.
    #[error("the snapshot's organisation is invalid")]
    Org {
        /// Why.
        error: crate::org::InvalidOrg,
    },
    /// A case's history does not replay.
    #[error("case {index} of the snapshot does not replay")]
    History {
        /// Index in `cases`.
        index: usize,
        /// Why.
        error: HistoryError,
    },
    /// A case's recorded state differs from the state its history replays to.
    #[error(
        "case `{case_id}` is recorded in state `{recorded}` but its history ends in `{replayed}`"
    )]
    StateMismatch {
        /// Index in `cases`.
        index: usize,
        /// The case id.
        case_id: String,
        /// State in the snapshot.
        recorded: String,
        /// State after replay.
        replayed: String,
    },
}

impl SnapshotError {
    /// The serializable form; `prefix` locates the snapshot in the request.
    pub fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        match self {
            SnapshotError::UnsupportedFormat { .. } => {
                vec![
                    ErrorDetail::new("snapshot.unsupported_format", self.to_string())
                        .at(format!("{prefix}/format")),
                ]
            }
            SnapshotError::Calendar { index, error } => {
                error.details(&format!("{prefix}/calendars/{index}"))
            }
            SnapshotError::Workflow { index, error } => {
                error.details(&format!("{prefix}/workflows/{index}"))
            }
            SnapshotError::Org { error } => error.details(&format!("{prefix}/org")),
            SnapshotError::Duplicate { path, .. } => {
                vec![ErrorDetail::new("snapshot.duplicate", self.to_string())
                    .at(format!("{prefix}{path}"))]
            }
            SnapshotError::History { index, error } => {
                vec![error.detail(&format!("{prefix}/cases/{index}/history"))]
            }
            SnapshotError::StateMismatch { index, .. } => {
                vec![
                    ErrorDetail::new("snapshot.state_mismatch", self.to_string())
                        .at(format!("{prefix}/cases/{index}/state")),
                ]
            }
        }
    }
}

/// A graph question could not be answered.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The workflow is not loaded.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The workflow has no such state.
    #[error("workflow has no state `{state}`")]
    UnknownState {
        /// The state given.
        state: String,
    },
}

impl GraphError {
    /// The serializable form.
    pub fn details(&self) -> Vec<ErrorDetail> {
        match self {
            GraphError::Case(e) => e.details(),
            GraphError::UnknownState { .. } => {
                vec![ErrorDetail::new("graph.unknown_state", self.to_string()).at("/from")]
            }
        }
    }
}

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

impl RequestError {
    /// The serializable form.
    pub fn detail(&self) -> ErrorDetail {
        match self {
            RequestError::InvalidJson { .. } => {
                ErrorDetail::new("request.invalid_json", self.to_string())
            }
            RequestError::InvalidUtf8 { .. } => {
                ErrorDetail::new("request.invalid_utf8", self.to_string())
            }
            RequestError::Invalid { path, .. } => {
                ErrorDetail::new("request.invalid", self.to_string()).at(path.clone())
            }
            RequestError::TooLarge { .. } => {
                ErrorDetail::new("request.too_large", self.to_string())
            }
            RequestError::TooDeep { path, .. } => {
                ErrorDetail::new("request.too_deep", self.to_string()).at(path.clone())
            }
            RequestError::StringTooLong { path, .. } => {
                ErrorDetail::new("request.string_too_long", self.to_string()).at(path.clone())
            }
            RequestError::DuplicateKey { path, .. } => {
                ErrorDetail::new("request.duplicate_key", self.to_string()).at(path.clone())
            }
            RequestError::EngineFreed => ErrorDetail::new("engine.freed", self.to_string()),
            RequestError::NotInitialized => {
                ErrorDetail::new("engine.not_initialized", self.to_string())
            }
        }
    }
}

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

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

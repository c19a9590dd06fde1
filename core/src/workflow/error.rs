//! What can be wrong with a workflow definition.

use crate::error::{Coded, DocumentError, DocumentErrors, Located};
use crate::value::FieldKind;

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
    /// The legal-route field offers a value that is not one of the six legal routes.
    #[error("`{value}` is not a legal route; the routes are {routes}")]
    UnknownLegalRoute {
        /// The value.
        value: String,
        /// The routes.
        routes: String,
    },
    /// A `legal_route` transition leads to a state that is not terminal: a matter answered with
    /// its legal route is not handled further.
    #[error("transition `{transition}` answers with a legal route, so it must close the case")]
    LegalRouteNotTerminal {
        /// The transition.
        transition: String,
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
            UnknownLegalRoute { .. } => "definition.unknown_legal_route",
            LegalRouteNotTerminal { .. } => "definition.legal_route_not_terminal",
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

impl Coded for DefinitionError {
    fn code(&self) -> &'static str {
        DefinitionError::code(self)
    }
}

impl DocumentError for DefinitionError {
    const DOCUMENT: &'static str = "workflow definition";
}

/// A definition problem and where it is in the document.
pub type Diagnostic = Located<DefinitionError>;

/// A definition was rejected: every error found, and the warnings beside them.
pub type InvalidDefinition = DocumentErrors<DefinitionError>;

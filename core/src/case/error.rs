//! Why a command was refused, and why a history could not be replayed.

use crate::error::{quoted_list, Coded, ErrorDetail};
use crate::value::{FieldProblem, FieldSource};

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
    /// The request id is empty, too long or has control characters.
    #[error("request id `{request_id}` is not valid: {reason}")]
    InvalidRequestId {
        /// The request id.
        request_id: String,
        /// Why.
        reason: &'static str,
    },
    /// The case has moved on since the version the caller decided on.
    #[error("case `{case_id}` has {actual} events, the command expected {expected}: reload it and decide again")]
    SeqMismatch {
        /// The case id.
        case_id: String,
        /// The `expected_seq` given.
        expected: u64,
        /// The case's number of events now.
        actual: u64,
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
    /// A publishing transition with no channel listed, in its payload or on the case.
    #[error("transition `{transition}` publishes to the channels in `{field}`, which lists none")]
    NoChannels {
        /// The transition id.
        transition: String,
        /// The list field of channels.
        field: String,
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
    /// The command needs cases the engine knows of but does not hold: a host keeping cases in
    /// a store loads them first (`plan` names them).
    #[error("case `{case_id}` needs {} loaded first: load {} from the store (`plan` names what a command needs)", quoted_list(missing), if missing.len() == 1 { "it" } else { "them" })]
    LinkedNotLoaded {
        /// The case the command is about.
        case_id: String,
        /// The cases it needs.
        missing: Vec<String>,
    },
    /// `follow_primary` on a case that is no linked duplicate.
    #[error("case `{case_id}` is not linked to a primary")]
    NotLinked {
        /// The case.
        case_id: String,
    },
    /// `follow_primary` while the primary is still open.
    #[error("case `{case_id}` follows `{primary}`, which is still open")]
    PrimaryOpen {
        /// The duplicate.
        case_id: String,
        /// Its primary.
        primary: String,
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
    /// `Limits::max_pending_effects` effects await acknowledgement and the command would queue
    /// another. New cases and commands that queue no effect are never refused for it.
    #[error("{pending} effects await acknowledgement, the limit is {limit}: deliver and acknowledge effects before commands that queue more")]
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
            InvalidRequestId { .. } => "case.invalid_request_id",
            SeqMismatch { .. } => "case.seq_mismatch",
            InvalidActor { .. } => "case.invalid_actor",
            InvalidChannel { .. } => "case.invalid_channel",
            InvalidTime { .. } => "case.invalid_time",
            Terminal { .. } => "case.terminal",
            TimeWentBackwards { .. } => "case.time_went_backwards",
            UnknownTransition { .. } => "case.unknown_transition",
            TransitionNotFromState { .. } => "case.transition_not_from_state",
            RoleNotAllowed { .. } => "case.role_not_allowed",
            GuardFailed { .. } => "case.guard_failed",
            NoChannels { .. } => "case.no_channels",
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
            LinkedNotLoaded { .. } => "case.linked_not_loaded",
            NotLinked { .. } => "case.not_linked",
            PrimaryOpen { .. } => "case.primary_open",
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

    /// One entry, or one per field problem, located in the request.
    fn entries(&self) -> Vec<ErrorDetail> {
        use CaseError::*;
        let one = |path: &str, help: Option<String>| {
            vec![ErrorDetail::new(self.code(), self.to_string())
                .at(path)
                .help(help)]
        };
        match self {
            Fields { place, problems } => problems.iter().map(|p| p.located(*place)).collect(),
            WorkflowNotFound { .. } => one("/workflow", None),
            NotFound { .. }
            | AlreadyExists { .. }
            | InvalidId { .. }
            | HistoryFull { .. }
            | NotClosed { .. }
            | EffectsPending { .. } => one("/case_id", None),
            OutboxFull { .. } => one("", None),
            InvalidRequestId { .. } => one("/request_id", None),
            SeqMismatch { .. } => one("/expected_seq", None),
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
            LinkedNotLoaded { .. } | NotLinked { .. } | PrimaryOpen { .. } => one("/case_id", None),
            Duplicate { .. } => one("/keys", None),
            AppealNotReplied { .. }
            | AppealOutOfWindow { .. }
            | AppealFinal { .. }
            | AppealExists { .. } => one("/appeal_of", None),
            NoChannels { field, .. } => one(&format!("/payload/{field}"), None),
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

impl Coded for CaseError {
    fn code(&self) -> &'static str {
        CaseError::code(self)
    }

    /// One entry, or one per field problem, each at its place in the request under `prefix`.
    fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        let mut entries = self.entries();
        if !prefix.is_empty() {
            for e in &mut entries {
                e.path = e.path.as_ref().map(|p| format!("{prefix}{p}"));
            }
        }
        entries
    }
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
}

impl Coded for HistoryError {
    fn code(&self) -> &'static str {
        HistoryError::code(self)
    }

    /// At the event in error; `prefix` locates the history in the request.
    fn detail(&self, prefix: &str) -> ErrorDetail {
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

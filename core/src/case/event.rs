//! Events: how a case keeps each change (compact, ids shared), and the record each becomes in
//! its history (the JSON a host stores and replays).

use super::*;

/// Who acted, as an event records it: one pointer, shared by the events of the same actor
/// with the same role bits (the engine keeps one of each, see `shared_ids`), since an engine's
/// million cases are mostly by a few thousand staff.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ActorRecord(Arc<ActorData>);

/// An actor's id, roles in the workflow (a bit per role) and unit.
#[derive(Debug, PartialEq)]
pub(crate) struct ActorData {
    pub id: Arc<str>,
    pub roles: u64,
    pub unit: Option<Arc<str>>,
}

impl ActorRecord {
    pub(crate) fn new(id: Arc<str>, roles: u64, unit: Option<Arc<str>>) -> Self {
        ActorRecord(Arc::new(ActorData { id, roles, unit }))
    }

    /// Whether nothing but the engine's table holds it (and this reference).
    pub(crate) fn unused(&self) -> bool {
        Arc::strong_count(&self.0) <= 2
    }

    /// Whether both are the one record the engine keeps.
    #[cfg(test)]
    pub(crate) fn same(&self, other: &ActorRecord) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for ActorRecord {
    type Target = ActorData;

    fn deref(&self) -> &ActorData {
        &self.0
    }
}

/// Decisions a command took from the organisation or a calendar. They are recorded, so that
/// replay repeats them instead of deciding again on an organisation or calendar since changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Decisions {
    pub route: Option<Route>,
    pub due_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventKind {
    Opened(Box<OpenedEvent>),
    Transitioned {
        transition: u16,
        from: u16,
        to: u16,
        /// The payload and the recorded decisions, when there are any.
        carried: Option<Box<TransitionExtras>>,
    },
    Opinion {
        text: Box<str>,
    },
    SupervisionRaised(Box<SupervisionEvent>),
    SupervisionAnswered(Box<SupervisionAnsweredEvent>),
    Linked {
        primary: Box<str>,
    },
    DuplicateLinked(Box<DuplicateEvent>),
    Overdue(Box<OverdueEvent>),
    SlaTimer(Box<TimerEvent>),
    SlaExtended(Box<ExtendedEvent>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OpenedEvent {
    pub channel: Arc<str>,
    pub fields: Box<[(u16, Value)]>,
    pub keys: Option<Box<MatterKeys>>,
    pub appeal_of: Option<Box<AppealOf>>,
}

/// What a transition carries beyond its states.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TransitionExtras {
    pub payload: Box<[(u16, Value)]>,
    pub note: Option<Decisions>,
}

impl TransitionExtras {
    /// `None` when there is nothing to carry.
    pub(super) fn new(
        payload: Box<[(u16, Value)]>,
        note: Option<Decisions>,
    ) -> Option<Box<TransitionExtras>> {
        (!payload.is_empty() || note.is_some())
            .then(|| Box::new(TransitionExtras { payload, note }))
    }
}

/// The recorded decisions of a transition's `carried`.
pub(super) fn note_of(carried: &Option<Box<TransitionExtras>>) -> Option<&Decisions> {
    carried.as_deref().and_then(|c| c.note.as_ref())
}

/// The payload of a transition's `carried`.
pub(crate) fn payload_of(carried: &Option<Box<TransitionExtras>>) -> &[(u16, Value)] {
    carried.as_deref().map_or(&[], |c| &c.payload)
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SupervisionEvent {
    pub level: Level,
    pub unit: Box<str>,
    pub due_at: i64,
    pub required: Box<str>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SupervisionAnsweredEvent {
    pub index: usize,
    pub text: Box<str>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TimerEvent {
    pub sla: u16,
    pub kind: TimerKind,
    pub step: u16,
    pub due_at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DuplicateEvent {
    pub case_id: Box<str>,
    pub channel: Box<str>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OverdueEvent {
    pub task: Task,
    pub due_at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ExtendedEvent {
    pub sla: u16,
    pub duration: crate::calendar::working_time::Duration,
    pub reason: Box<str>,
}

/// One entry of a case's history, in compact form. [`Case::history`] gives the JSON form.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub(crate) at: i64,
    pub(crate) actor: ActorRecord,
    pub(crate) kind: EventKind,
}

impl Event {
    /// When it happened, UTC milliseconds.
    pub fn at(&self) -> i64 {
        self.at
    }

    /// Who acted.
    pub fn actor_id(&self) -> &str {
        &self.actor.id
    }
}

/// An event in its portable JSON form: what `history` returns and `replay` reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventRecord {
    /// The case was opened.
    Opened {
        /// Position in the history, from 0.
        seq: u64,
        /// When.
        at: i64,
        /// Who.
        actor: Actor,
        /// Case id.
        case_id: String,
        /// Workflow id.
        workflow: String,
        /// Workflow version.
        version: u32,
        /// Intake channel.
        channel: String,
        /// Field values given.
        #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
        fields: Map<String, serde_json::Value>,
        /// Duplicate-detection keys.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keys: Option<MatterKeys>,
        /// The case it appeals.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        appeal_of: Option<AppealOf>,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A transition was taken.
    Transitioned {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who.
        actor: Actor,
        /// Transition id.
        transition: String,
        /// State left.
        from: String,
        /// State entered.
        to: String,
        /// Payload given (for a routed dispatch, with the unit the catalogue chose).
        #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
        payload: Map<String, serde_json::Value>,
        /// How a dispatch chose its unit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<Route>,
        /// When the opinions asked by an `assist` are due.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opinions_due_at: Option<i64>,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// An assisting unit gave its opinion.
    OpinionSubmitted {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who, with the assisting unit.
        actor: Actor,
        /// The opinion.
        opinion: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A supervision was raised.
    SupervisionRaised {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who (the system actor for one raised by a breach step).
        actor: Actor,
        /// Its level.
        level: Level,
        /// The supervising unit.
        unit: String,
        /// When the answer is due.
        due_at: i64,
        /// What must be answered.
        required: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// The handling unit answered a supervision.
    SupervisionAnswered {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who.
        actor: Actor,
        /// The supervision's number.
        supervision: usize,
        /// The answer.
        answer: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// This case was linked to a primary as a duplicate.
    Linked {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who.
        actor: Actor,
        /// The primary case.
        primary: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A duplicate was linked to this case.
    DuplicateLinked {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who.
        actor: Actor,
        /// The duplicate.
        duplicate: String,
        /// The duplicate's channel.
        channel: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// An assisting unit's opinion was still missing at its deadline.
    OpinionOverdue {
        /// Position in the history.
        seq: u64,
        /// When it was recorded.
        at: i64,
        /// The system actor.
        actor: Actor,
        /// The assisting unit.
        unit: String,
        /// When the opinion was due.
        due_at: i64,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A supervision was still unanswered at its deadline.
    SupervisionOverdue {
        /// Position in the history.
        seq: u64,
        /// When it was recorded.
        at: i64,
        /// The system actor.
        actor: Actor,
        /// The supervision's number.
        supervision: usize,
        /// The supervising unit.
        unit: String,
        /// When the answer was due.
        due_at: i64,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A warning of an SLA clock fell due.
    SlaWarning {
        /// Position in the history.
        seq: u64,
        /// When it was recorded.
        at: i64,
        /// The system actor.
        actor: Actor,
        /// Rule id.
        sla: String,
        /// Warning id.
        warning: String,
        /// When it was due (earlier than `at` when fired late, after a restart).
        due_at: i64,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// A step of an SLA clock's breach ladder fell due.
    SlaBreached {
        /// Position in the history.
        seq: u64,
        /// When it was recorded.
        at: i64,
        /// The system actor.
        actor: Actor,
        /// Rule id.
        sla: String,
        /// Breach step id.
        step: String,
        /// When it was due.
        due_at: i64,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
    /// An SLA clock was extended.
    SlaExtended {
        /// Position in the history.
        seq: u64,
        /// When.
        at: i64,
        /// Who approved it.
        actor: Actor,
        /// Rule id.
        sla: String,
        /// By how much.
        duration: crate::calendar::working_time::DurationDef,
        /// Why.
        reason: String,
        /// The host's id of the request that recorded it, on every event that request
        /// appended to this case: a retry with the same id is answered, not run again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
}

/// The workflow id and version a history was recorded on, after checking that it starts with
/// an `opened` event numbered 0.
///
/// # Errors
/// `history.empty`, `history.bad_sequence`.
pub fn history_workflow(history: &[EventRecord]) -> Result<(&str, u32), HistoryError> {
    match history.first() {
        None => Err(HistoryError::Empty),
        Some(EventRecord::Opened {
            seq: 0,
            workflow,
            version,
            ..
        }) => Ok((workflow, *version)),
        Some(EventRecord::Opened { .. }) => Err(HistoryError::BadSequence {
            index: 0,
            reason: "`seq` must count from 0",
        }),
        Some(_) => Err(HistoryError::BadSequence {
            index: 0,
            reason: "the first event must be `opened`",
        }),
    }
}

/// The field `$field` that every variant of [`EventRecord`] has.
macro_rules! every_record {
    ($record:expr, $field:ident) => {
        match $record {
            EventRecord::Opened { $field, .. }
            | EventRecord::Transitioned { $field, .. }
            | EventRecord::OpinionSubmitted { $field, .. }
            | EventRecord::SupervisionRaised { $field, .. }
            | EventRecord::SupervisionAnswered { $field, .. }
            | EventRecord::Linked { $field, .. }
            | EventRecord::DuplicateLinked { $field, .. }
            | EventRecord::OpinionOverdue { $field, .. }
            | EventRecord::SupervisionOverdue { $field, .. }
            | EventRecord::SlaWarning { $field, .. }
            | EventRecord::SlaBreached { $field, .. }
            | EventRecord::SlaExtended { $field, .. } => $field,
        }
    };
}

impl EventRecord {
    /// The chain hash, when the record carries one.
    pub fn hash(&self) -> Option<&str> {
        every_record!(self, hash).as_deref()
    }

    /// Sets the chain hash.
    pub(crate) fn set_hash(&mut self, value: Option<String>) {
        *every_record!(self, hash) = value;
    }

    /// The host's id of the request that recorded it, if it carried one.
    pub fn request_id(&self) -> Option<&str> {
        every_record!(self, request_id).as_deref()
    }

    /// Sets the request id.
    pub(crate) fn set_request_id(&mut self, value: Option<String>) {
        *every_record!(self, request_id) = value;
    }

    /// Position in the history.
    pub fn seq(&self) -> u64 {
        *every_record!(self, seq)
    }

    /// Whether the engine recorded it by itself (a timer firing, a system move) rather than
    /// for a caller's command: limits hold back callers only.
    pub(crate) fn by_engine(&self) -> bool {
        match self {
            EventRecord::SlaWarning { .. }
            | EventRecord::SlaBreached { .. }
            | EventRecord::OpinionOverdue { .. }
            | EventRecord::SupervisionOverdue { .. } => true,
            EventRecord::Transitioned { actor, .. }
            | EventRecord::SupervisionRaised { actor, .. } => actor.id == SYSTEM_ACTOR,
            _ => false,
        }
    }
}

pub(crate) fn step_name(
    rule: &crate::workflow::sla::Sla,
    kind: TimerKind,
    step: u16,
) -> Option<&str> {
    match kind {
        TimerKind::Warning => rule.warnings.get(usize::from(step)).map(|w| &*w.0),
        TimerKind::Breach => rule.breach.get(usize::from(step)).map(|b| &*b.id),
    }
}

pub(crate) fn step_index(
    rule: &crate::workflow::sla::Sla,
    kind: TimerKind,
    id: &str,
) -> Option<u16> {
    let pos = match kind {
        TimerKind::Warning => rule.warnings.iter().position(|w| &*w.0 == id),
        TimerKind::Breach => rule.breach.iter().position(|b| &*b.id == id),
    };
    pos.and_then(|p| u16::try_from(p).ok())
}

// Events are most of a held case's memory (`docs/performance.md`, heap per case): their size
// is checked when the crate compiles, for WebAssembly and for 64-bit targets.
#[cfg(target_pointer_width = "32")]
const _: () = assert!(std::mem::size_of::<Event>() == 24);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Event>() == 40);
const _: () = assert!(std::mem::size_of::<ActorRecord>() == std::mem::size_of::<usize>());

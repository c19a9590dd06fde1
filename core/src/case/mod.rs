//! Cases: one petition moving through a workflow, its state changed only by appending events.
//!
//! Every command is checked completely before anything is written, so a rejected command leaves
//! the case exactly as it was. The history records each command in full (actor, payload, time),
//! so [`replay`] re-runs it through the same checks and rebuilds the same case.

pub(crate) mod disclosure;
pub(crate) mod effect;
pub(crate) mod effect_records;
pub(crate) mod error;
pub(crate) mod handling;
pub(crate) mod hash_chain;
pub(crate) mod shared_ids;
pub(crate) mod sla_clock;

pub use error::{CaseError, HistoryError};

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::case::sla_clock::{Change, Clock, TimerKind};
use crate::org::governance::{AppealOf, HandlingView, Level, MatterKeys, Task};
use crate::org::Route;
use crate::support::ids::{self, NameProblem};
use crate::value::{FieldProblem, FieldSource};
use crate::value::{Value, MAX_INSTANT, MIN_INSTANT};
use crate::workflow::guard::Scope;
use crate::workflow::Workflow;

mod replay;
pub(crate) use replay::continue_history;
pub use replay::replay;

/// Longest case id, in bytes.
pub const MAX_CASE_ID_BYTES: usize = 128;
/// Longest actor id, unit or channel, in bytes.
pub const MAX_NAME_BYTES: usize = 128;

/// The person (or system) acting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Host-supplied id of the person.
    pub id: String,
    /// The roles the person holds now. Roles the workflow does not declare are ignored and
    /// not recorded.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The organisational unit the person acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Actor {
    /// An actor with an id and roles, and no unit.
    pub fn new(id: impl Into<String>, roles: &[&str]) -> Self {
        Actor {
            id: id.into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            unit: None,
        }
    }
}

/// Field values given to a command: typed (no parsing) or as a JSON object.
#[derive(Clone, Copy, Debug)]
pub enum Values<'a> {
    /// Already typed values, by field id.
    Typed(&'a [(String, Value)]),
    /// A JSON object, read against the field types.
    Json(&'a Map<String, serde_json::Value>),
}

impl Values<'_> {
    /// No values.
    pub const NONE: Values<'static> = Values::Typed(&[]);
}

/// A request to move a case along a transition.
#[derive(Clone, Copy, Debug)]
pub struct Command<'a> {
    /// Transition id.
    pub transition: &'a str,
    /// Who acts.
    pub actor: &'a Actor,
    /// Values the transition requires or sets.
    pub payload: Values<'a>,
    /// When, in UTC milliseconds since the epoch.
    pub at: i64,
}

/// What a new case starts with.
#[derive(Clone, Copy, Debug)]
pub struct Opening<'a> {
    /// Host-supplied unique case id.
    pub case_id: &'a str,
    /// Intake channel, for example `wechat`, `weibo`, `web`, `app`, `hotline`, `letter`, `visit`.
    pub channel: &'a str,
    /// Initial field values; required fields must be present.
    pub fields: Values<'a>,
    /// Who opens it.
    pub actor: &'a Actor,
    /// When, in UTC milliseconds since the epoch.
    pub at: i64,
    /// Citizen and matter keys for duplicate detection, when the host has them.
    pub keys: Option<&'a MatterKeys>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ActorRecord {
    pub id: Arc<str>,
    pub roles: u64,
    pub unit: Option<Arc<str>>,
}

/// Decisions a command took from the organisation or a calendar. They are recorded, so that
/// replay repeats them instead of deciding again on an organisation or calendar since changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Note {
    pub route: Option<Route>,
    pub due_at: Option<i64>,
}

// Variants that most cases never see, or see once, are boxed: an event is 48 bytes in
// WebAssembly instead of 64, and a history is most of a case's memory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventKind {
    Opened(Box<OpenedEvent>),
    Transitioned {
        transition: u16,
        from: u16,
        to: u16,
        /// The payload and the recorded decisions, when there are any.
        carried: Option<Box<Carried>>,
    },
    Opinion {
        text: Box<str>,
    },
    SupervisionRaised(Box<SupervisionEvent>),
    SupervisionAnswered {
        index: usize,
        text: Box<str>,
    },
    Linked {
        primary: Box<str>,
    },
    DuplicateLinked(Box<DuplicateEvent>),
    Overdue(Box<OverdueEvent>),
    SlaTimer {
        sla: u16,
        kind: TimerKind,
        step: u16,
        due_at: i64,
    },
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
pub(crate) struct Carried {
    pub payload: Box<[(u16, Value)]>,
    pub note: Option<Note>,
}

impl Carried {
    /// `None` when there is nothing to carry.
    fn new(payload: Box<[(u16, Value)]>, note: Option<Note>) -> Option<Box<Carried>> {
        (!payload.is_empty() || note.is_some()).then(|| Box::new(Carried { payload, note }))
    }
}

/// The recorded decisions of a transition's `carried`.
fn note_of(carried: &Option<Box<Carried>>) -> Option<&Note> {
    carried.as_deref().and_then(|c| c.note.as_ref())
}

/// The payload of a transition's `carried`.
pub(crate) fn payload_of(carried: &Option<Box<Carried>>) -> &[(u16, Value)] {
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
        /// Hex SHA-256 of the previous event's hash and this event: the hash chain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
    },
}

/// The JSON view of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseView {
    /// Case id.
    pub id: String,
    /// Workflow id.
    pub workflow: String,
    /// Workflow version the case is pinned to.
    pub version: u32,
    /// Current state id.
    pub state: String,
    /// Current state's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_title: Option<String>,
    /// Current state's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_category: Option<String>,
    /// Whether the case is closed.
    pub terminal: bool,
    /// Intake channel.
    pub channel: String,
    /// Field values.
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub fields: Map<String, serde_json::Value>,
    /// When it was opened.
    pub opened_at: i64,
    /// When its last event happened.
    pub updated_at: i64,
    /// Number of events in its history.
    pub events: usize,
    /// Its handling record, for workflows with a `handling` section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling: Option<HandlingView>,
}

/// A case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Shared with the engine's indexes and outbox, which name the case by it.
    pub(crate) id: Arc<str>,
    pub(crate) workflow: Arc<Workflow>,
    pub(crate) state: u16,
    pub(crate) fields: Box<[Option<Value>]>,
    pub(crate) history: Vec<Event>,
    /// One per SLA rule of the workflow.
    pub(crate) clocks: Box<[Clock]>,
    /// For workflows with a `handling` section.
    pub(crate) handling: Option<Box<HandlingView>>,
    /// Every effect its events produced, in order; the engine's outbox tracks delivery.
    pub(crate) effects: Vec<crate::case::effect_records::Stored>,
    /// The hash chain (see [`crate::case::hash_chain`]) as far as it has been computed.
    /// Boxed: most cases are never hashed, and 32 bytes inline would be a tenth of a case.
    pub(crate) chain: Option<Box<crate::case::hash_chain::Sealed>>,
}

/// What commands may consult beyond the case: the organisation and the calendars. When a
/// recorded event is replayed, `recorded` holds the decisions it took from them.
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    pub org: Option<&'a crate::org::Org>,
    pub calendars: &'a std::collections::BTreeMap<String, Arc<crate::calendar::Calendar>>,
    pub recorded: Option<&'a Note>,
    /// The ids of the command's actor, already shared by the engine.
    pub actor: Option<&'a crate::case::shared_ids::SharedActor>,
}

static NO_CALENDARS: std::collections::BTreeMap<String, Arc<crate::calendar::Calendar>> =
    std::collections::BTreeMap::new();

impl Env<'static> {
    /// No organisation and no calendars.
    pub(crate) fn none() -> Self {
        Env {
            org: None,
            calendars: &NO_CALENDARS,
            recorded: None,
            actor: None,
        }
    }
}

impl PartialEq for Case {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && Arc::ptr_eq(&self.workflow, &other.workflow)
            && self.state == other.state
            && self.fields == other.fields
            && self.history == other.history
            && self.clocks == other.clocks
            && self.handling == other.handling
            && self.effects == other.effects
    }
}

impl Case {
    /// Opens a case on `workflow`.
    ///
    /// # Errors
    /// `case.invalid_id`, `case.invalid_actor`, `case.invalid_channel`, `case.invalid_time`, or
    /// the field problems (`case.unknown_field`, `case.missing_field`, `case.field_type`, ...).
    pub fn open(workflow: Arc<Workflow>, opening: &Opening<'_>) -> Result<Case, CaseError> {
        Case::open_in(workflow, opening, None, Env::none())
    }

    /// Opens a case; `appeal` is what the engine found it appeals.
    pub(crate) fn open_in(
        workflow: Arc<Workflow>,
        opening: &Opening<'_>,
        appeal: Option<AppealOf>,
        env: Env<'_>,
    ) -> Result<Case, CaseError> {
        if let Some(reason) = bad_name(opening.case_id, MAX_CASE_ID_BYTES) {
            return Err(CaseError::InvalidId {
                case_id: opening.case_id.to_owned(),
                reason,
            });
        }
        let actor = record_actor(&workflow, opening.actor, env.actor)?;
        if let Some(reason) = bad_name(opening.channel, MAX_NAME_BYTES) {
            return Err(CaseError::InvalidChannel {
                channel: opening.channel.to_owned(),
                reason,
            });
        }
        check_time(opening.at)?;
        let given = read_values(
            &workflow,
            FieldSource::Fields,
            opening.fields,
            |problems, given| {
                for f in workflow.fields.iter().filter(|f| f.required) {
                    if !given
                        .iter()
                        .any(|ix| workflow.field(*ix).is_some_and(|g| g.id == f.id))
                    {
                        problems.push(FieldProblem::Missing {
                            field: f.id.to_string(),
                        });
                    }
                }
            },
        )?;
        let mut fields = vec![None; workflow.fields.len()];
        for (ix, v) in given.iter() {
            if let Some(slot) = fields.get_mut(usize::from(*ix)) {
                *slot = Some(v.clone());
            }
        }
        let state = workflow.initial;
        let clocks = vec![Clock::default(); workflow.slas.len()].into();
        let handling = workflow.handling.as_ref().map(|_| {
            Box::new(HandlingView {
                keys: opening.keys.cloned(),
                appeal_of: appeal.clone(),
                ..HandlingView::default()
            })
        });
        let mut case = Case {
            id: opening.case_id.into(),
            workflow,
            state,
            fields: fields.into(),
            history: Vec::with_capacity(8),
            clocks,
            handling,
            effects: Vec::new(),
            chain: None,
        };
        case.check_opening_unit(env)?;
        let unit = case.handling_unit().map(str::to_owned);
        if let Some(h) = case.handling.as_deref_mut() {
            h.unit = unit;
        }
        let change = Change {
            opened: true,
            transition: None,
            to: state,
            terminal: case.workflow.is_terminal(state),
            at: opening.at,
        };
        case.update_clocks(&change, &actor);
        case.push(Event {
            at: opening.at,
            actor,
            kind: EventKind::Opened(Box::new(OpenedEvent {
                channel: opening.channel.into(),
                fields: given,
                keys: opening.keys.cloned().map(Box::new),
                appeal_of: appeal.map(Box::new),
            })),
        });
        Ok(case)
    }

    /// Moves every clock along for a change of state; targets are chosen on the case as it is
    /// after the change, and the actor who made it.
    fn update_clocks(&mut self, change: &Change, actor: &ActorRecord) {
        // Split borrows: clocks change while the guards read the fields.
        let Case {
            workflow,
            fields,
            clocks,
            handling,
            ..
        } = self;
        let wf = &**workflow;
        for (rule, clock) in wf.slas.iter().zip(clocks.iter_mut()) {
            let pick = || {
                let scope = Scope {
                    fields,
                    actor_id: &actor.id,
                    actor_unit: actor.unit.as_deref(),
                    actor_roles: actor.roles,
                    roles: &wf.roles,
                    org: None,
                    handling: handling.as_deref(),
                };
                rule.targets
                    .iter()
                    .position(|(when, _)| when.as_ref().is_none_or(|g| g.eval(&scope)))
                    .and_then(|i| u16::try_from(i).ok())
            };
            clock.on_change(rule, change, pick);
        }
    }

    /// Applies a command: checks, in order, that the case is not closed, that `at` is in range
    /// and not before the last event, that the transition exists and leaves the current state,
    /// that the actor is well formed and holds an allowed role, that the guard holds (on the
    /// case as it is before the command), and that the payload is complete and well typed; then
    /// appends one event. On error nothing changes.
    ///
    /// # Errors
    /// `case.terminal`, `case.invalid_time`, `case.time_went_backwards`,
    /// `case.unknown_transition`, `case.transition_not_from_state`, `case.invalid_actor`,
    /// `case.role_not_allowed`, `case.guard_failed`, or field problems in the payload.
    pub fn apply(&mut self, cmd: &Command<'_>) -> Result<(), CaseError> {
        self.apply_in(cmd, Env::none())
    }

    pub(crate) fn apply_in(&mut self, cmd: &Command<'_>, env: Env<'_>) -> Result<(), CaseError> {
        let wf = &*self.workflow.clone();
        self.ensure_open()?;
        check_time(cmd.at)?;
        let last = self.updated_at();
        if cmd.at < last {
            return Err(CaseError::TimeWentBackwards { at: cmd.at, last });
        }
        let available = || {
            wf.outgoing(self.state)
                .iter()
                .map(|t| wf.transition_id(*t).to_owned())
                .collect()
        };
        let Some(t_ix) = wf.transition_index(cmd.transition) else {
            return Err(CaseError::UnknownTransition {
                transition: cmd.transition.to_owned(),
                available: available(),
            });
        };
        let (Some(t), true) = (wf.transition(t_ix), wf.outgoing(self.state).contains(&t_ix)) else {
            return Err(CaseError::TransitionNotFromState {
                transition: cmd.transition.to_owned(),
                state: wf.state_id(self.state).to_owned(),
                available: available(),
            });
        };
        let actor = record_actor(wf, cmd.actor, env.actor)?;
        if actor.roles & t.roles == 0 {
            return Err(CaseError::RoleNotAllowed {
                actor: cmd.actor.id.clone(),
                transition: cmd.transition.to_owned(),
                allowed: wf.role_names(t.roles),
            });
        }
        // A recorded command passed its organisation guards when it was taken; the
        // organisation may have changed since, and replay must not lose the case over it.
        let trusted = env.recorded.is_some() && t.guard.as_ref().is_some_and(|g| g.uses_org());
        if let Some(guard) = t.guard.as_ref().filter(|_| !trusted) {
            let scope = Scope {
                fields: &self.fields,
                actor_id: &actor.id,
                actor_unit: actor.unit.as_deref(),
                actor_roles: actor.roles,
                roles: &wf.roles,
                org: env.org,
                handling: self.handling.as_deref(),
            };
            if !guard.eval(&scope) {
                return Err(CaseError::GuardFailed {
                    transition: cmd.transition.to_owned(),
                    guard_path: format!("/transitions/{t_ix}/guard"),
                });
            }
        }
        let payload = read_values(wf, FieldSource::Payload, cmd.payload, |problems, given| {
            for &f in t.requires.iter() {
                if !given.contains(&f) {
                    problems.push(FieldProblem::MissingPayload {
                        field: wf.field(f).map_or("", |f| &f.id).to_owned(),
                        transition: cmd.transition.to_owned(),
                    });
                }
            }
        })?;

        self.check_window(t, cmd, env)?;
        let plan = self.plan(t, &payload, cmd, env)?;
        let payload = plan.payload.unwrap_or(payload);

        // Every check passed: only now is the case written.
        let (from, to) = (self.state, t.to);
        for (ix, v) in payload.iter().filter(|(ix, _)| t.set.contains(ix)) {
            if let Some(slot) = self.fields.get_mut(usize::from(*ix)) {
                *slot = Some(v.clone());
            }
        }
        let note = self.carry_out(plan.change, t, cmd);
        self.state = to;
        if !self.clocks.is_empty() {
            let change = Change {
                opened: false,
                transition: Some(t_ix),
                to,
                terminal: wf.is_terminal(to),
                at: cmd.at,
            };
            self.update_clocks(&change, &actor);
        }
        self.push(Event {
            at: cmd.at,
            actor,
            kind: EventKind::Transitioned {
                transition: t_ix,
                from,
                to,
                carried: Carried::new(payload, note),
            },
        });
        if wf.is_terminal(to) {
            // A closed case rarely grows again, and a city keeps years of them.
            self.history.shrink_to_fit();
        }
        Ok(())
    }

    /// Records that a warning or breach step of a running clock fell due at `due_at`, at `at`
    /// (the system actor). Each step fires once per clock cycle.
    ///
    /// # Errors
    /// `sla.not_found`, `sla.not_running`, `sla.already_fired`, `case.time_went_backwards`,
    /// `case.invalid_time`.
    pub fn fire(
        &mut self,
        sla: &str,
        kind: TimerKind,
        step: u16,
        due_at: i64,
        at: i64,
    ) -> Result<(), CaseError> {
        let s = self.running_clock(sla, at)?;
        let Some(rule) = self.workflow.slas.get(usize::from(s)) else {
            return Err(CaseError::SlaNotFound {
                sla: sla.to_owned(),
            });
        };
        let steps = match kind {
            TimerKind::Warning => rule.warnings.len(),
            TimerKind::Breach => rule.breach.len(),
        };
        let Some(clock) = self.clocks.get_mut(usize::from(s)) else {
            return Err(CaseError::SlaNotFound {
                sla: sla.to_owned(),
            });
        };
        let fired = match kind {
            TimerKind::Warning => &mut clock.warned,
            TimerKind::Breach => &mut clock.breached,
        };
        if usize::from(step) >= steps || *fired & (1u64 << step) != 0 || due_at > at {
            return Err(CaseError::SlaAlreadyFired {
                sla: sla.to_owned(),
                step,
            });
        }
        *fired |= 1u64 << step;
        self.push(Event {
            at,
            actor: system_actor(),
            kind: EventKind::SlaTimer {
                sla: s,
                kind,
                step,
                due_at,
            },
        });
        Ok(())
    }

    /// Extends a running clock, as its rule's extension policy allows.
    ///
    /// # Errors
    /// `case.terminal`, `case.invalid_time`, `case.time_went_backwards`, `sla.not_found`,
    /// `sla.not_running`, `case.invalid_actor`, `sla.extension_not_allowed`,
    /// `sla.basis_mismatch`, `sla.reason_required`, `sla.extension_limit`.
    pub fn extend(
        &mut self,
        sla: &str,
        actor: &Actor,
        duration: crate::calendar::working_time::Duration,
        reason: &str,
        at: i64,
    ) -> Result<(), CaseError> {
        let wf = self.workflow.clone();
        self.ensure_open()?;
        let s = self.running_clock(sla, at)?;
        let (Some(rule), Some(clock)) =
            (wf.slas.get(usize::from(s)), self.clocks.get(usize::from(s)))
        else {
            return Err(CaseError::SlaNotFound {
                sla: sla.to_owned(),
            });
        };
        let record = record_actor(&wf, actor, None)?;
        let not_allowed = || CaseError::ExtensionNotAllowed {
            sla: sla.to_owned(),
            actor: actor.id.clone(),
        };
        let policy = rule.extension.as_ref().ok_or_else(not_allowed)?;
        if record.roles & policy.roles == 0 {
            return Err(not_allowed());
        }
        let target = rule
            .targets
            .get(usize::from(clock.target))
            .map(|t| t.1)
            .ok_or_else(not_allowed)?;
        let mismatch = || CaseError::ExtensionBasis {
            sla: sla.to_owned(),
            expected: target.basis(),
            found: duration.basis(),
        };
        if !crate::workflow::sla::same_basis(target, duration) {
            return Err(mismatch());
        }
        let amount = crate::workflow::sla::amount(duration);
        // Whole minutes or days, more than zero: what the JSON form records and replays.
        let whole = match duration {
            crate::calendar::working_time::Duration::Calendar(ms)
            | crate::calendar::working_time::Duration::WorkingTime(ms) => ms % 60_000 == 0,
            _ => true,
        };
        if amount <= 0 || !whole {
            return Err(CaseError::InvalidExtension {
                sla: sla.to_owned(),
            });
        }
        if policy.reason_required && reason.trim().is_empty() {
            return Err(CaseError::ReasonRequired {
                sla: sla.to_owned(),
            });
        }
        let used: i64 = clock.extensions.iter().sum();
        let max = crate::workflow::sla::amount(policy.max_total);
        if clock.extensions.len() >= policy.max_count as usize || used + amount > max {
            return Err(CaseError::ExtensionLimit {
                unit: match target {
                    crate::calendar::working_time::Duration::NaturalDays { .. } => "natural_days",
                    crate::calendar::working_time::Duration::WorkingDays(_) => "working_days",
                    _ => "ms",
                },
                sla: sla.to_owned(),
                count: clock.extensions.len(),
                max_count: policy.max_count,
                used,
                max_total: max,
            });
        }
        if let Some(c) = self.clocks.get_mut(usize::from(s)) {
            c.extensions.push(amount);
        }
        self.push(Event {
            at,
            actor: record,
            kind: EventKind::SlaExtended(Box::new(ExtendedEvent {
                sla: s,
                duration,
                reason: reason.into(),
            })),
        });
        Ok(())
    }

    /// The index of rule `sla`, after checking that `at` is a valid time not before the last
    /// event and that the rule's clock is running.
    fn running_clock(&self, sla: &str, at: i64) -> Result<u16, CaseError> {
        check_time(at)?;
        let last = self.updated_at();
        if at < last {
            return Err(CaseError::TimeWentBackwards { at, last });
        }
        let (s, _) = self.rule(sla)?;
        if !self.clocks.get(usize::from(s)).is_some_and(Clock::active) {
            return Err(CaseError::SlaNotRunning {
                sla: sla.to_owned(),
            });
        }
        Ok(s)
    }

    /// `case.terminal` when the case is closed.
    pub(crate) fn ensure_open(&self) -> Result<(), CaseError> {
        if self.workflow.is_terminal(self.state) {
            return Err(CaseError::Terminal {
                case_id: self.id.to_string(),
                state: self.workflow.state_id(self.state).to_owned(),
            });
        }
        Ok(())
    }

    fn rule(&self, sla: &str) -> Result<(u16, &crate::workflow::sla::Sla), CaseError> {
        let wf = &*self.workflow;
        wf.slas
            .iter()
            .enumerate()
            .find(|(_, r)| &*r.id == sla)
            .and_then(|(i, r)| u16::try_from(i).ok().map(|i| (i, r)))
            .ok_or_else(|| CaseError::SlaNotFound {
                sla: sla.to_owned(),
            })
    }

    pub(crate) fn clocks(&self) -> &[Clock] {
        &self.clocks
    }

    /// The case id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The workflow the case is pinned to.
    pub fn workflow(&self) -> &Arc<Workflow> {
        &self.workflow
    }

    /// The current state id.
    pub fn state(&self) -> &str {
        self.workflow.state_id(self.state)
    }

    /// Whether the case is closed.
    pub fn is_terminal(&self) -> bool {
        self.workflow.is_terminal(self.state)
    }

    /// A field's value, if set.
    pub fn field(&self, id: &str) -> Option<&Value> {
        let ix = self.workflow.field_index(id)?;
        self.fields.get(usize::from(ix))?.as_ref()
    }

    /// The channel the case came in on.
    pub fn channel(&self) -> &str {
        match self.history.first().map(|e| &e.kind) {
            Some(EventKind::Opened(o)) => &o.channel,
            _ => "",
        }
    }

    /// When the case was opened.
    pub fn opened_at(&self) -> i64 {
        self.history.first().map_or(0, |e| e.at)
    }

    /// When its last event happened.
    pub fn updated_at(&self) -> i64 {
        self.history.last().map_or(0, |e| e.at)
    }

    /// The compact history.
    pub fn events(&self) -> &[Event] {
        &self.history
    }

    /// The JSON view.
    pub fn view(&self) -> CaseView {
        let wf = &*self.workflow;
        let mut fields = Map::new();
        for (f, v) in wf.fields.iter().zip(self.fields.iter()) {
            if let Some(v) = v {
                fields.insert(f.id.to_string(), v.to_json());
            }
        }
        CaseView {
            id: self.id.to_string(),
            workflow: wf.id().to_owned(),
            version: wf.version(),
            state: self.state().to_owned(),
            state_title: wf.state_title(self.state).map(str::to_owned),
            state_category: wf.state_category(self.state).map(str::to_owned),
            terminal: self.is_terminal(),
            channel: self.channel().to_owned(),
            fields,
            opened_at: self.opened_at(),
            updated_at: self.updated_at(),
            events: self.history.len(),
            handling: self.handling.as_deref().cloned(),
        }
    }

    /// The history in JSON form, from event `from` on, each event with its chain hash.
    pub fn history(&self, from: usize) -> Vec<EventRecord> {
        self.hashed(from).0
    }

    /// The head of the hash chain: the last event's hash.
    pub fn head(&self) -> String {
        crate::case::hash_chain::hex(&self.hashed(self.history.len()).1)
    }

    /// Like [`Case::history`], also keeping the head so that the next answer hashes only its
    /// own new events.
    pub(crate) fn history_sealed(&mut self, from: usize) -> Vec<EventRecord> {
        let (records, head) = self.hashed(from);
        let sealed = crate::case::hash_chain::Sealed {
            events: self.history.len(),
            head,
        };
        match self.chain.as_deref_mut() {
            Some(chain) => *chain = sealed,
            None => self.chain = Some(Box::new(sealed)),
        }
        records
    }

    /// The events from `from` on with their hashes, and the head. Starts from the sealed head
    /// when that is at or before `from`, else from the first event.
    pub(crate) fn hashed(&self, from: usize) -> (Vec<EventRecord>, [u8; 32]) {
        let mut chain = match self.chain.as_deref() {
            Some(sealed) if sealed.events <= from => *sealed,
            _ => crate::case::hash_chain::Sealed::default(),
        };
        let start = chain.events;
        let mut records = self.records(start);
        for record in &mut records {
            chain.head = crate::case::hash_chain::link(&chain.head, record);
            record.set_hash(Some(crate::case::hash_chain::hex(&chain.head)));
        }
        let skip = from.saturating_sub(start).min(records.len());
        (records.split_off(skip), chain.head)
    }

    /// The JSON form of events from `from` on, without hashes.
    pub(crate) fn records(&self, from: usize) -> Vec<EventRecord> {
        let wf = &*self.workflow;
        let values = |items: &[(u16, Value)]| -> Map<String, serde_json::Value> {
            items
                .iter()
                .filter_map(|(ix, v)| wf.field(*ix).map(|f| (f.id.to_string(), v.to_json())))
                .collect()
        };
        (from..)
            .zip(self.history.iter().skip(from))
            .map(|(seq, e)| {
                let actor = Actor {
                    id: e.actor.id.to_string(),
                    roles: wf.role_names(e.actor.roles),
                    unit: e.actor.unit.as_deref().map(str::to_owned),
                };
                let seq = seq as u64;
                match &e.kind {
                    EventKind::Opened(o) => EventRecord::Opened {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        case_id: self.id.to_string(),
                        workflow: wf.id().to_owned(),
                        version: wf.version(),
                        channel: o.channel.to_string(),
                        fields: values(&o.fields),
                        keys: o.keys.as_deref().cloned(),
                        appeal_of: o.appeal_of.as_deref().cloned(),
                    },
                    EventKind::Opinion { text } => EventRecord::OpinionSubmitted {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        opinion: text.to_string(),
                    },
                    EventKind::SupervisionRaised(r) => EventRecord::SupervisionRaised {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        level: r.level,
                        unit: r.unit.to_string(),
                        due_at: r.due_at,
                        required: r.required.to_string(),
                    },
                    EventKind::SupervisionAnswered { index, text } => {
                        EventRecord::SupervisionAnswered {
                            hash: None,
                            seq,
                            at: e.at,
                            actor,
                            supervision: *index,
                            answer: text.to_string(),
                        }
                    }
                    EventKind::Linked { primary } => EventRecord::Linked {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        primary: primary.to_string(),
                    },
                    EventKind::DuplicateLinked(d) => EventRecord::DuplicateLinked {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        duplicate: d.case_id.to_string(),
                        channel: d.channel.to_string(),
                    },
                    EventKind::Overdue(o) => {
                        let h = self.handling.as_deref();
                        let unit = h.and_then(|h| h.task(o.task)).map_or("", |(u, _)| u);
                        let (unit, due_at) = (unit.to_owned(), o.due_at);
                        match o.task {
                            Task::Opinion(_) => EventRecord::OpinionOverdue {
                                hash: None,
                                seq,
                                at: e.at,
                                actor,
                                unit,
                                due_at,
                            },
                            Task::Supervision(supervision) => EventRecord::SupervisionOverdue {
                                hash: None,
                                seq,
                                at: e.at,
                                actor,
                                supervision,
                                unit,
                                due_at,
                            },
                        }
                    }
                    EventKind::SlaTimer {
                        sla,
                        kind,
                        step,
                        due_at,
                    } => {
                        let rule = wf.slas.get(usize::from(*sla));
                        let sla = rule.map_or("", |r| &r.id).to_owned();
                        let step_id = |k: TimerKind| {
                            rule.and_then(|r| step_name(r, k, *step))
                                .unwrap_or("")
                                .to_owned()
                        };
                        match kind {
                            TimerKind::Warning => EventRecord::SlaWarning {
                                hash: None,
                                seq,
                                at: e.at,
                                actor,
                                sla,
                                warning: step_id(*kind),
                                due_at: *due_at,
                            },
                            TimerKind::Breach => EventRecord::SlaBreached {
                                hash: None,
                                seq,
                                at: e.at,
                                actor,
                                sla,
                                step: step_id(*kind),
                                due_at: *due_at,
                            },
                        }
                    }
                    EventKind::SlaExtended(x) => EventRecord::SlaExtended {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        sla: wf
                            .slas
                            .get(usize::from(x.sla))
                            .map_or("", |r| &r.id)
                            .to_owned(),
                        duration: x.duration.to_def(),
                        reason: x.reason.to_string(),
                    },
                    EventKind::Transitioned {
                        transition,
                        from,
                        to,
                        carried,
                    } => EventRecord::Transitioned {
                        hash: None,
                        seq,
                        at: e.at,
                        actor,
                        transition: wf.transition_id(*transition).to_owned(),
                        from: wf.state_id(*from).to_owned(),
                        to: wf.state_id(*to).to_owned(),
                        payload: values(payload_of(carried)),
                        route: note_of(carried).and_then(|n| n.route.clone()),
                        opinions_due_at: note_of(carried).and_then(|n| n.due_at),
                    },
                }
            })
            .collect()
    }

    /// Transitions `actor` could take now: they leave the current state, the actor holds an
    /// allowed role and the guard holds. Payload is not considered.
    pub fn available(&self, actor: &Actor) -> Vec<Available> {
        self.available_in(actor, None)
    }

    pub(crate) fn available_in(
        &self,
        actor: &Actor,
        org: Option<&crate::org::Org>,
    ) -> Vec<Available> {
        let wf = &*self.workflow;
        let mask = wf.role_mask(&actor.roles);
        let scope = Scope {
            fields: &self.fields,
            actor_id: &actor.id,
            actor_unit: actor.unit.as_deref(),
            actor_roles: mask,
            roles: &wf.roles,
            org,
            handling: self.handling.as_deref(),
        };
        wf.outgoing(self.state)
            .iter()
            .filter_map(|&ix| wf.transition(ix).map(|t| (ix, t)))
            .filter(|(_, t)| t.roles & mask != 0 && t.guard.as_ref().is_none_or(|g| g.eval(&scope)))
            .map(|(ix, t)| Available {
                id: t.id.to_string(),
                title: wf.transition_title(ix).map(str::to_owned),
                to: wf.state_id(t.to).to_owned(),
                requires: t
                    .requires
                    .iter()
                    .filter_map(|f| wf.field(*f))
                    .map(|f| f.id.to_string())
                    .collect(),
            })
            .collect()
    }

    pub(crate) fn state_index(&self) -> u16 {
        self.state
    }
}

/// A transition an actor can take now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Available {
    /// Transition id.
    pub id: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The state it enters.
    pub to: String,
    /// Payload fields it requires.
    pub requires: Vec<String>,
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

/// The id the engine acts under when it fires timers and takes breach transitions.
pub const SYSTEM_ACTOR: &str = "system";

pub(crate) fn system_actor() -> ActorRecord {
    ActorRecord {
        id: SYSTEM_ACTOR.into(),
        roles: 0,
        unit: None,
    }
}

/// The record of `actor`, with the ids the engine shared for it when given.
pub(crate) fn record_actor(
    wf: &Workflow,
    actor: &Actor,
    shared: Option<&crate::case::shared_ids::SharedActor>,
) -> Result<ActorRecord, CaseError> {
    if let Some(reason) = bad_name(&actor.id, MAX_NAME_BYTES) {
        return Err(CaseError::InvalidActor {
            attribute: "id",
            reason,
        });
    }
    if let Some(reason) = actor
        .unit
        .as_deref()
        .and_then(|u| bad_name(u, MAX_NAME_BYTES))
    {
        return Err(CaseError::InvalidActor {
            attribute: "unit",
            reason,
        });
    }
    let (id, unit) = crate::case::shared_ids::SharedActor::of(shared, actor);
    Ok(ActorRecord {
        id,
        roles: wf.role_mask(&actor.roles),
        unit,
    })
}

pub(crate) fn check_time(at: i64) -> Result<(), CaseError> {
    if (MIN_INSTANT..=MAX_INSTANT).contains(&at) {
        Ok(())
    } else {
        Err(CaseError::InvalidTime { at })
    }
}

fn bad_name(s: &str, max: usize) -> Option<&'static str> {
    ids::bad_name(s, max).map(|problem| match problem {
        NameProblem::Empty => "it is empty",
        NameProblem::TooLong => "it is too long",
        NameProblem::Control => "it contains control characters",
    })
}

/// Reads values against the workflow's field types, sorted by field and without duplicates
/// (the last one given wins). `extra` adds problems that need the whole set, such as missing
/// required fields. Every problem is reported.
fn read_values(
    wf: &Workflow,
    source: FieldSource,
    values: Values<'_>,
    extra: impl FnOnce(&mut Vec<FieldProblem>, &[u16]),
) -> Result<Box<[(u16, Value)]>, CaseError> {
    let mut problems = Vec::new();
    let mut out: Vec<(u16, Value)> = Vec::new();
    // Fields given at all, well typed or not: a badly typed field is wrong, not missing.
    let mut given: Vec<u16> = Vec::new();
    let mut take =
        |id: &str, read: &dyn Fn(&crate::workflow::Field) -> Result<Value, FieldProblem>| {
            let Some(ix) = wf.field_index(id) else {
                problems.push(FieldProblem::Unknown {
                    field: id.to_owned(),
                });
                return;
            };
            let Some(field) = wf.field(ix) else { return };
            given.push(ix);
            match read(field) {
                Ok(v) => out.push((ix, v)),
                Err(p) => problems.push(p),
            }
        };
    match values {
        Values::Typed(items) => {
            for (id, v) in items {
                take(id, &|f| {
                    v.check(&f.id, f.kind, &f.values).map(|()| v.clone())
                });
            }
        }
        Values::Json(map) => {
            for (id, json) in map {
                take(id, &|f| Value::from_json(&f.id, f.kind, &f.values, json));
            }
        }
    }
    // Stable sort keeps the order given among equal fields, so the last one given wins.
    out.sort_by_key(|(ix, _)| *ix);
    let mut deduped: Vec<(u16, Value)> = Vec::with_capacity(out.len());
    for (ix, v) in out {
        match deduped.last_mut() {
            Some(last) if last.0 == ix => last.1 = v,
            _ => deduped.push((ix, v)),
        }
    }
    extra(&mut problems, &given);
    if problems.is_empty() {
        Ok(deduped.into_boxed_slice())
    } else {
        Err(CaseError::Fields {
            place: source,
            problems,
        })
    }
}

//! Cases: one petition moving through a workflow, its state changed only by appending events.
//!
//! Every command is checked completely before anything is written, so a rejected command leaves
//! the case exactly as it was. The history records each command in full (actor, payload, time),
//! so [`replay`] re-runs it through the same checks and rebuilds the same case.

mod command;
mod commands;
pub(crate) mod disclosure;
pub(crate) mod effect;
pub(crate) mod effect_records;
pub(crate) mod error;
mod event;
pub(crate) mod handling;
mod handling_commands;
pub(crate) mod hash_chain;
mod publish;
mod records;
pub(crate) mod requests;
pub(crate) mod shared_ids;
pub(crate) mod sla_clock;
mod view;

pub use command::*;
pub use error::{CaseError, HistoryError};
pub use event::*;
pub use requests::MAX_REQUEST_ID_BYTES;
pub use view::{Available, CaseView};

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::case::sla_clock::{Change, Clock, TimerKind};
use crate::org::handling::{AppealOf, HandlingView, Level, MatterKeys, Task};
use crate::org::Route;
use crate::support::ids::{self, NameProblem};
use crate::value::{FieldProblem, FieldSource};
use crate::value::{Value, MAX_INSTANT, MIN_INSTANT};
use crate::workflow::guard::Scope;
use crate::workflow::Workflow;

mod replay;
pub(crate) use handling::carried_value;
pub(crate) use publish::publish_channels;
pub(crate) use replay::continue_history;
pub use replay::replay;

// Variants that most cases never see, or see once, are boxed: an event is 24 bytes in
// WebAssembly (checked in `event.rs`), and a history is most of a case's memory.

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
    pub(crate) effects: Vec<crate::case::effect_records::KeptEffect>,
    /// The hash chain (see [`crate::case::hash_chain`]) as far as it has been computed.
    /// Boxed: most cases are never hashed, and 32 bytes inline would be a tenth of a case.
    pub(crate) chain: Option<Box<crate::case::hash_chain::HashedPrefix>>,
    /// The host's request ids and the events each appended; boxed, as most cases have none.
    pub(crate) requests: Option<Box<[crate::case::requests::RequestRun]>>,
}

/// What commands may consult beyond the case: the organisation and the calendars. When a
/// recorded event is replayed, `recorded` holds the decisions it took from them.
#[derive(Clone, Copy)]
pub(crate) struct CommandContext<'a> {
    pub org: Option<&'a crate::org::Org>,
    pub calendars: &'a std::collections::BTreeMap<String, Arc<crate::calendar::Calendar>>,
    pub recorded: Option<&'a Decisions>,
    /// The ids of the command's actor, already shared by the engine.
    pub actor: Option<&'a crate::case::shared_ids::SharedActor>,
}

static NO_CALENDARS: std::collections::BTreeMap<String, Arc<crate::calendar::Calendar>> =
    std::collections::BTreeMap::new();

impl CommandContext<'static> {
    /// No organisation and no calendars.
    pub(crate) fn none() -> Self {
        CommandContext {
            org: None,
            calendars: &NO_CALENDARS,
            recorded: None,
            actor: None,
        }
    }
}

/// The channel and instant of the opening event that starts `history`.
fn opened(history: &[Event]) -> (&str, i64) {
    match history.first() {
        Some(e) => match &e.kind {
            EventKind::Opened(o) => (&o.channel, e.at()),
            _ => ("", e.at()),
        },
        None => ("", 0),
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
            && self.requests == other.requests
    }
}

impl Case {
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
        opened(&self.history).0
    }

    /// When the case was opened.
    pub fn opened_at(&self) -> i64 {
        opened(&self.history).1
    }

    /// When its last event happened.
    pub fn updated_at(&self) -> i64 {
        self.history.last().map_or(0, |e| e.at())
    }

    /// The compact history.
    pub fn events(&self) -> &[Event] {
        &self.history
    }

    pub(crate) fn state_index(&self) -> u16 {
        self.state
    }
}

//! Write sets: what a host commits for each case a command touched, in one transaction, before
//! it answers (`docs/persistence.md`). Every answer to a command that changes cases carries one
//! entry per touched case, and nothing a host must store lies outside them.

use serde::{Deserialize, Serialize};

use crate::case::effect::Effect;
use crate::case::EventRecord;
use crate::engine::{DueTimer, Engine};
use crate::org::handling::MatterKeys;

/// One case's part of a command's write set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseWrite {
    /// The case.
    pub case_id: String,
    /// The events the command appended to it, hashed, in order: rows `(case_id, seq)`.
    pub events: Vec<EventRecord>,
    /// The effects those events queued: the host's outbox rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// The case's full set of pending timers after the command, earliest first: its timer rows
    /// are replaced by these.
    pub timers: Vec<DueTimer>,
    /// The case row after the command.
    pub row: CaseRow,
}

/// A case's summary row, as a store indexes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseRow {
    /// Workflow id.
    pub workflow: String,
    /// Workflow version.
    pub workflow_version: u32,
    /// Current state.
    pub state: String,
    /// Whether the case is closed.
    pub terminal: bool,
    /// Its number of events: what the next command's `expected_seq` names.
    pub version: u64,
    /// The head of its hash chain.
    pub head: String,
    /// Duplicate-detection keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<MatterKeys>,
    /// The primary of a linked duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// The case it appeals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_of: Option<String>,
    /// When it was opened.
    pub opened_at: i64,
    /// When its last event happened.
    pub updated_at: i64,
}

impl Engine {
    /// The write set entry of case `case_id` for its events from `from` on, or `None` when the
    /// engine does not hold it.
    pub fn case_write(&mut self, case_id: &str, from: usize) -> Option<CaseWrite> {
        let timers = self.case_timers(case_id).ok()?;
        let case = self.cases.get_mut(case_id)?;
        let events = case.history_sealed(from);
        let handling = case.handling_view();
        let row = CaseRow {
            workflow: case.workflow().id().to_owned(),
            workflow_version: case.workflow().version(),
            state: case.state().to_owned(),
            terminal: case.is_terminal(),
            version: case.events().len() as u64,
            head: case.head(),
            keys: handling.and_then(|h| h.keys.clone()),
            primary: case.primary().map(str::to_owned),
            appeal_of: handling.and_then(|h| h.appeal_of.as_ref().map(|a| a.case_id.clone())),
            opened_at: case.opened_at(),
            updated_at: case.updated_at(),
        };
        Some(CaseWrite {
            case_id: case_id.to_owned(),
            effects: case.effects_since(from),
            events,
            timers,
            row,
        })
    }

    /// The write set of a command: an entry for each `(case, events before)` it touched, in
    /// that order.
    pub(crate) fn write_set<'a>(
        &mut self,
        touched: impl IntoIterator<Item = (&'a str, usize)>,
    ) -> Vec<CaseWrite> {
        touched
            .into_iter()
            .filter_map(|(id, from)| self.case_write(id, from))
            .collect()
    }
}

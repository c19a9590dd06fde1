//! The engine: workflows by id and version, and the cases running on them.
//!
//! Every operation of the JSON API ([`crate::api`]) is a typed method here first; the JSON layer
//! only converts.

pub(crate) mod archive;
mod definitions;
pub(crate) mod error;
mod follow_ups;
mod guard;
pub(crate) mod handling;
pub(crate) mod journal;
mod listing;
pub(crate) mod outbox;
pub(crate) mod public_view;
mod snapshot;
mod timers;
mod write_set;

pub use definitions::LoadedWorkflow;
pub use error::{GraphError, SlaStatusError, SnapshotError, WorkflowError};
pub use guard::{Guarded, Precondition};
pub use listing::{BadQuery, CaseList, CaseQuery, CaseSummary, DEFAULT_PAGE, MAX_PAGE};
pub use snapshot::{CaseSnapshot, Snapshot, SNAPSHOT_FORMAT};
use timers::Timer;
pub use timers::{DueKind, DueTimer, FireScope, Fired};
pub use write_set::{CaseRow, CaseWrite};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::calendar::working_time::Duration;
use crate::calendar::{Calendar, CalendarDef, CalendarError, InvalidCalendar};
use crate::case::sla_clock::{ClockView, TimerKind};
use crate::case::{self, Actor, Available, Case, Command, EventRecord, Opening};
use crate::case::{CaseError, HistoryError};
use crate::engine::journal::CaseEvents;
pub use crate::limits::Limits;
use crate::org::handling::Task;
use crate::support::fx::FxMap;
use crate::workflow::definition::WorkflowDef;
use crate::workflow::graph::{self, GraphFormat, PathToClose};
use crate::workflow::Workflow;
use crate::workflow::{DefinitionError, Diagnostic, InvalidDefinition};

/// The cases by id. Boxed: a hash map keeps empty slots as large as its full ones, so a case
/// inline (72 bytes in WebAssembly) would cost its size again in empty slots at the map's
/// usual load; a box costs one pointer (`docs/performance.md`, heap per case).
pub(crate) type CaseMap = FxMap<Arc<str>, Box<Case>>;

/// A citizen key and a matter key.
pub(crate) type MatterKey = (Box<str>, Box<str>);

/// Holds workflows and cases. Deterministic: the same calls give the same results everywhere.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    workflows: BTreeMap<(String, u32), Arc<Workflow>>,
    pub(crate) calendars: BTreeMap<String, Arc<Calendar>>,
    /// Every pending warning and breach step of every running clock, by due instant.
    timers: BTreeSet<Timer>,
    /// The entries of `timers` that belong to each case, to update them in O(log n).
    case_timers: FxMap<Arc<str>, Vec<Timer>>,
    pub(crate) cases: CaseMap,
    limits: Limits,
    pub(crate) org: Option<Arc<crate::org::Org>>,
    pub(crate) outbox: crate::engine::outbox::Outbox,
    /// Cases by citizen and matter keys, for duplicate detection.
    pub(crate) matters: FxMap<MatterKey, Vec<Box<str>>>,
    /// The appeal of each appealed case.
    pub(crate) appeals: FxMap<Box<str>, Box<str>>,
    /// Actor and unit ids, shared by the events that record them.
    names: crate::case::shared_ids::Names,
    /// While an answer is built: the cases committed so far ([`Engine::watching`]).
    pub(crate) touched: Option<crate::engine::journal::TouchedCases>,
    /// Duplicates left to their own `follow_primary` by the last command that closed a
    /// primary ([`Engine::take_follow_ups`]).
    follow_ups: Vec<String>,
}

impl Engine {
    /// An empty engine with default limits.
    pub fn new() -> Self {
        Engine::default()
    }

    /// An empty engine with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Engine {
            limits: limits.within_ceilings(),
            ..Engine::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Changes the limits for the requests that follow.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits.within_ceilings();
    }

    /// Opens a case on workflow `workflow` (the given version, or the highest loaded).
    ///
    /// # Errors
    /// `workflow.not_found`, `case.already_exists`, and the errors of [`Case::open`].
    pub fn open_case(
        &mut self,
        workflow: &str,
        version: Option<u32>,
        opening: &Opening<'_>,
    ) -> Result<&Case, CaseError> {
        self.open_checked(workflow, version, opening, None)
    }

    pub(crate) fn open_checked(
        &mut self,
        workflow: &str,
        version: Option<u32>,
        opening: &Opening<'_>,
        appeal: Option<crate::org::handling::AppealOf>,
    ) -> Result<&Case, CaseError> {
        let wf = self.workflow_or_err(workflow, version)?.clone();
        if self.cases.contains_key(opening.case_id) {
            return Err(CaseError::AlreadyExists {
                case_id: opening.case_id.to_owned(),
            });
        }
        if appeal.is_some() && wf.handling().is_none() {
            return Err(CaseError::NoHandling {
                workflow: wf.id().to_owned(),
                section: "handling",
            });
        }
        // A full outbox never refuses intake: a new case is always taken.
        let link_to = self.check_duplicates(&wf, opening.keys)?;
        // Its ids are shared when it is committed.
        let case = Case::open_with(wf, opening, appeal, self.env())?;
        self.insert_case(case);
        if let Some(primary) = link_to {
            // Checked above: both cases are open and the primary is no duplicate itself.
            let _ = self.link(opening.case_id, &primary, opening.actor, opening.at);
        }
        self.case_or_err(opening.case_id)
    }

    /// Adds a new or replayed case with its indexes and effects.
    pub(crate) fn insert_case(&mut self, case: Case) {
        let id: Box<str> = case.id().into();
        if let Some(keys) = case.handling_view().and_then(|h| h.keys.as_ref()) {
            let key = (keys.citizen.as_str().into(), keys.matter.as_str().into());
            self.matters.entry(key).or_default().push(id.clone());
        }
        if let Some(of) = case.handling_view().and_then(|h| h.appeal_of.as_ref()) {
            self.appeals.insert(of.case_id.as_str().into(), id);
        }
        self.commit(case);
    }

    /// What commands may consult: the organisation and the calendars.
    pub(crate) fn env(&self) -> crate::case::CommandContext<'_> {
        crate::case::CommandContext {
            org: self.org.as_deref(),
            calendars: &self.calendars,
            recorded: None,
            actor: None,
        }
    }

    /// Applies a command to a case. On error the case is unchanged. A transition that closes
    /// a primary moves its linked duplicates too, up to `Limits::max_inline_follow_ups` of
    /// them; more are left to [`Engine::follow`] ([`Engine::take_follow_ups`]).
    ///
    /// # Errors
    /// `case.not_found`; `case.linked_not_loaded` when the transition closes a primary whose
    /// duplicates, few enough to follow it now, are not all in the engine; and the errors of
    /// [`Case::apply`].
    pub fn apply(&mut self, case_id: &str, cmd: &Command<'_>) -> Result<&Case, CaseError> {
        self.follow_ups.clear();
        let applied = Some((cmd.transition, cmd.actor));
        let run = self.run_command(case_id, applied, |case, env| case.apply_with(cmd, env));
        if self.forget_if_refused(cmd.actor, run)? {
            self.follow_primary(case_id, cmd.at);
        }
        self.case_or_err(case_id)
    }

    /// `outcome`, after forgetting the actor's ids when it is a refusal that left them unused.
    fn forget_if_refused<T>(
        &mut self,
        actor: &Actor,
        outcome: Result<T, CaseError>,
    ) -> Result<T, CaseError> {
        if outcome.is_err() {
            self.names.release(&actor.id);
            if let Some(unit) = &actor.unit {
                self.names.release(unit);
            }
        }
        outcome
    }

    /// Number of distinct actor, unit and channel ids, and actor records, the engine keeps for
    /// sharing.
    #[cfg(test)]
    pub(crate) fn shared_names(&self) -> usize {
        self.names.len()
    }

    /// Runs a command on a case in place (every case command checks before it writes, so a
    /// refusal leaves the case as it was), then queues its new effects and moves its timers.
    pub(crate) fn change_case(
        &mut self,
        case_id: &str,
        command: impl FnOnce(&mut Case, crate::case::CommandContext<'_>) -> Result<(), CaseError>,
    ) -> Result<&Case, CaseError> {
        self.run_command(case_id, None, command)?;
        self.case_or_err(case_id)
    }

    /// [`Engine::run_command_as`], then the actor's record forgotten when the command was
    /// refused and no event holds it.
    fn run_command(
        &mut self,
        case_id: &str,
        applied: Option<(&str, &Actor)>,
        command: impl FnOnce(&mut Case, crate::case::CommandContext<'_>) -> Result<(), CaseError>,
    ) -> Result<bool, CaseError> {
        let mut shared = None;
        let outcome = self.run_command_as(case_id, applied, &mut shared, command);
        if let Some(shared) = shared {
            self.names.release_actor(shared, outcome.is_err());
        }
        outcome
    }

    /// [`Engine::change_case`] without looking the case up again: whether the case is now
    /// closed with linked duplicates that may follow it. `applied`: the command is `apply` of
    /// that transition by that actor, whose ids and record the engine shares (in `shared`)
    /// before it runs, and which needs the duplicates that would follow it loaded; other
    /// commands' events are pointed at the shared ids afterwards.
    fn run_command_as(
        &mut self,
        case_id: &str,
        applied: Option<(&str, &Actor)>,
        shared: &mut Option<crate::case::shared_ids::SharedActor>,
        command: impl FnOnce(&mut Case, crate::case::CommandContext<'_>) -> Result<(), CaseError>,
    ) -> Result<bool, CaseError> {
        let transition = applied.map(|(t, _)| t);
        let env = crate::case::CommandContext {
            org: self.org.as_deref(),
            calendars: &self.calendars,
            recorded: None,
            actor: None,
        };
        let not_found = || CaseError::NotFound {
            case_id: case_id.to_owned(),
        };
        let mut case = self.cases.get_mut(case_id).ok_or_else(not_found)?;
        // Closing a primary moves its duplicates: they must all be here (`plan` names them).
        // Rare, so the cases are looked at again only for a case with duplicates.
        if let Some(t) = transition.filter(|_| case.has_linked()) {
            let missing: Vec<String> = self
                .inline_followers(case_id, Some(t))
                .into_iter()
                .filter(|id| !self.cases.contains_key(id.as_str()))
                .collect();
            if !missing.is_empty() {
                return Err(CaseError::LinkedNotLoaded {
                    case_id: case_id.to_owned(),
                    missing,
                });
            }
            case = self.cases.get_mut(case_id).ok_or_else(not_found)?;
        }
        history_capacity(&self.limits, case)?;
        let (before, from) = (case.effects.len(), case.history.len());
        // Rare: the outbox is full, so a command that queues an effect must be undone.
        let backup = self.outbox.is_full(&self.limits).then(|| case.clone());
        // To tell whether the command moved a clock (cheap: a clock is a few numbers).
        let clocks_before = (!case.clocks.is_empty()).then(|| case.clocks.clone());
        *shared = applied.map(|(_, actor)| self.names.share_actor(actor, Some(&case.workflow)));
        let env = crate::case::CommandContext {
            actor: shared.as_ref(),
            ..env
        };
        command(case, env)?;
        if let Some(backup) = backup {
            if let Err(full) = self.outbox.refuse_growth(&self.limits, &backup, case) {
                *case = backup;
                return Err(full);
            }
        }
        if transition.is_none() {
            let new = case.history.get_mut(from..).unwrap_or_default();
            self.names.share_events(new);
        }
        self.outbox.add(case, before);
        let followed = case.closed_linked().is_some();
        // Only SLA clocks and handling tasks have timers.
        if !case.clocks.is_empty() || case.handling.is_some() {
            let slas_moved = clocks_before.as_deref() != Some(&*case.clocks);
            self.reindex_after(case_id, slas_moved);
        }
        Ok(followed)
    }

    /// [`history_capacity`] for a case of this engine.
    pub(crate) fn check_capacity(&self, case: &Case) -> Result<(), CaseError> {
        history_capacity(&self.limits, case)
    }

    /// `outbox.full` when the engine holds the outbox, it is full, and `changed` (the
    /// command's result on a copy of `case`) queued an effect.
    pub(crate) fn check_outbox(&self, case: &Case, changed: &Case) -> Result<(), CaseError> {
        self.outbox.refuse_growth(&self.limits, case, changed)
    }

    /// Replaces a case with its changed self: new effects queued, timers moved, the ids of new
    /// events (all of a new, restored or replayed case's) shared.
    pub(crate) fn commit(&mut self, case: impl Into<Box<Case>>) {
        let mut case: Box<Case> = case.into();
        let old = self.cases.get(case.id());
        let (before, from) = old.map_or((0, 0), |c| (c.effects.len(), c.history.len()));
        if let Some(touched) = self.touched.as_mut() {
            crate::engine::journal::note_touched(touched, &case.id, from);
        }
        self.names
            .share_events(case.history.get_mut(from..).unwrap_or_default());
        self.outbox.add(&case, before);
        let id = case.id.clone();
        // Only SLA clocks and handling tasks have timers; a case without either needs its
        // entries moved only if a case it replaces had some.
        let timed = !case.clocks.is_empty() || case.handling.is_some();
        self.cases.insert(id.clone(), case);
        if timed || self.case_timers.contains_key(&id) {
            self.reindex(&id);
        }
    }

    /// Extends a running SLA clock of a case, as the rule's extension policy allows.
    ///
    /// # Errors
    /// `case.not_found`, and the errors of [`Case::extend`].
    pub fn extend(
        &mut self,
        case_id: &str,
        sla: &str,
        actor: &Actor,
        duration: Duration,
        reason: &str,
        at: i64,
    ) -> Result<&Case, CaseError> {
        self.change_case(case_id, |case, _| {
            case.extend(sla, actor, duration, reason, at)
        })
    }

    /// A case by id.
    pub fn case(&self, case_id: &str) -> Option<&Case> {
        self.cases.get(case_id).map(|c| &**c)
    }

    pub(crate) fn case_or_err(&self, case_id: &str) -> Result<&Case, CaseError> {
        self.case(case_id).ok_or_else(|| CaseError::NotFound {
            case_id: case_id.to_owned(),
        })
    }

    /// Number of cases.
    pub fn case_count(&self) -> usize {
        self.cases.len()
    }

    /// Transitions `actor` can take on a case now.
    ///
    /// # Errors
    /// `case.not_found`.
    pub fn available_transitions(
        &self,
        case_id: &str,
        actor: &Actor,
    ) -> Result<Vec<Available>, CaseError> {
        Ok(self
            .case_or_err(case_id)?
            .available_with(actor, self.org.as_deref()))
    }

    /// A case's history in JSON form.
    ///
    /// # Errors
    /// `case.not_found`.
    pub fn history(&self, case_id: &str) -> Result<Vec<EventRecord>, CaseError> {
        Ok(self.case_or_err(case_id)?.history(0))
    }

    /// Rebuilds a case from its history, as [`Engine::replay`], and adds it to the engine: the
    /// way back for a case a host stored as its history (`docs/persistence.md`). Its effects
    /// are queued again (delivery is at least once; effect ids are stable).
    ///
    /// # Errors
    /// Those of [`Engine::replay`]; `history.rejected` wrapping `case.already_exists` when the
    /// engine holds a case with that id.
    pub fn restore_case(&mut self, history: &[EventRecord]) -> Result<&Case, HistoryError> {
        let case = self.replay(history)?;
        if self.cases.contains_key(case.id()) {
            return Err(HistoryError::Rejected {
                index: 0,
                error: CaseError::AlreadyExists {
                    case_id: case.id().to_owned(),
                },
            });
        }
        let id = case.id.clone();
        self.insert_case(case);
        self.cases.get(&id).map(|c| &**c).ok_or(HistoryError::Empty)
    }

    /// Rebuilds a case from its history on a loaded workflow, without adding it to the engine.
    ///
    /// # Errors
    /// `history.*` errors; `history.rejected` wrapping `workflow.not_found` when the history's
    /// workflow is not loaded.
    pub fn replay(&self, history: &[EventRecord]) -> Result<Case, HistoryError> {
        self.check_length(history)?;
        let (workflow, version) = case::history_workflow(history)?;
        let wf = self
            .workflow_or_err(workflow, Some(version))
            .map_err(|error| HistoryError::Rejected { index: 0, error })?;
        case::replay(wf.clone(), history)
    }

    /// `history.too_long` for a history with more than `Limits::max_history_events` events
    /// recorded by callers. The engine's own records (timers firing, the system's moves) do
    /// not count: they may take a case past the limit, and the engine must always be able to
    /// read back what it wrote.
    pub(crate) fn check_length(&self, history: &[EventRecord]) -> Result<(), HistoryError> {
        let limit = self.limits.max_history_events;
        if history.len() <= limit {
            return Ok(());
        }
        let events = history.len() - history.iter().filter(|r| r.by_engine()).count();
        if events > limit {
            return Err(HistoryError::TooLong { events, limit });
        }
        Ok(())
    }
}

/// Whether a caller's command may add to `case`: refused when its history is at its limit.
/// The engine's own moves (timers firing, supervision climbing, duplicates following their
/// primary) are never refused, so no deadline is lost to a limit.
fn history_capacity(limits: &Limits, case: &Case) -> Result<(), CaseError> {
    if case.history.len() >= limits.max_history_events {
        return Err(CaseError::HistoryFull {
            case_id: case.id().to_owned(),
            limit: limits.max_history_events,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! The engine: workflows by id and version, and the cases running on them.
//!
//! Every operation of the JSON API ([`crate::api`]) is a typed method here first; the JSON layer
//! only converts.

pub(crate) mod archive;
pub(crate) mod error;
pub(crate) mod governance;
pub(crate) mod journal;
pub(crate) mod outbox;
pub(crate) mod public_view;

pub use error::{GraphError, SlaStatusError, SnapshotError, WorkflowError};

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
use crate::org::governance::Task;
use crate::support::fx::FxMap;
use crate::workflow::definition::WorkflowDef;
use crate::workflow::graph::{self, GraphFormat, PathToClose};
use crate::workflow::Workflow;
use crate::workflow::{DefinitionError, Diagnostic, InvalidDefinition};

/// The snapshot format this library reads and writes.
pub const SNAPSHOT_FORMAT: u64 = 1;

/// A workflow that was loaded, and the warnings its definition raised.
#[derive(Clone, Debug)]
pub struct LoadedWorkflow {
    /// The workflow.
    pub workflow: Arc<Workflow>,
    /// Non-fatal problems of the definition.
    pub warnings: Vec<Diagnostic>,
}

/// The whole engine as data: every workflow definition and every case's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Snapshot format; must be 1.
    pub format: u64,
    /// Calendars, bases before the calendars that extend them.
    #[serde(default)]
    pub calendars: Vec<CalendarDef>,
    /// The organisation tree and dispatch catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::org::OrgDef>,
    /// Workflow definitions, by id then version.
    pub workflows: Vec<WorkflowDef>,
    /// Cases, by id.
    pub cases: Vec<CaseSnapshot>,
    /// Ids of the effects not yet acknowledged, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbox: Vec<String>,
}

/// One case in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseSnapshot {
    /// Case id.
    pub id: String,
    /// State at snapshot time; checked against the replayed history on restore.
    pub state: String,
    /// The full history.
    pub history: Vec<EventRecord>,
}

/// A pending deadline in the index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    due: i64,
    case: Arc<str>,
    slot: Slot,
}

/// What falls due: a warning or breach step of an SLA clock, or a co-handling or supervision
/// sub-task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Sla {
        sla: u16,
        kind: TimerKind,
        step: u16,
    },
    Task(Task),
}

/// What kind of deadline fell due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// A warning of an SLA clock.
    Warning,
    /// A breach step of an SLA clock.
    Breach,
    /// An assisting unit's opinion.
    Opinion,
    /// The answer to a supervision.
    Supervision,
}

/// A deadline that is due: an SLA warning or breach step, an opinion or a supervision answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct DueTimer {
    /// The case.
    pub case_id: String,
    /// The SLA rule (warnings and breach steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<String>,
    /// What fell due.
    pub kind: DueKind,
    /// The warning or breach step id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The unit that owes the opinion, or the supervising unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The supervision's number on the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<usize>,
    /// When it fell due.
    pub due_at: i64,
}

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
    pub(crate) cases: FxMap<Arc<str>, Case>,
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
    pub(crate) touched: Option<crate::engine::journal::Touched>,
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

    /// Validates and loads a workflow. Loading the same id and version again with an identical
    /// definition is a no-op, so hosts can load their definitions at every start.
    ///
    /// # Errors
    /// [`WorkflowError::Invalid`] with every problem of the definition;
    /// [`WorkflowError::VersionConflict`] when this id and version is loaded with a different
    /// definition (publish changes as a new version: running cases stay on theirs).
    pub fn load_workflow(&mut self, def: WorkflowDef) -> Result<LoadedWorkflow, WorkflowError> {
        let key = (def.id.clone(), def.version);
        if let Some(existing) = self.workflows.get(&key) {
            if *existing.definition() != def {
                return Err(WorkflowError::VersionConflict {
                    id: def.id,
                    version: def.version,
                });
            }
        }
        let mut compiled = Workflow::compile_with(def, &self.limits)?;
        let missing: Vec<Diagnostic> = compiled
            .workflow
            .definition()
            .slas
            .iter()
            .enumerate()
            .filter(|(_, s)| !self.calendars.contains_key(&s.calendar))
            .map(|(i, s)| {
                let error = DefinitionError::UnknownCalendar {
                    sla: s.id.clone(),
                    calendar: s.calendar.clone(),
                };
                Diagnostic::new(error, format!("/slas/{i}/calendar"))
            })
            .collect();
        if !missing.is_empty() {
            return Err(WorkflowError::Invalid(InvalidDefinition {
                errors: missing,
                warnings: std::mem::take(&mut compiled.warnings),
            }));
        }
        let workflow = self
            .workflows
            .entry(key)
            .or_insert_with(|| Arc::new(compiled.workflow))
            .clone();
        Ok(LoadedWorkflow {
            workflow,
            warnings: compiled.warnings,
        })
    }

    /// A loaded workflow: the given version, or the highest one loaded.
    pub fn workflow(&self, id: &str, version: Option<u32>) -> Option<&Arc<Workflow>> {
        match version {
            Some(v) => self.workflows.get(&(id.to_owned(), v)),
            None => self
                .workflows
                .range((id.to_owned(), 0)..=(id.to_owned(), u32::MAX))
                .next_back()
                .map(|(_, w)| w),
        }
    }

    fn workflow_or_err(&self, id: &str, version: Option<u32>) -> Result<&Arc<Workflow>, CaseError> {
        self.workflow(id, version)
            .ok_or_else(|| CaseError::WorkflowNotFound {
                id: id.to_owned(),
                version,
            })
    }

    /// Every loaded workflow, by id then version.
    pub fn workflows(&self) -> impl Iterator<Item = &Arc<Workflow>> {
        self.workflows.values()
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
        appeal: Option<crate::org::governance::AppealOf>,
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
        self.room(None)?;
        let link_to = self.check_duplicates(&wf, opening.keys)?;
        // Its ids are shared when it is committed.
        let case = Case::open_in(wf, opening, appeal, self.env())?;
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
    pub(crate) fn env(&self) -> crate::case::Env<'_> {
        crate::case::Env {
            org: self.org.as_deref(),
            calendars: &self.calendars,
            recorded: None,
            actor: None,
        }
    }

    /// Applies a command to a case. On error the case is unchanged.
    ///
    /// # Errors
    /// `case.not_found`, and the errors of [`Case::apply`].
    pub fn apply(&mut self, case_id: &str, cmd: &Command<'_>) -> Result<&Case, CaseError> {
        let shared = self.names.share_actor(cmd.actor);
        let run = self.run_command(case_id, true, |case, env| {
            let env = crate::case::Env {
                actor: Some(&shared),
                ..env
            };
            case.apply_in(cmd, env)
        });
        drop(shared);
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

    /// Number of distinct actor, unit and channel ids the engine keeps for sharing.
    #[cfg(test)]
    pub(crate) fn shared_names(&self) -> usize {
        self.names.len()
    }

    /// Runs a command on a case in place (every case command checks before it writes, so a
    /// refusal leaves the case as it was), then queues its new effects and moves its timers.
    pub(crate) fn change_case(
        &mut self,
        case_id: &str,
        command: impl FnOnce(&mut Case, crate::case::Env<'_>) -> Result<(), CaseError>,
    ) -> Result<&Case, CaseError> {
        self.run_command(case_id, false, command)?;
        self.case_or_err(case_id)
    }

    /// [`Engine::change_case`] without looking the case up again: whether the case is now
    /// closed with linked duplicates that may follow it. `shared`: the command recorded its
    /// actor with ids the engine already shares (`apply`); other commands' events are
    /// pointed at the shared ids afterwards.
    fn run_command(
        &mut self,
        case_id: &str,
        shared: bool,
        command: impl FnOnce(&mut Case, crate::case::Env<'_>) -> Result<(), CaseError>,
    ) -> Result<bool, CaseError> {
        let env = crate::case::Env {
            org: self.org.as_deref(),
            calendars: &self.calendars,
            recorded: None,
            actor: None,
        };
        let case = self
            .cases
            .get_mut(case_id)
            .ok_or_else(|| CaseError::NotFound {
                case_id: case_id.to_owned(),
            })?;
        room(&self.limits, self.outbox.len(), Some(case))?;
        let (before, from) = (case.effects.len(), case.history.len());
        command(case, env)?;
        if !shared {
            let new = case.history.get_mut(from..).unwrap_or_default();
            self.names.share_events(new);
        }
        self.outbox.add(case, before);
        let followed = case.closed_linked().is_some();
        // Only SLA clocks and handling tasks have timers.
        if !case.clocks.is_empty() || case.handling.is_some() {
            self.reindex(case_id);
        }
        Ok(followed)
    }

    /// [`room`] for a case of this engine, or for a new case (`None`).
    pub(crate) fn room(&self, case: Option<&Case>) -> Result<(), CaseError> {
        room(&self.limits, self.outbox.len(), case)
    }

    /// Replaces a case with its changed self: new effects queued, timers moved, the ids of new
    /// events (all of a new, restored or replayed case's) shared.
    pub(crate) fn commit(&mut self, mut case: Case) {
        let old = self.cases.get(case.id());
        let (before, from) = old.map_or((0, 0), |c| (c.effects.len(), c.history.len()));
        if let Some(touched) = self.touched.as_mut() {
            crate::engine::journal::note_touched(touched, &case.id, from);
        }
        self.names
            .share_events(case.history.get_mut(from..).unwrap_or_default());
        self.outbox.add(&case, before);
        let id = case.id.clone();
        self.cases.insert(id.clone(), case);
        self.reindex(&id);
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

    /// Every SLA clock of a case as seen at `now`.
    ///
    /// # Errors
    /// `case.not_found`; `case.invalid_time` when `now` is out of range; `calendar.out_of_range`
    /// when a deadline cannot be placed on the calendar.
    pub fn sla_status(&self, case_id: &str, now: i64) -> Result<Vec<ClockView>, SlaStatusError> {
        let case = self.case_or_err(case_id)?;
        crate::case::check_time(now)?;
        let wf = case.workflow();
        let mut out = Vec::with_capacity(wf.slas.len());
        for (rule, c) in wf.slas.iter().zip(case.clocks()) {
            let cal = self.calendar_or_err(&rule.calendar)?;
            out.push(crate::case::sla_clock::view(rule, c, cal, now)?);
        }
        Ok(out)
    }

    /// The warnings and breach steps due at `now`, earliest first, at most `limit`:
    /// O(k + log n) for k due timers among n.
    pub fn due(&self, now: i64, limit: usize) -> Vec<DueTimer> {
        self.timers
            .iter()
            .take_while(|t| t.due <= now)
            .take(limit)
            .filter_map(|t| {
                let case = self.cases.get(&t.case)?;
                let (kind, sla, step, unit, supervision) = match t.slot {
                    Slot::Sla { sla, kind, step } => {
                        let rule = case.workflow().slas.get(usize::from(sla))?;
                        let step = crate::case::step_name(rule, kind, step)?.to_owned();
                        let kind = match kind {
                            TimerKind::Warning => DueKind::Warning,
                            TimerKind::Breach => DueKind::Breach,
                        };
                        (kind, Some(rule.id.to_string()), Some(step), None, None)
                    }
                    Slot::Task(task) => {
                        let (unit, _) = case.handling_view()?.task(task)?;
                        let (kind, supervision) = match task {
                            Task::Opinion(_) => (DueKind::Opinion, None),
                            Task::Supervision(i) => (DueKind::Supervision, Some(i)),
                        };
                        (kind, None, None, Some(unit.to_owned()), supervision)
                    }
                };
                Some(DueTimer {
                    case_id: t.case.to_string(),
                    sla,
                    kind,
                    step,
                    unit,
                    supervision,
                    due_at: t.due,
                })
            })
            .collect()
    }

    /// Number of pending timers in the index.
    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Fires everything due at `now`, earliest first: appends `sla_warning` and `sla_breached`
    /// events (with their original due instant, however late they fire), takes breach
    /// transitions and raises breach supervisions as the system actor, and records opinions and
    /// supervision answers still missing at their deadline (`opinion_overdue`,
    /// `supervision_overdue`). Firing again at the same `now` adds nothing.
    ///
    /// Each entry holds what one case recorded, in the order it was recorded: a timer's events
    /// on its case, then the moves of that case's linked duplicates following it when the
    /// breach closed it.
    pub fn fire_due(&mut self, now: i64) -> Vec<CaseEvents> {
        let mut fired: Vec<CaseEvents> = Vec::new();
        while let Some(t) = self.timers.first().cloned() {
            if t.due > now {
                break;
            }
            let Some(case) = self.cases.get_mut(&t.case) else {
                self.timers.remove(&t);
                continue;
            };
            let before = case.events().len();
            let effects_before = case.effects.len();
            let at = now.max(case.updated_at());
            let done = match t.slot {
                Slot::Sla { sla, kind, step } => fire_sla(case, sla, kind, step, t.due, at),
                Slot::Task(task) => case.mark_overdue(task, at).then_some(None),
            };
            let Some(supervise) = done else {
                // Cannot happen for an indexed timer; drop it rather than loop.
                self.timers.remove(&t);
                continue;
            };
            // This case's effects are queued before anything below commits it again.
            self.outbox.add(case, effects_before);
            let ((), touched) = self.watching(|engine| {
                if let Some((level, required)) = supervise {
                    engine.supervise_on_breach(&t.case, level, &required, at);
                }
                engine.follow_primary(&t.case, at);
            });
            let Some(case) = self.cases.get_mut(&t.case) else {
                continue;
            };
            let events = case.history_sealed(before);
            match fired.last_mut() {
                Some(f) if f.case_id == *t.case => f.events.extend(events),
                _ => fired.push(CaseEvents {
                    case_id: t.case.to_string(),
                    events,
                }),
            }
            self.reindex(&t.case);
            fired.extend(self.events_of(touched, &t.case));
        }
        fired
    }

    /// Recomputes a case's entries in the timer index.
    pub(crate) fn reindex(&mut self, case_id: &str) {
        if let Some(old) = self.case_timers.remove(case_id) {
            for t in &old {
                self.timers.remove(t);
            }
        }
        let Some(case) = self.cases.get(case_id) else {
            return;
        };
        let wf = case.workflow();
        let id = &case.id;
        let mut new = Vec::new();
        for ((rule, c), sla) in wf.slas.iter().zip(case.clocks()).zip(0u16..) {
            let Some(cal) = self.calendars.get(&*rule.calendar) else {
                continue;
            };
            // A clock whose deadline cannot be placed on the calendar has no timers.
            for (due, kind, step) in
                crate::case::sla_clock::pending_timers(rule, c, cal).unwrap_or_default()
            {
                new.push(Timer {
                    due,
                    case: id.clone(),
                    slot: Slot::Sla { sla, kind, step },
                });
            }
        }
        if let Some(h) = case.handling_view().filter(|_| !case.is_terminal()) {
            new.extend(h.pending_tasks().map(|(due, task)| Timer {
                due,
                case: id.clone(),
                slot: Slot::Task(task),
            }));
        }
        if !new.is_empty() {
            self.timers.extend(new.iter().cloned());
            let id = case.id.clone();
            self.case_timers.insert(id, new);
        }
    }

    fn reindex_all(&mut self) {
        self.timers.clear();
        self.case_timers.clear();
        let ids: Vec<Arc<str>> = self
            .cases
            .iter()
            .filter(|(_, c)| !c.clocks().is_empty() || c.handling_view().is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.reindex(&id);
        }
    }

    /// Cases with an entry in the timer index.
    #[cfg(test)]
    pub(crate) fn timed_cases(&self) -> usize {
        self.case_timers.len()
    }

    /// A case by id.
    pub fn case(&self, case_id: &str) -> Option<&Case> {
        self.cases.get(case_id)
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
            .available_in(actor, self.org.as_deref()))
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
        self.room(None)
            .map_err(|error| HistoryError::Rejected { index: 0, error })?;
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
        self.cases.get(&id).ok_or(HistoryError::Empty)
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

    /// Loads (or replaces) a calendar. A calendar that `extends` another is resolved against
    /// the loaded base; replacing a base recompiles the calendars that extend it, and the load is
    /// refused whole if any of them no longer compiles.
    ///
    /// # Errors
    /// [`InvalidCalendar`] with every problem; `calendar.not_found` for an unknown base,
    /// `calendar.cyclic_extends` when the chain of bases returns to this calendar.
    pub fn load_calendar(&mut self, def: CalendarDef) -> Result<Arc<Calendar>, InvalidCalendar> {
        let refuse = |error: CalendarError, path: &str| {
            InvalidCalendar::from_pairs(vec![(error, path.to_owned())])
        };
        let base = match &def.extends {
            None => None,
            Some(base_id) => {
                let base = self.calendars.get(base_id).ok_or_else(|| {
                    refuse(
                        CalendarError::NotFound {
                            id: base_id.clone(),
                        },
                        "/extends",
                    )
                })?;
                let mut link = Some(base);
                while let Some(cal) = link {
                    if cal.id() == def.id {
                        let error = CalendarError::CyclicExtends {
                            id: def.id.clone(),
                            through: base_id.clone(),
                        };
                        return Err(refuse(error, "/extends"));
                    }
                    link = cal
                        .definition()
                        .extends
                        .as_ref()
                        .and_then(|b| self.calendars.get(b));
                }
                Some(base.clone())
            }
        };
        let id = def.id.clone();
        let compiled = Arc::new(Calendar::compile(def, base.as_deref())?);
        // Recompile everything built on this calendar, then commit all at once.
        let mut updated = BTreeMap::from([(id.clone(), compiled.clone())]);
        let mut queue = vec![id];
        while let Some(changed) = queue.pop() {
            let dependents: Vec<Arc<Calendar>> = self
                .calendars
                .values()
                .filter(|c| c.definition().extends.as_deref() == Some(changed.as_str()))
                .cloned()
                .collect();
            for child in dependents {
                let base = updated.get(&changed).cloned();
                let recompiled = Calendar::compile(child.definition().clone(), base.as_deref())?;
                queue.push(child.id().to_owned());
                updated.insert(child.id().to_owned(), Arc::new(recompiled));
            }
        }
        self.calendars.extend(updated);
        // Deadlines are computed from the calendar as it is now: move every timer with it.
        self.reindex_all();
        Ok(compiled)
    }

    /// A loaded calendar.
    pub fn calendar(&self, id: &str) -> Option<&Arc<Calendar>> {
        self.calendars.get(id)
    }

    /// A loaded calendar, or `calendar.not_found`.
    ///
    /// # Errors
    /// `calendar.not_found`.
    pub fn calendar_or_err(&self, id: &str) -> Result<&Arc<Calendar>, CalendarError> {
        self.calendars
            .get(id)
            .ok_or_else(|| CalendarError::NotFound { id: id.to_owned() })
    }

    fn calendars_in_dependency_order(&self) -> Vec<CalendarDef> {
        let mut out: Vec<CalendarDef> = Vec::new();
        let mut left: Vec<&Arc<Calendar>> = self.calendars.values().collect();
        while !left.is_empty() {
            let before = left.len();
            left.retain(|c| {
                let ready = c
                    .definition()
                    .extends
                    .as_ref()
                    .is_none_or(|b| out.iter().any(|d| &d.id == b));
                if ready {
                    out.push(c.definition().clone());
                }
                !ready
            });
            if left.len() == before {
                // Unreachable: loading refuses cycles and unknown bases.
                out.extend(left.drain(..).map(|c| c.definition().clone()));
            }
        }
        out
    }

    /// The fewest transitions from `from` (default: the initial state) to a terminal state.
    ///
    /// # Errors
    /// `workflow.not_found`, `graph.unknown_state`.
    pub fn shortest_path(
        &self,
        workflow: &str,
        version: Option<u32>,
        from: Option<&str>,
    ) -> Result<PathToClose, GraphError> {
        let wf = self.workflow_or_err(workflow, version)?;
        let start = match from {
            Some(s) => wf.state_index(s).ok_or_else(|| GraphError::UnknownState {
                state: s.to_owned(),
            })?,
            None => wf.initial,
        };
        // A valid workflow has no traps, so a path always exists; the fallback is unreachable.
        Ok(
            graph::shortest_path(wf, start).unwrap_or_else(|| PathToClose {
                from: wf.state_id(start).to_owned(),
                to: wf.state_id(start).to_owned(),
                steps: Vec::new(),
            }),
        )
    }

    /// Draws a workflow as DOT or Mermaid; with `case_id`, that case's workflow version is
    /// drawn and its current state highlighted.
    ///
    /// # Errors
    /// `workflow.not_found`, `case.not_found`.
    pub fn export_graph(
        &self,
        workflow: &str,
        version: Option<u32>,
        format: GraphFormat,
        case_id: Option<&str>,
    ) -> Result<String, CaseError> {
        match case_id {
            Some(id) => {
                let case = self.case_or_err(id)?;
                Ok(graph::export(
                    case.workflow(),
                    format,
                    Some(case.state_index()),
                ))
            }
            None => Ok(graph::export(
                self.workflow_or_err(workflow, version)?,
                format,
                None,
            )),
        }
    }

    /// The whole engine as data, sorted, so equal engines give equal snapshots.
    pub fn snapshot(&self) -> Snapshot {
        let mut ids: Vec<&Arc<str>> = self.cases.keys().collect();
        ids.sort();
        Snapshot {
            format: SNAPSHOT_FORMAT,
            calendars: self.calendars_in_dependency_order(),
            org: self.org.as_ref().map(|o| o.definition().clone()),
            workflows: self
                .workflows
                .values()
                .map(|w| w.definition().clone())
                .collect(),
            cases: ids
                .into_iter()
                .filter_map(|id| self.cases.get(id))
                .map(|c| CaseSnapshot {
                    id: c.id().to_owned(),
                    state: c.state().to_owned(),
                    history: c.history(0),
                })
                .collect(),
            outbox: self.outbox.pending_ids(&self.cases),
        }
    }

    /// Replaces the engine's workflows and cases with a snapshot's, replaying every case.
    /// All or nothing: on error the engine is unchanged. Limits are kept.
    ///
    /// # Errors
    /// `snapshot.unsupported_format`, definition errors, `snapshot.duplicate`,
    /// `history.*` errors, `snapshot.state_mismatch`.
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<(), SnapshotError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::UnsupportedFormat {
                found: snapshot.format,
            });
        }
        let mut fresh = Engine::with_limits(self.limits.clone());
        for (index, def) in snapshot.calendars.into_iter().enumerate() {
            fresh
                .load_calendar(def)
                .map_err(|error| SnapshotError::Calendar { index, error })?;
        }
        if let Some(def) = snapshot.org {
            fresh
                .load_org(def)
                .map_err(|error| SnapshotError::Org { error })?;
        }
        for (index, def) in snapshot.workflows.into_iter().enumerate() {
            let key = (def.id.clone(), def.version);
            if fresh.workflows.contains_key(&key) {
                return Err(SnapshotError::Duplicate {
                    what: "workflow",
                    id: format!("{}@{}", key.0, key.1),
                    path: format!("/workflows/{index}"),
                });
            }
            fresh
                .load_workflow(def)
                .map_err(|error| SnapshotError::Workflow { index, error })?;
        }
        for (index, entry) in snapshot.cases.iter().enumerate() {
            let case = fresh
                .replay(&entry.history)
                .map_err(|error| SnapshotError::History { index, error })?;
            if case.id() != entry.id {
                return Err(SnapshotError::History {
                    index,
                    error: HistoryError::Mismatch {
                        index: 0,
                        recorded: entry.id.clone(),
                        replayed: case.id().to_owned(),
                    },
                });
            }
            if case.state() != entry.state {
                return Err(SnapshotError::StateMismatch {
                    index,
                    case_id: entry.id.clone(),
                    recorded: entry.state.clone(),
                    replayed: case.state().to_owned(),
                });
            }
            if fresh.cases.contains_key(entry.id.as_str()) {
                return Err(SnapshotError::Duplicate {
                    what: "case",
                    id: entry.id.clone(),
                    path: format!("/cases/{index}/id"),
                });
            }
            fresh.insert_case(case);
        }
        fresh.outbox.keep(&fresh.cases, &snapshot.outbox);
        fresh.reindex_all();
        *self = fresh;
        Ok(())
    }
}

/// Fires one warning or breach step of a case's clock and takes the breach step's transition.
/// `None` if the step cannot fire; else the supervision the step raises, if any.
fn fire_sla(
    case: &mut Case,
    sla: u16,
    kind: TimerKind,
    step: u16,
    due: i64,
    at: i64,
) -> Option<Option<(crate::org::governance::Level, String)>> {
    let wf = case.workflow().clone();
    let rule = wf.slas.get(usize::from(sla))?;
    case.fire(&rule.id, kind, step, due, at).ok()?;
    let breach = match kind {
        TimerKind::Breach => rule.breach.get(usize::from(step)),
        TimerKind::Warning => None,
    };
    let transition = breach.and_then(|b| b.transition);
    if let Some(tr) = transition.and_then(|ix| wf.transitions.get(usize::from(ix))) {
        let roles = wf.role_names(tr.roles);
        let system = Actor {
            id: crate::case::SYSTEM_ACTOR.to_owned(),
            roles,
            unit: None,
        };
        let cmd = Command {
            transition: &tr.id,
            actor: &system,
            payload: crate::case::Values::NONE,
            at,
        };
        // The case may have moved where the transition does not apply: the breach event
        // stands on its own then.
        let _ = case.apply(&cmd);
    }
    Some(breach.and_then(|b| b.supervise).map(|level| {
        let step = crate::case::step_name(rule, kind, step).unwrap_or_default();
        (level, format!("{}/{step}", rule.id))
    }))
}

/// Whether a caller's command may add to `case` (or open a case, for `None`): refused when the
/// case's history or the outbox is at its limit. The engine's own moves (timers firing,
/// supervision climbing, duplicates following their primary) are never refused, so no deadline
/// is lost to a limit.
fn room(limits: &Limits, pending: usize, case: Option<&Case>) -> Result<(), CaseError> {
    if let Some(case) = case.filter(|c| c.history.len() >= limits.max_history_events) {
        return Err(CaseError::HistoryFull {
            case_id: case.id().to_owned(),
            limit: limits.max_history_events,
        });
    }
    if pending >= limits.max_pending_effects {
        return Err(CaseError::OutboxFull {
            pending,
            limit: limits.max_pending_effects,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

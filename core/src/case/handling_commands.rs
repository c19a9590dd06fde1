//! The handling commands that are not transitions: opinions of assisting units, supervision
//! raised and answered, tasks falling overdue, links between duplicates and their primary.
//! Each checks everything before it records anything, as every command of a [`Case`] does.

use super::*;
use crate::org::handling::{Level, LinkView, SupervisionView, Task};

impl Case {
    /// Records an assisting unit's opinion.
    ///
    /// # Errors
    /// `case.no_handling`, `case.terminal`, time errors, `case.invalid_actor`,
    /// `case.not_assisting`.
    pub fn submit_opinion(
        &mut self,
        actor: &Actor,
        opinion: &str,
        at: i64,
    ) -> Result<(), CaseError> {
        let record = self.checked_command(actor, at, "handling.assist")?;
        let unit = actor.unit.as_deref();
        let index = self
            .handling
            .as_deref()
            .and_then(|h| {
                h.assisting
                    .iter()
                    .position(|a| Some(&*a.unit) == unit && a.answered_at.is_none())
            })
            .ok_or_else(|| CaseError::NotAssisting {
                unit: actor.unit.clone(),
            })?;
        if let Some(task) = self
            .handling
            .as_deref_mut()
            .and_then(|h| h.assisting.get_mut(index))
        {
            task.answered_at = Some(at);
            task.opinion = Some(opinion.to_owned());
        }
        self.push(Event {
            at,
            actor: record,
            kind: EventKind::Opinion {
                text: opinion.into(),
            },
        });
        Ok(())
    }

    /// Raises a supervision by `unit`, which the caller has checked is above the handling unit.
    pub(crate) fn raise_supervision(
        &mut self,
        actor: ActorRecord,
        level: Level,
        unit: &str,
        due_at: i64,
        required: &str,
        at: i64,
    ) {
        let automatic = &*actor.id == crate::case::SYSTEM_ACTOR;
        if let Some(h) = self.handling.as_deref_mut() {
            let index = h.supervisions.len();
            h.supervisions.push(SupervisionView {
                index,
                level,
                unit: unit.to_owned(),
                raised_at: at,
                due_at,
                required: required.to_owned(),
                automatic,
                answered_at: None,
                answer: None,
                overdue: false,
            });
        }
        self.push(Event {
            at,
            actor,
            kind: EventKind::SupervisionRaised(Box::new(SupervisionEvent {
                level,
                unit: unit.into(),
                due_at,
                required: required.into(),
            })),
        });
    }

    /// Checks a person's supervision request, and records it. `due_at` is already placed on
    /// the calendar by the engine (or read from the record on replay).
    ///
    /// # Errors
    /// `case.no_handling`, `case.terminal`, time errors, `case.not_dispatched`,
    /// `org.not_superior` (checked by the engine against the organisation).
    pub(crate) fn supervise(
        &mut self,
        actor: &Actor,
        level: Level,
        due_at: i64,
        required: &str,
        at: i64,
    ) -> Result<(), CaseError> {
        let record = self.checked_command(actor, at, "handling")?;
        let unit = actor.unit.clone().unwrap_or_default();
        if self.handling_unit().is_none() {
            return Err(CaseError::NotDispatched {
                case_id: self.id.to_string(),
            });
        }
        self.raise_supervision(record, level, &unit, due_at, required, at);
        Ok(())
    }

    /// The handling unit answers supervision `index`.
    ///
    /// # Errors
    /// `case.no_handling`, `case.terminal`, time errors, `case.not_lead_unit`,
    /// `case.unknown_supervision`, `case.supervision_answered`.
    pub fn answer_supervision(
        &mut self,
        actor: &Actor,
        index: usize,
        answer: &str,
        at: i64,
    ) -> Result<(), CaseError> {
        let record = self.checked_command(actor, at, "handling")?;
        let lead = self.handling_unit().unwrap_or_default().to_owned();
        if actor.unit.as_deref() != Some(&*lead) {
            return Err(CaseError::NotLeadUnit {
                actor_unit: actor.unit.clone(),
                lead,
            });
        }
        let sup = self
            .handling
            .as_deref_mut()
            .and_then(|h| h.supervisions.get_mut(index))
            .ok_or(CaseError::UnknownSupervision { index })?;
        if sup.answered_at.is_some() {
            return Err(CaseError::SupervisionAnswered { index });
        }
        sup.answered_at = Some(at);
        sup.answer = Some(answer.to_owned());
        self.push(Event {
            at,
            actor: record,
            kind: EventKind::SupervisionAnswered(Box::new(SupervisionAnsweredEvent {
                index,
                text: answer.into(),
            })),
        });
        Ok(())
    }

    /// Records that a sub-task was still unanswered at its deadline (the system actor, at
    /// `at`). Returns false, changing nothing, if the task is unknown, answered, already
    /// recorded overdue, not yet due, or the case is closed or `at` is before its last event.
    pub(crate) fn mark_overdue(&mut self, task: Task, at: i64) -> bool {
        if self.is_terminal() || at < self.updated_at() {
            return false;
        }
        let Some(h) = self.handling.as_deref_mut() else {
            return false;
        };
        let (answered, overdue, due_at) = match task {
            Task::Opinion(i) => match h.assisting.get_mut(i) {
                Some(a) => (a.answered_at.is_some(), &mut a.overdue, a.due_at),
                None => return false,
            },
            Task::Supervision(i) => match h.supervisions.get_mut(i) {
                Some(s) => (s.answered_at.is_some(), &mut s.overdue, s.due_at),
                None => return false,
            },
        };
        if answered || *overdue || due_at > at {
            return false;
        }
        *overdue = true;
        self.push(Event {
            at,
            actor: crate::case::system_actor(),
            kind: EventKind::Overdue(Box::new(OverdueEvent { task, due_at })),
        });
        true
    }

    /// Checks what every non-transition command checks; the actor's record.
    pub(crate) fn checked_command(
        &self,
        actor: &Actor,
        at: i64,
        section: &'static str,
    ) -> Result<ActorRecord, CaseError> {
        if self.handling.is_none() {
            return Err(self.no_section(section));
        }
        self.ensure_open()?;
        crate::case::check_time(at)?;
        let last = self.updated_at();
        if at < last {
            return Err(CaseError::TimeWentBackwards { at, last });
        }
        crate::case::record_actor(&self.workflow, actor, None)
    }

    /// Marks this case a duplicate of `primary`.
    pub(crate) fn mark_linked(&mut self, actor: ActorRecord, primary: &str, at: i64) {
        if let Some(h) = self.handling.as_deref_mut() {
            h.primary = Some(primary.to_owned());
        }
        self.push(Event {
            at,
            actor,
            kind: EventKind::Linked {
                primary: primary.into(),
            },
        });
    }

    /// Records on a primary that `duplicate`, from `channel`, follows it.
    pub(crate) fn add_duplicate(
        &mut self,
        actor: ActorRecord,
        duplicate: &str,
        channel: &str,
        at: i64,
    ) {
        if let Some(h) = self.handling.as_deref_mut() {
            h.linked.push(LinkView {
                case_id: duplicate.to_owned(),
                channel: channel.to_owned(),
            });
        }
        self.push(Event {
            at,
            actor,
            kind: EventKind::DuplicateLinked(Box::new(DuplicateEvent {
                case_id: duplicate.into(),
                channel: channel.into(),
            })),
        });
    }

    /// Whether linked duplicates follow this case.
    pub(crate) fn has_linked(&self) -> bool {
        self.handling_view().is_some_and(|h| !h.linked.is_empty())
    }

    /// The cases linked to this one as duplicates, when it is closed and has any: they may
    /// follow it (`on_primary_closed`).
    pub(crate) fn closed_linked(&self) -> Option<&[crate::org::handling::LinkView]> {
        self.handling_view()
            .filter(|h| self.is_terminal() && !h.linked.is_empty())
            .map(|h| h.linked.as_slice())
    }
}

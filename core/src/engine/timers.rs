//! The timer index: every SLA warning and breach step and every task deadline of the open
//! cases, by due instant, and the firing of what is due.

use super::*;

/// Which due timers [`Engine::fire_due_scoped`] fires: all, or one case's; all, or at most
/// `limit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FireScope<'a> {
    /// Only this case's timers.
    pub case_id: Option<&'a str>,
    /// At most this many timers.
    pub limit: Option<usize>,
}

/// What [`Engine::fire_due_scoped`] recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    /// The events recorded, by case, in order (as [`Engine::fire_due`] answers them).
    pub cases: Vec<CaseEvents>,
    /// Whether timers in scope are still due: the limit stopped the firing.
    pub more: bool,
}

/// A pending deadline in the index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Timer {
    due: i64,
    case: Arc<str>,
    slot: DueItem,
}

/// What falls due: a warning or breach step of an SLA clock, or a co-handling or supervision
/// sub-task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum DueItem {
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

/// Fires one warning or breach step of a case's clock and takes the breach step's transition.
/// `None` if the step cannot fire; else the supervision the step raises, if any.
fn fire_sla(
    case: &mut Case,
    sla: u16,
    kind: TimerKind,
    step: u16,
    due: i64,
    at: i64,
) -> Option<Option<(crate::org::handling::Level, String)>> {
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

impl Engine {
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
            .filter_map(|t| self.due_timer(t))
            .collect()
    }

    /// Every pending timer of a case, due or not, earliest first: what a host keeps in its
    /// timer table for the case (`docs/persistence.md`).
    ///
    /// # Errors
    /// `case.not_found`.
    pub fn case_timers(&self, case_id: &str) -> Result<Vec<DueTimer>, CaseError> {
        self.case_or_err(case_id)?;
        let mut timers: Vec<&Timer> = self
            .case_timers
            .get(case_id)
            .into_iter()
            .flatten()
            .collect();
        timers.sort();
        Ok(timers
            .into_iter()
            .filter_map(|t| self.due_timer(t))
            .collect())
    }

    /// A timer of the index as the API shows it.
    fn due_timer(&self, t: &Timer) -> Option<DueTimer> {
        let case = self.cases.get(&t.case)?;
        let (kind, sla, step, unit, supervision) = match t.slot {
            DueItem::Sla { sla, kind, step } => {
                let rule = case.workflow().slas.get(usize::from(sla))?;
                let step = crate::case::step_name(rule, kind, step)?.to_owned();
                let kind = match kind {
                    TimerKind::Warning => DueKind::Warning,
                    TimerKind::Breach => DueKind::Breach,
                };
                (kind, Some(rule.id.to_string()), Some(step), None, None)
            }
            DueItem::Task(task) => {
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
        self.fire_due_scoped(now, FireScope::default()).cases
    }

    /// [`Engine::fire_due`] for one case's timers only, or for at most `limit` timers,
    /// earliest first, so that a host fires a backlog in bounded steps and each case under its
    /// own lock (`docs/persistence.md`). The events a timer records on other cases (a breach
    /// supervision, duplicates following a closed primary) are in the answer all the same.
    pub fn fire_due_scoped(&mut self, now: i64, scope: FireScope<'_>) -> Fired {
        self.follow_ups.clear();
        let mut fired: Vec<CaseEvents> = Vec::new();
        let mut count = 0;
        while let Some(t) = self.first_due(now, scope.case_id) {
            if scope.limit.is_some_and(|limit| count >= limit) {
                return Fired {
                    cases: fired,
                    more: true,
                };
            }
            count += 1;
            let Some(case) = self.cases.get_mut(&t.case) else {
                self.drop_timer(&t);
                continue;
            };
            let before = case.events().len();
            let effects_before = case.effects.len();
            let at = now.max(case.updated_at());
            let done = match t.slot {
                DueItem::Sla { sla, kind, step } => fire_sla(case, sla, kind, step, t.due, at),
                DueItem::Task(task) => case.mark_overdue(task, at).then_some(None),
            };
            let Some(supervise) = done else {
                // Cannot happen for an indexed timer; drop it rather than loop.
                self.drop_timer(&t);
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
        Fired {
            cases: fired,
            more: false,
        }
    }

    /// The earliest timer due at `now`, of one case or of all.
    fn first_due(&self, now: i64, case_id: Option<&str>) -> Option<Timer> {
        let due = |t: &&Timer| t.due <= now;
        match case_id {
            None => self.timers.first().filter(due).cloned(),
            Some(id) => self.case_timers.get(id)?.iter().filter(due).min().cloned(),
        }
    }

    /// Removes a timer from the index.
    fn drop_timer(&mut self, t: &Timer) {
        self.timers.remove(t);
        if let Some(mine) = self.case_timers.get_mut(&t.case) {
            mine.retain(|m| m != t);
        }
    }

    /// Recomputes a case's entries in the timer index.
    pub(crate) fn reindex(&mut self, case_id: &str) {
        self.reindex_after(case_id, true);
    }

    /// [`Engine::reindex`] after a command that left the case's SLA clocks as they were
    /// (`slas_moved` false): their timers are kept, not placed on the calendar again, which
    /// is most of the cost of a command on a case with clocks. Most commands leave a case's
    /// timers as they were (a step inside one stage moves no clock): then the index is not
    /// touched.
    pub(crate) fn reindex_after(&mut self, case_id: &str, slas_moved: bool) {
        let new = if slas_moved {
            self.pending_timers_of(case_id, None)
        } else {
            let kept = self.case_timers.get(case_id).map(|old| {
                old.iter()
                    .filter(|t| matches!(t.slot, DueItem::Sla { .. }))
                    .cloned()
                    .collect()
            });
            self.pending_timers_of(case_id, Some(kept.unwrap_or_default()))
        };
        let old = self.case_timers.get(case_id);
        if old.map_or(new.is_empty(), |old| *old == new) {
            return;
        }
        if let Some(old) = self.case_timers.remove(case_id) {
            for t in &old {
                self.timers.remove(t);
            }
        }
        if let Some(first) = new.first() {
            let id = first.case.clone();
            self.timers.extend(new.iter().cloned());
            self.case_timers.insert(id, new);
        }
    }

    /// Every timer a case has now: its SLA clocks' pending steps (`slas` when they are
    /// known not to have moved) and its handling tasks.
    fn pending_timers_of(&self, case_id: &str, slas: Option<Vec<Timer>>) -> Vec<Timer> {
        let Some(case) = self.cases.get(case_id) else {
            return Vec::new();
        };
        let wf = case.workflow();
        let id = &case.id;
        let recompute = slas.is_none();
        let mut new = slas.unwrap_or_default();
        if recompute {
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
                        slot: DueItem::Sla { sla, kind, step },
                    });
                }
            }
        }
        if let Some(h) = case.handling_view().filter(|_| !case.is_terminal()) {
            new.extend(h.pending_tasks().map(|(due, task)| Timer {
                due,
                case: id.clone(),
                slot: DueItem::Task(task),
            }));
        }
        new
    }

    pub(super) fn reindex_all(&mut self) {
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
}

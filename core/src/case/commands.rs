//! The commands that change a case: open, apply a transition, fire a timer, extend a clock.
//! Each checks everything before it records anything.

use super::*;

impl Case {
    /// Opens a case on `workflow`.
    ///
    /// # Errors
    /// `case.invalid_id`, `case.invalid_actor`, `case.invalid_channel`, `case.invalid_time`, or
    /// the field problems (`case.unknown_field`, `case.missing_field`, `case.field_type`, ...).
    pub fn open(workflow: Arc<Workflow>, opening: &Opening<'_>) -> Result<Case, CaseError> {
        Case::open_with(workflow, opening, None, CommandContext::none())
    }

    /// Opens a case; `appeal` is what the engine found it appeals.
    pub(crate) fn open_with(
        workflow: Arc<Workflow>,
        opening: &Opening<'_>,
        appeal: Option<AppealOf>,
        env: CommandContext<'_>,
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
            requests: None,
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
            opened_at: opening.at,
        };
        case.update_clocks(&change, &actor, Some((opening.channel, opening.at)));
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
    /// `opening` is the channel and instant of a case being opened, which has no history yet.
    fn update_clocks(
        &mut self,
        change: &Change,
        actor: &ActorRecord,
        opening: Option<(&str, i64)>,
    ) {
        // Split borrows: clocks change while the guards read the fields.
        let Case {
            workflow,
            fields,
            clocks,
            handling,
            history,
            ..
        } = self;
        let (channel, opened_at) = opening.unwrap_or_else(|| super::opened(history));
        let wf = &**workflow;
        for (rule, clock) in wf.slas.iter().zip(clocks.iter_mut()) {
            let pick = || {
                let scope = Scope {
                    fields,
                    actor_id: &actor.id,
                    actor_unit: actor.unit.as_deref(),
                    actor_roles: actor.roles,
                    roles: &wf.roles,
                    channel,
                    opened_at,
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
        self.apply_with(cmd, CommandContext::none())
    }

    pub(crate) fn apply_with(
        &mut self,
        cmd: &Command<'_>,
        env: CommandContext<'_>,
    ) -> Result<(), CaseError> {
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
                channel: self.channel(),
                opened_at: self.opened_at(),
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
        if let Some(field) = t.publish {
            self.check_publish(t, field, &payload)?;
        }
        let plan = self.decide_action(t, &payload, cmd, env)?;
        let payload = plan.payload.unwrap_or(payload);

        // Every check passed: only now is the case written.
        let (from, to) = (self.state, t.to);
        for (ix, v) in payload.iter().filter(|(ix, _)| t.set.contains(ix)) {
            if let Some(slot) = self.fields.get_mut(usize::from(*ix)) {
                *slot = Some(v.clone());
            }
        }
        let note = self.record_action(plan.change, t, cmd);
        self.state = to;
        if !self.clocks.is_empty() {
            let change = Change {
                opened: false,
                transition: Some(t_ix),
                to,
                terminal: wf.is_terminal(to),
                at: cmd.at,
                opened_at: self.opened_at(),
            };
            self.update_clocks(&change, &actor, None);
        }
        self.push(Event {
            at: cmd.at,
            actor,
            kind: EventKind::Transitioned {
                transition: t_ix,
                from,
                to,
                carried: TransitionExtras::new(payload, note),
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
            kind: EventKind::SlaTimer(Box::new(TimerEvent {
                sla: s,
                kind,
                step,
                due_at,
            })),
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

    pub(super) fn rule(&self, sla: &str) -> Result<(u16, &crate::workflow::sla::Sla), CaseError> {
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
}

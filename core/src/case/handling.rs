//! The handling side of commands: what a transition's `action` checks and records (routing,
//! transfer, return, co-handling, replies, callbacks, reopening), time windows and the units a
//! case may go to. The commands that are not transitions are in `handling_commands.rs`. Each
//! check runs before anything is written, as everywhere in [`Case`].

use crate::case::effect_records::Emit;
use crate::case::CaseError;
use crate::case::{Case, CommandContext, Decisions, Event};
use crate::org::handling::{AssistView, CallbackView, HandlingView};
use crate::org::{OrgError, Route};
use crate::value::Value;
use crate::value::{FieldProblem, FieldSource};
use crate::workflow::handling::{Action, Handling};
use crate::workflow::Transition;

/// What a transition's action will change, decided before anything is written.
#[derive(Default)]
pub(crate) struct Plan {
    /// The payload to record, when the action added to it (the routed unit).
    pub payload: Option<Box<[(u16, Value)]>>,
    pub change: Change,
}

#[derive(Default)]
pub(crate) struct Change {
    route: Option<Route>,
    /// The new handling unit: `Some(None)` clears it.
    unit: Option<Option<String>>,
    assists: Vec<String>,
    opinions_due_at: Option<i64>,
    callback: Option<CallbackView>,
}

fn str_value(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

fn given(payload: &[(u16, Value)], field: u16) -> Option<&Value> {
    payload.iter().find(|(ix, _)| *ix == field).map(|(_, v)| v)
}

/// The value of field `field` that a transition's event stands for: the payload's when the
/// transition takes the field (see [`Transition::takes`]) and the event gives it, else the
/// case's. A correction or a count uses what the release or the draft was given.
pub(crate) fn carried_value<'a>(
    case: &'a Case,
    takes: bool,
    field: u16,
    payload: &'a [(u16, Value)],
) -> Option<&'a Value> {
    let from_payload = if takes { given(payload, field) } else { None };
    from_payload.or_else(|| case.field_value(field))
}

impl Case {
    pub(crate) fn handling_config(&self) -> Option<&Handling> {
        self.workflow.handling.as_ref()
    }

    fn field_value(&self, ix: u16) -> Option<&Value> {
        self.fields.get(usize::from(ix))?.as_ref()
    }

    /// The handling (lead) unit, from the workflow's unit field.
    pub fn handling_unit(&self) -> Option<&str> {
        let h = self.handling_config()?;
        str_value(self.field_value(h.unit_field))
    }

    /// The unit this case accuses, if the workflow has an accused field and it is set.
    pub fn accused_unit(&self) -> Option<&str> {
        let h = self.handling_config()?;
        str_value(self.field_value(h.accused_field?))
    }

    /// The matter's category: the value of the field `handling.category_field` names.
    pub fn category(&self) -> Option<&str> {
        let h = self.handling_config()?;
        str_value(self.field_value(h.category_field?))
    }

    /// The linked primary, when this case is a duplicate.
    pub fn primary(&self) -> Option<&str> {
        self.handling.as_deref()?.primary.as_deref()
    }

    pub(crate) fn handling_view(&self) -> Option<&HandlingView> {
        self.handling.as_deref()
    }

    /// Refuses a unit the organisation does not have, one the case accuses, and for a matter
    /// for functional departments (its `category`) one at the grass roots.
    fn check_unit(
        &self,
        unit: &str,
        accused: Option<&str>,
        category: Option<&str>,
        env: CommandContext<'_>,
    ) -> Result<(), CaseError> {
        let Some(org) = env.org else {
            // Without an organisation only the accused unit itself is known.
            return match accused.filter(|a| unit == *a) {
                Some(a) => Err(OrgError::AccusedUnit {
                    unit: unit.to_owned(),
                    accused: a.to_owned(),
                }
                .into()),
                None => Ok(()),
            };
        };
        if !org.has(unit) {
            return Err(OrgError::UnknownUnit {
                unit: unit.to_owned(),
            }
            .into());
        }
        Ok(org.check_barred(unit, accused, category)?)
    }

    /// A case opened with its unit already set is held to the same rules as a dispatch.
    pub(crate) fn check_opening_unit(&self, env: CommandContext<'_>) -> Result<(), CaseError> {
        if env.recorded.is_some() {
            return Ok(());
        }
        match self.handling_unit() {
            Some(unit) => self.check_unit(unit, self.accused_unit(), self.category(), env),
            None => Ok(()),
        }
    }

    /// `case.window_closed` when the transition is bounded by an SLA rule whose deadline passed.
    pub(crate) fn check_window(
        &self,
        t: &Transition,
        cmd: &crate::case::Command<'_>,
        env: CommandContext<'_>,
    ) -> Result<(), CaseError> {
        let (Some(s), None) = (t.within, env.recorded) else {
            return Ok(());
        };
        let wf = &*self.workflow;
        let (Some(rule), Some(clock)) =
            (wf.slas.get(usize::from(s)), self.clocks.get(usize::from(s)))
        else {
            return Ok(());
        };
        let closed = |due_at| CaseError::WindowClosed {
            transition: t.id.to_string(),
            sla: rule.id.to_string(),
            due_at,
        };
        if !clock.active() {
            return Err(closed(None));
        }
        let cal = env.calendars.get(&*rule.calendar).ok_or_else(|| {
            crate::calendar::CalendarError::NotFound {
                id: rule.calendar.to_string(),
            }
        })?;
        if let Some(d) = crate::case::sla_clock::deadline(rule, clock, cal, cmd.at)? {
            if cmd.at > d.due {
                return Err(closed(Some(d.due)));
            }
        }
        Ok(())
    }

    /// Checks what the transition's action needs and decides what it changes.
    pub(crate) fn decide_action(
        &self,
        t: &Transition,
        payload: &[(u16, Value)],
        cmd: &crate::case::Command<'_>,
        env: CommandContext<'_>,
    ) -> Result<Plan, CaseError> {
        let Some(h) = self.handling_config() else {
            return Ok(Plan::default());
        };
        let mut plan = Plan::default();
        let value_of = |field: u16| given(payload, field).or_else(|| self.field_value(field));
        // What the case will hold after the command: a payload value counts only for a field
        // the transition sets, so that a category or an accusation given and not kept cannot
        // steer a check.
        let kept = |field: u16| match t.set.contains(&field) {
            true => value_of(field),
            false => self.field_value(field),
        };
        let accused = h.accused_field.and_then(|f| str_value(kept(f)));
        let category = h.category_field.and_then(|f| str_value(kept(f)));
        let missing = |field: u16| CaseError::Fields {
            place: FieldSource::Payload,
            problems: vec![FieldProblem::MissingPayload {
                field: self.workflow.field(field).map_or("", |f| &f.id).to_owned(),
                transition: t.id.to_string(),
            }],
        };
        let lead = || -> Result<&str, CaseError> {
            let unit = self
                .handling_unit()
                .ok_or_else(|| CaseError::NotDispatched {
                    case_id: self.id.to_string(),
                })?;
            if cmd.actor.unit.as_deref() != Some(unit) {
                return Err(CaseError::NotLeadUnit {
                    actor_unit: cmd.actor.unit.clone(),
                    lead: unit.to_owned(),
                });
            }
            Ok(unit)
        };
        let named = str_value(given(payload, h.unit_field));
        match t.action {
            Some(Action::Dispatch) => {
                let (unit, route) = match (named, env.recorded) {
                    (Some(unit), recorded) => {
                        (unit.to_owned(), recorded.and_then(|r| r.route.clone()))
                    }
                    (None, Some(_)) => return Err(missing(h.unit_field)),
                    (None, None) => {
                        let org = env.org.ok_or(OrgError::NotLoaded)?;
                        let region = h.region_field.and_then(|f| str_value(kept(f)));
                        let route = org.route(category, region, accused)?;
                        (route.unit.clone(), Some(route))
                    }
                };
                if env.recorded.is_none() {
                    self.check_unit(&unit, accused, category, env)?;
                }
                if named.is_none() {
                    let mut with_unit: Vec<(u16, Value)> = payload.to_vec();
                    with_unit.push((h.unit_field, Value::Str(unit.as_str().into())));
                    with_unit.sort_by_key(|(ix, _)| *ix);
                    plan.payload = Some(with_unit.into());
                }
                plan.change.route = route;
                plan.change.unit = Some(Some(unit));
            }
            Some(Action::Transfer) => {
                let unit = named.ok_or_else(|| missing(h.unit_field))?;
                if env.recorded.is_none() {
                    self.check_unit(unit, accused, category, env)?;
                }
                plan.change.unit = Some(Some(unit.to_owned()));
            }
            Some(Action::Return) => {
                lead()?;
                plan.change.unit = Some(None);
            }
            Some(Action::Assist) => {
                let (due_at, units) = self.decide_assist(h, payload, accused, cmd, env, missing)?;
                plan.change.opinions_due_at = due_at;
                plan.change.assists = units;
            }
            Some(Action::Reply) => {
                lead()?;
                let waiting = self
                    .handling
                    .as_deref()
                    .map(HandlingView::opinions_due)
                    .unwrap_or_default();
                if h.assist.as_ref().is_some_and(|a| a.opinions_before_reply) && !waiting.is_empty()
                {
                    return Err(CaseError::OpinionsPending { units: waiting });
                }
            }
            Some(Action::Callback) => {
                let cb = h
                    .callback
                    .as_ref()
                    .ok_or_else(|| self.no_section("handling.callback"))?;
                let flag = |f: u16| matches!(value_of(f), Some(Value::Bool(true)));
                plan.change.callback = Some(CallbackView {
                    at: cmd.at,
                    contacted: flag(cb.contacted),
                    solved: flag(cb.solved),
                    satisfaction: str_value(given(payload, cb.satisfaction)).map(str::to_owned),
                    comment: cb
                        .comment
                        .and_then(|f| str_value(given(payload, f)))
                        .map(str::to_owned),
                });
            }
            Some(Action::Reopen) => self.check_reopen(h)?,
            Some(Action::LegalRoute) => {
                let field = h
                    .legal_route_field
                    .ok_or_else(|| self.no_section("handling.legal_route_field"))?;
                str_value(given(payload, field)).ok_or_else(|| missing(field))?;
            }
            None => {
                // A transition that writes the unit field directly is held to the same rules.
                if let (Some(unit), true) = (named, t.set.contains(&h.unit_field)) {
                    if env.recorded.is_none() {
                        self.check_unit(unit, accused, category, env)?;
                    }
                }
            }
        }
        // A transition that sets the category or the accused unit is checked against the unit
        // the case keeps: a matter made a departments' one must not stay at the grass roots.
        let resets = [h.category_field, h.accused_field]
            .iter()
            .flatten()
            .any(|f| t.set.contains(f));
        let kept_unit = match &plan.change.unit {
            Some(unit) => unit.as_deref(),
            None => self.handling_unit(),
        };
        if let (true, Some(unit), None) = (resets, kept_unit, env.recorded) {
            self.check_unit(unit, accused, category, env)?;
        }
        Ok(plan)
    }

    /// Co-handling (协办): the units asked for opinions, none the lead unit or one already
    /// owing an opinion, and when their opinions are due.
    fn decide_assist(
        &self,
        h: &Handling,
        payload: &[(u16, Value)],
        accused: Option<&str>,
        cmd: &crate::case::Command<'_>,
        env: CommandContext<'_>,
        missing: impl Fn(u16) -> CaseError,
    ) -> Result<(Option<i64>, Vec<String>), CaseError> {
        let a = h
            .assist
            .as_ref()
            .ok_or_else(|| self.no_section("handling.assist"))?;
        let lead_unit = self
            .handling_unit()
            .ok_or_else(|| CaseError::NotDispatched {
                case_id: self.id.to_string(),
            })?;
        let Some(Value::List(units)) = given(payload, a.units_field) else {
            return Err(missing(a.units_field));
        };
        let pending = self
            .handling
            .as_deref()
            .map(HandlingView::opinions_due)
            .unwrap_or_default();
        for (i, unit) in units.iter().enumerate() {
            let refuse = |reason| CaseError::InvalidAssist {
                unit: unit.to_string(),
                reason,
            };
            if **unit == *lead_unit {
                return Err(refuse("it is the lead unit"));
            }
            if pending.iter().any(|p| **p == **unit) || units.iter().take(i).any(|u| u == unit) {
                return Err(refuse("it already has an opinion due"));
            }
            // An assisting unit gives an opinion; it does not take the matter over, so the
            // grass-roots rule for departments' matters does not bar it.
            if env.recorded.is_none() {
                self.check_unit(unit, accused, None, env)?;
            }
        }
        let due_at = match env.recorded {
            Some(r) => r.due_at,
            None => Some(self.deadline_after(cmd.at, a.opinion_within, env)?),
        };
        Ok((due_at, units.iter().map(ToString::to_string).collect()))
    }

    /// Reopening: only after an unsolved or unsatisfied callback, and at most the limit.
    fn check_reopen(&self, h: &Handling) -> Result<(), CaseError> {
        let cb = h
            .callback
            .as_ref()
            .ok_or_else(|| self.no_section("handling.callback"))?;
        let record = self.handling.as_deref();
        let unhappy = record.and_then(|r| r.callbacks.last()).is_some_and(|c| {
            let level = c.satisfaction.as_deref().and_then(|v| cb.level(v));
            !c.solved || level.is_some_and(|l| l.poor)
        });
        if !unhappy {
            return Err(CaseError::ReopenNotAllowed {
                case_id: self.id.to_string(),
            });
        }
        if record.map_or(0, |r| r.reopens) >= cb.reopen_limit {
            return Err(CaseError::ReopenLimit {
                case_id: self.id.to_string(),
                limit: cb.reopen_limit,
            });
        }
        Ok(())
    }

    pub(super) fn no_section(&self, section: &'static str) -> CaseError {
        CaseError::NoHandling {
            workflow: self.workflow.id().to_owned(),
            section,
        }
    }

    /// `at` plus `d` on the handling calendar.
    fn deadline_after(
        &self,
        at: i64,
        d: crate::calendar::working_time::Duration,
        env: CommandContext<'_>,
    ) -> Result<i64, CaseError> {
        let id = self
            .handling_config()
            .and_then(|h| h.calendar.as_deref())
            .unwrap_or_default();
        let cal = env
            .calendars
            .get(id)
            .ok_or_else(|| crate::calendar::CalendarError::NotFound { id: id.to_owned() })?;
        Ok(cal.add(at, d)?.at)
    }

    /// Writes what the plan decided; the note keeps the decisions replay must repeat.
    pub(crate) fn record_action(
        &mut self,
        change: Change,
        t: &Transition,
        cmd: &crate::case::Command<'_>,
    ) -> Option<Decisions> {
        let unit_field = self.handling_config()?.unit_field;
        let bounce_after = self.handling_config()?.bounce_after;
        if let Some(unit) = &change.unit {
            if let Some(slot) = self.fields.get_mut(usize::from(unit_field)) {
                *slot = unit.as_deref().map(|u| Value::Str(u.into()));
            }
        }
        let record = self.handling.as_deref_mut()?;
        match t.action {
            Some(Action::Dispatch) | Some(Action::Transfer) => {
                record.dispatched_by = cmd.actor.unit.clone();
                if t.action == Some(Action::Transfer) {
                    record.transfers += 1;
                }
                if change.route.is_some() || t.action == Some(Action::Dispatch) {
                    record.route = change.route.clone();
                }
            }
            Some(Action::Return) => record.returns += 1,
            Some(Action::Assist) => {
                let due_at = change.opinions_due_at.unwrap_or(cmd.at);
                record
                    .assisting
                    .extend(change.assists.iter().map(|unit| AssistView {
                        unit: unit.clone(),
                        since: cmd.at,
                        due_at,
                        answered_at: None,
                        opinion: None,
                        overdue: false,
                    }));
            }
            Some(Action::Reply) => record.replied_at = Some(cmd.at),
            Some(Action::Callback) => record.callbacks.extend(change.callback),
            Some(Action::Reopen) => record.reopens += 1,
            Some(Action::LegalRoute) | None => {}
        }
        record.unit = self
            .fields
            .get(usize::from(unit_field))
            .and_then(|v| str_value(v.as_ref()))
            .map(str::to_owned);
        if bounce_after.is_some_and(|n| record.transfers + record.returns > n) {
            record.bounced = true;
        }
        (change.route.is_some() || change.opinions_due_at.is_some()).then_some(Decisions {
            route: change.route,
            due_at: change.opinions_due_at,
        })
    }

    /// Appends an event and the effects it has for the outside world.
    pub(crate) fn push(&mut self, event: Event) {
        let seq = self.history.len() as u64;
        self.history.push(event);
        let mut emit = Emit::new(seq, self.workflow.definition().citizen);
        if let Some(event) = self.history.last() {
            crate::case::effect_records::effects(self, event, &mut emit);
        }
        let new = emit.done();
        // Exactly at first: most cases have one or two effects in all, and keep them for life.
        // Later growth doubles, so that a long case does not reallocate at every effect.
        if self.effects.is_empty() {
            self.effects.reserve_exact(new.len());
        }
        self.effects.extend(new);
    }

    /// The effects of the events from `seq` on.
    pub fn effects_since(&self, seq: usize) -> Vec<crate::case::effect::Effect> {
        self.effects
            .iter()
            .filter(|e| e.seq >= seq as u64)
            .map(|e| e.effect(self))
            .collect()
    }
}

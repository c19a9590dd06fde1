//! What each event asks of the outside world, and how a case keeps it.
//!
//! A case keeps its effects as [`KeptEffect`] records: an [`Effect`] less what the case already
//! knows (its id, its own channel, its workflow's state and transition ids), so that an open
//! case stays small and an event with an effect allocates nothing more. [`KeptEffect::effect`]
//! gives the full `Effect` back, with the same id (`<case id>#<seq>.<n>`) after replay.

use crate::case::effect::{Effect, EffectKind};
use crate::case::sla_clock::TimerKind;
use crate::case::{Case, Event, EventKind};
use crate::org::handling::{HandlingView, Level, Task};
use crate::value::Value;
use crate::workflow::handling::Action;

/// One effect as its case keeps it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KeptEffect {
    /// The position of the event that caused it.
    pub seq: u64,
    /// Its number among that event's effects.
    pub n: u32,
    pub kind: EffectKind,
    pub level: Option<Level>,
    pub reason: &'static str,
    pub detail: Detail,
    pub unit: Option<Box<str>>,
    /// What few effects carry; a citizen notice without it goes to the case's own channel.
    pub extra: Option<Box<Extra>>,
}

/// An effect's `detail`, by reference to the workflow where it can be.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Detail {
    None,
    State(u16),
    Transition(u16),
    Text(Box<str>),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Extra {
    /// A citizen notice to another case's channel (a linked duplicate): that case and channel.
    pub channel: Option<(Box<str>, Box<str>)>,
    pub role: Option<Box<str>>,
    pub by: Option<Box<str>>,
}

impl KeptEffect {
    /// Its id, `<case id>#<seq>.<n>`.
    pub(crate) fn id(&self, case_id: &str) -> String {
        format!("{case_id}#{}.{}", self.seq, self.n)
    }

    /// The effect in full; `case` is the case that keeps it.
    pub(crate) fn effect(&self, case: &Case) -> Effect {
        let wf = case.workflow();
        let extra = self.extra.as_deref();
        let owned = |s: &Option<Box<str>>| s.as_deref().map(str::to_owned);
        let (channel_case, channel) = match extra.and_then(|x| x.channel.as_ref()) {
            Some((c, channel)) => (Some(c.to_string()), Some(channel.to_string())),
            None if self.kind == EffectKind::NotifyCitizen => {
                (Some(case.id().to_owned()), Some(case.channel().to_owned()))
            }
            None => (None, None),
        };
        Effect {
            id: self.id(case.id()),
            case_id: case.id().to_owned(),
            seq: self.seq,
            kind: self.kind,
            reason: self.reason.to_owned(),
            channel,
            channel_case,
            unit: owned(&self.unit),
            role: extra.and_then(|x| owned(&x.role)),
            level: self.level,
            by: extra.and_then(|x| owned(&x.by)),
            detail: match &self.detail {
                Detail::None => None,
                Detail::State(s) => Some(wf.state_id(*s).to_owned()),
                Detail::Transition(t) => Some(wf.transition_id(*t).to_owned()),
                Detail::Text(text) => Some(text.to_string()),
            },
        }
    }
}

/// Collects the effects of one event, numbering them.
pub(crate) struct Emit {
    seq: u64,
    out: Vec<KeptEffect>,
    /// Whether the workflow has a citizen to tell (`citizen` in its definition).
    citizen: bool,
}

impl Emit {
    pub(crate) fn new(seq: u64, citizen: bool) -> Self {
        Emit {
            seq,
            out: Vec::new(),
            citizen,
        }
    }

    fn add(&mut self, kind: EffectKind, reason: &'static str, fill: impl FnOnce(&mut KeptEffect)) {
        if kind == EffectKind::NotifyCitizen && !self.citizen {
            return;
        }
        let mut effect = KeptEffect {
            seq: self.seq,
            // An event has a few effects per unit or linked case it tells: far below u32.
            n: self.out.len() as u32,
            kind,
            level: None,
            reason,
            detail: Detail::None,
            unit: None,
            extra: None,
        };
        fill(&mut effect);
        self.out.push(effect);
    }

    fn unit(&mut self, unit: Option<&str>, reason: &'static str) {
        if let Some(unit) = unit {
            self.add(EffectKind::NotifyUnit, reason, |e| {
                e.unit = Some(unit.into())
            });
        }
    }

    /// Tells the citizen on the case's own channel, then on each linked duplicate's.
    fn citizen(&mut self, case: &Case, reason: &'static str, detail: impl Fn() -> Detail) {
        self.add(EffectKind::NotifyCitizen, reason, |e| e.detail = detail());
        for l in case.handling_view().map_or(&[][..], |h| &h.linked) {
            self.citizen_at(&l.case_id, &l.channel, reason, detail());
        }
    }

    /// Tells the citizen on the channel of case `case_id`, another case.
    fn citizen_at(&mut self, case_id: &str, channel: &str, reason: &'static str, detail: Detail) {
        self.add(EffectKind::NotifyCitizen, reason, |e| {
            e.detail = detail;
            e.extra = Some(Box::new(Extra {
                channel: Some((case_id.into(), channel.into())),
                ..Extra::default()
            }));
        });
    }

    pub(crate) fn done(self) -> Vec<KeptEffect> {
        self.out
    }
}

fn text(s: &str) -> Detail {
    Detail::Text(s.into())
}

/// The effects of `event`, the last event of `case`, on the case as it is after it.
pub(crate) fn effects(case: &Case, event: &Event, emit: &mut Emit) {
    let wf = case.workflow();
    let record = case.handling_view();
    match &event.kind {
        EventKind::Opened(_) => {}
        // A duplicate linked after the primary's reply still gets that reply on its channel.
        EventKind::DuplicateLinked(d) => {
            if record.is_some_and(|r| r.replied_at.is_some()) {
                emit.citizen_at(&d.case_id, &d.channel, "reply", Detail::None);
            }
        }
        EventKind::Transitioned {
            transition,
            to,
            carried,
            ..
        } => transition_effects(case, record, *transition, *to, carried, emit),
        EventKind::SlaTimer(timer) => {
            let crate::case::event::TimerEvent {
                sla, kind, step, ..
            } = &**timer;
            let Some(rule) = wf.definition().slas.get(usize::from(*sla)) else {
                return;
            };
            let (reason, step_id, notify) = match kind {
                TimerKind::Warning => {
                    let w = rule.warnings.get(usize::from(*step));
                    ("sla_warning", w.map(|w| &w.id), w.map(|w| &w.notify))
                }
                TimerKind::Breach => {
                    let b = rule.on_breach.get(usize::from(*step));
                    ("sla_breach", b.map(|b| &b.id), b.map(|b| &b.notify))
                }
            };
            for role in notify.into_iter().flatten() {
                emit.add(EffectKind::NotifyRole, reason, |e| {
                    if let Some(s) = step_id {
                        e.detail = Detail::Text(format!("{}/{s}", rule.id).into());
                    }
                    e.extra = Some(Box::new(Extra {
                        role: Some(role.as_str().into()),
                        ..Extra::default()
                    }));
                });
            }
        }
        EventKind::SlaExtended(x) => {
            let rule = wf.slas.get(usize::from(x.sla)).map(|r| &*r.id);
            emit.citizen(case, "extended", || rule.map_or(Detail::None, text));
        }
        EventKind::Opinion { .. } => {
            emit.unit(record.and_then(|r| r.unit.as_deref()), "opinion_submitted");
        }
        EventKind::SupervisionRaised(raised) => {
            emit.add(EffectKind::SupervisionNotice, "supervision", |e| {
                e.unit = record.and_then(|r| r.unit.as_deref()).map(Into::into);
                e.level = Some(raised.level);
                e.extra = Some(Box::new(Extra {
                    by: Some(raised.unit.clone()),
                    ..Extra::default()
                }));
            });
        }
        EventKind::SupervisionAnswered(answered) => {
            let by = record
                .and_then(|r| r.supervisions.get(answered.index))
                .map(|s| s.unit.as_str());
            emit.unit(by, "supervision_answered");
        }
        EventKind::Overdue(overdue) => overdue_effects(record, &overdue.task, emit),
        EventKind::Linked { primary } => {
            emit.add(EffectKind::NotifyCitizen, "linked", |e| {
                e.detail = text(primary)
            });
        }
    }
}

/// What a transition asks for: its action's notices, a bounced case flagged, the citizen told.
fn transition_effects(
    case: &Case,
    record: Option<&HandlingView>,
    transition: u16,
    to: u16,
    carried: &Option<Box<crate::case::TransitionExtras>>,
    emit: &mut Emit,
) {
    let wf = case.workflow();
    let Some(t) = wf.transition(transition) else {
        return;
    };
    let unit = record.and_then(|r| r.unit.as_deref());
    match t.action {
        Some(Action::Dispatch) => emit.unit(unit, "dispatched"),
        Some(Action::Transfer) => emit.unit(unit, "transferred"),
        Some(Action::Return) => {
            emit.unit(record.and_then(|r| r.dispatched_by.as_deref()), "returned");
        }
        Some(Action::Assist) => {
            let field = wf
                .handling
                .as_ref()
                .and_then(|h| h.assist.as_ref())
                .map(|a| a.units_field);
            let payload = crate::case::payload_of(carried);
            let asked = payload.iter().find(|(ix, _)| Some(*ix) == field);
            if let Some((_, Value::List(units))) = asked {
                for u in units.iter() {
                    emit.unit(Some(u), "assist_requested");
                }
            }
        }
        Some(Action::Reply) => {
            emit.citizen(case, "reply", || Detail::None);
            emit.add(EffectKind::PublishReply, "reply", |_| {});
        }
        // The route, by its id, on every channel the matter came from.
        Some(Action::LegalRoute) => {
            let field = wf.handling.as_ref().and_then(|h| h.legal_route_field);
            let payload = crate::case::payload_of(carried);
            let route = payload.iter().find(|(ix, _)| Some(*ix) == field);
            if let Some((_, Value::Str(route))) = route {
                emit.citizen(case, "legal_route", || text(route));
            }
        }
        _ => {}
    }
    let bounce = wf.handling.as_ref().and_then(|h| h.bounce_after);
    if let (Some(n), Some(r)) = (bounce, record) {
        let moved = matches!(t.action, Some(Action::Transfer | Action::Return));
        if moved && r.transfers + r.returns == n + 1 {
            emit.add(EffectKind::Flag, "bounced", |e| {
                e.unit = r.dispatched_by.as_deref().map(Into::into)
            });
        }
    }
    if t.notify_citizen {
        emit.citizen(case, "notice", || Detail::Transition(transition));
    }
    if let Some(field) = t.publish {
        let payload = crate::case::payload_of(carried);
        for channel in crate::case::publish_channels(case, t, field, payload) {
            emit.add(EffectKind::Publish, "publish", |e| {
                e.detail = Detail::Transition(transition);
                e.extra = Some(Box::new(Extra {
                    channel: Some((case.id().into(), channel.into())),
                    ..Extra::default()
                }));
            });
        }
    }
    if wf.is_terminal(to) && case.primary().is_none() {
        emit.citizen(case, "closed", || Detail::State(to));
    }
}

/// An overdue task: the unit that owes it and the lead unit are told, and it is flagged.
fn overdue_effects(record: Option<&HandlingView>, task: &Task, emit: &mut Emit) {
    let owed = record.and_then(|r| r.task(*task)).map(|(u, _)| u);
    let lead = record.and_then(|r| r.unit.as_deref());
    match task {
        // The assisting unit is reminded; the lead unit, who waits for it, is told.
        Task::Opinion(_) => {
            emit.unit(owed, "opinion_overdue");
            emit.unit(lead, "opinion_overdue");
        }
        // The supervising unit learns its deadline passed unanswered; the handling
        // unit gets a second notice.
        Task::Supervision(index) => {
            emit.unit(owed, "supervision_overdue");
            let level = record
                .and_then(|r| r.supervisions.get(*index))
                .map(|s| s.level);
            emit.add(EffectKind::SupervisionNotice, "supervision_overdue", |e| {
                e.unit = lead.map(Into::into);
                e.level = level;
                e.extra = owed.map(|by| {
                    Box::new(Extra {
                        by: Some(by.into()),
                        ..Extra::default()
                    })
                });
            });
        }
    }
    emit.add(EffectKind::Flag, "overdue", |e| {
        e.unit = owed.map(Into::into);
        e.detail = match task {
            Task::Opinion(_) => text("opinion"),
            Task::Supervision(i) => Detail::Text(format!("supervision/{i}").into()),
        };
    });
}

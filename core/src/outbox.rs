//! The outbox: what the host must do because of an event (tell a citizen, a unit or a role;
//! publish a reply; deliver a supervision notice; flag a bounced case), since the core does no
//! I/O. Each effect is produced with its event, so replay produces the same effects with the
//! same ids (`<case id>#<seq>.<n>`). The host drains them, delivers and acknowledges; an effect
//! not acknowledged is handed out again once its lease runs out (at least once).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::{Case, Event, EventKind};
use crate::clock::TimerKind;
use crate::error::ErrorDetail;
use crate::governance::Level;
use crate::governance::Task;
use crate::handling::Action;
use crate::value::Value;
use crate::workflow::FixedMap;

/// What kind of thing the host must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum EffectKind {
    /// Tell the citizen, on `channel` (the channel of case `channel_case`).
    NotifyCitizen,
    /// Tell a unit.
    NotifyUnit,
    /// Tell the people holding a role.
    NotifyRole,
    /// Publish the reply (subject to the public-view rules).
    PublishReply,
    /// Deliver a supervision notice to the handling unit.
    SupervisionNotice,
    /// Flag the case for supervision (`reason`: `bounced`, or `overdue` with `detail`
    /// `opinion` or `supervision/<n>`).
    Flag,
}

/// One thing the host must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Stable id, `<case id>#<seq>.<n>`: the same after replay, for de-duplication.
    pub id: String,
    /// The case whose event caused it.
    pub case_id: String,
    /// That event's position in the history.
    pub seq: u64,
    /// What to do.
    pub kind: EffectKind,
    /// Why: `dispatched`, `transferred`, `returned`, `assist_requested`, `opinion_submitted`,
    /// `reply`, `notice`, `closed`, `extended`, `linked`, `sla_warning`, `sla_breach`,
    /// `supervision`, `supervision_answered`, `bounced`, `opinion_overdue`,
    /// `supervision_overdue`, `overdue`.
    pub reason: String,
    /// The channel to use (citizen notices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The case the channel belongs to: this case, or a linked duplicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_case: Option<String>,
    /// The unit to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The role to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A supervision's level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The supervising unit of a supervision notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The transition, or `<sla>/<step>` of a timer, or the primary of a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Collects the effects of one event, numbering them.
pub(crate) struct Emit<'a> {
    case_id: &'a str,
    seq: u64,
    out: Vec<Effect>,
}

impl<'a> Emit<'a> {
    pub(crate) fn new(case_id: &'a str, seq: u64) -> Self {
        Emit {
            case_id,
            seq,
            out: Vec::new(),
        }
    }

    fn add(&mut self, kind: EffectKind, reason: &str, fill: impl FnOnce(&mut Effect)) {
        let n = self.out.len();
        let mut effect = Effect {
            id: format!("{}#{}.{n}", self.case_id, self.seq),
            case_id: self.case_id.to_owned(),
            seq: self.seq,
            kind,
            reason: reason.to_owned(),
            channel: None,
            channel_case: None,
            unit: None,
            role: None,
            level: None,
            by: None,
            detail: None,
        };
        fill(&mut effect);
        self.out.push(effect);
    }

    fn unit(&mut self, unit: Option<&str>, reason: &str) {
        if let Some(unit) = unit {
            self.add(EffectKind::NotifyUnit, reason, |e| {
                e.unit = Some(unit.to_owned())
            });
        }
    }

    fn citizen(&mut self, channels: &[(String, String)], reason: &str, detail: Option<&str>) {
        for (case, channel) in channels {
            self.add(EffectKind::NotifyCitizen, reason, |e| {
                e.channel = Some(channel.clone());
                e.channel_case = Some(case.clone());
                e.detail = detail.map(str::to_owned);
            });
        }
    }

    pub(crate) fn done(self) -> Vec<Effect> {
        self.out
    }
}

/// The effects of `event`, the last event of `case`, on the case as it is after it.
pub(crate) fn effects(case: &Case, event: &Event, emit: &mut Emit) {
    let wf = case.workflow();
    let record = case.handling_view();
    match &event.kind {
        EventKind::Opened { .. } => {}
        // A duplicate linked after the primary's reply still gets that reply on its channel.
        EventKind::DuplicateLinked { case_id, channel } => {
            if record.is_some_and(|r| r.replied_at.is_some()) {
                emit.citizen(&[(case_id.to_string(), channel.to_string())], "reply", None);
            }
        }
        EventKind::Transitioned {
            transition,
            to,
            payload,
            ..
        } => {
            let Some(t) = wf.transition(*transition) else {
                return;
            };
            let unit = record.and_then(|r| r.unit.as_deref());
            // Built only for the transitions that tell the citizen.
            let channels = || case.reply_channels();
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
                    let asked = payload.iter().find(|(ix, _)| Some(*ix) == field);
                    if let Some((_, Value::List(units))) = asked {
                        for u in units.iter() {
                            emit.unit(Some(u), "assist_requested");
                        }
                    }
                }
                Some(Action::Reply) => {
                    emit.citizen(&channels(), "reply", None);
                    emit.add(EffectKind::PublishReply, "reply", |_| {});
                }
                _ => {}
            }
            let bounce = wf.handling.as_ref().and_then(|h| h.bounce_after);
            if let (Some(n), Some(r)) = (bounce, record) {
                let moved = matches!(t.action, Some(Action::Transfer | Action::Return));
                if moved && r.transfers + r.returns == n + 1 {
                    emit.add(EffectKind::Flag, "bounced", |e| {
                        e.unit = r.dispatched_by.clone()
                    });
                }
            }
            if t.notify_citizen {
                emit.citizen(&channels(), "notice", Some(&t.id));
            }
            if wf.is_terminal(*to) && case.primary().is_none() {
                emit.citizen(&channels(), "closed", Some(wf.state_id(*to)));
            }
        }
        EventKind::SlaTimer {
            sla, kind, step, ..
        } => {
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
                    e.role = Some(role.clone());
                    e.detail = step_id.map(|s| format!("{}/{s}", rule.id));
                });
            }
        }
        EventKind::SlaExtended { sla, .. } => {
            let rule = wf.slas.get(usize::from(*sla)).map(|r| &*r.id);
            emit.citizen(&case.reply_channels(), "extended", rule);
        }
        EventKind::Opinion { .. } => {
            emit.unit(record.and_then(|r| r.unit.as_deref()), "opinion_submitted");
        }
        EventKind::SupervisionRaised { level, unit, .. } => {
            emit.add(EffectKind::SupervisionNotice, "supervision", |e| {
                e.unit = record.and_then(|r| r.unit.clone());
                e.by = Some(unit.to_string());
                e.level = Some(*level);
            });
        }
        EventKind::SupervisionAnswered { index, .. } => {
            let by = record
                .and_then(|r| r.supervisions.get(*index))
                .map(|s| s.unit.as_str());
            emit.unit(by, "supervision_answered");
        }
        EventKind::Overdue { task, .. } => {
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
                        e.unit = lead.map(str::to_owned);
                        e.by = owed.map(str::to_owned);
                        e.level = level;
                    });
                }
            }
            emit.add(EffectKind::Flag, "overdue", |e| {
                e.unit = owed.map(str::to_owned);
                e.detail = Some(match task {
                    Task::Opinion(_) => "opinion".to_owned(),
                    Task::Supervision(i) => format!("supervision/{i}"),
                });
            });
        }
        EventKind::Linked { primary } => {
            let own = [(case.id().to_owned(), case.channel().to_owned())];
            emit.citizen(&own, "linked", Some(primary));
        }
    }
}

/// An effect id that names no effect of any case.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no effect has id `{id}`")]
pub struct UnknownEffect {
    /// The id given.
    pub id: String,
    /// Its position in the request's list.
    pub index: usize,
}

impl UnknownEffect {
    /// The serializable form.
    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail::new("outbox.unknown_effect", self.to_string())
            .at(format!("/ids/{}", self.index))
    }
}

#[derive(Clone, Debug)]
struct Pending {
    case: Box<str>,
    index: usize,
    leased_until: i64,
}

/// The effects not acknowledged yet, in the order they were produced.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outbox {
    queue: BTreeMap<u64, Pending>,
    by_id: FixedMap<Box<str>, u64>,
    next: u64,
}

impl Outbox {
    /// Queues the effects of `case` from index `from` on.
    pub(crate) fn add(&mut self, case: &Case, from: usize) {
        for (index, e) in case.effects.iter().enumerate().skip(from) {
            // Queued twice, the first entry could never be acknowledged.
            if self.by_id.contains_key(e.id.as_str()) {
                continue;
            }
            self.queue.insert(
                self.next,
                Pending {
                    case: case.id().into(),
                    index,
                    leased_until: i64::MIN,
                },
            );
            self.by_id.insert(e.id.as_str().into(), self.next);
            self.next += 1;
        }
    }

    /// Up to `limit` effects whose lease has run out at `now`, oldest first; each is leased
    /// until `now + lease_ms`.
    pub(crate) fn drain(
        &mut self,
        cases: &FixedMap<Box<str>, Case>,
        now: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Vec<Effect> {
        let mut out = Vec::new();
        for p in self.queue.values_mut() {
            if out.len() >= limit {
                break;
            }
            if p.leased_until > now {
                continue;
            }
            if let Some(e) = cases.get(&p.case).and_then(|c| c.effects.get(p.index)) {
                p.leased_until = now.saturating_add(lease_ms);
                out.push(e.clone());
            }
        }
        out
    }

    /// Acknowledges effects: all or nothing. Returns how many were pending; ids already
    /// acknowledged are accepted again (delivery is at least once).
    ///
    /// # Errors
    /// [`UnknownEffect`] for the first id that names no effect.
    pub(crate) fn ack(
        &mut self,
        cases: &FixedMap<Box<str>, Case>,
        ids: &[String],
    ) -> Result<usize, UnknownEffect> {
        for (index, id) in ids.iter().enumerate() {
            if self.by_id.contains_key(id.as_str()) {
                continue;
            }
            let known = id
                .rsplit_once('#')
                .and_then(|(case, _)| cases.get(case))
                .is_some_and(|c| c.effects.iter().any(|e| e.id == *id));
            if !known {
                return Err(UnknownEffect {
                    id: id.clone(),
                    index,
                });
            }
        }
        let mut acked = 0;
        for id in ids {
            if let Some(n) = self.by_id.remove(id.as_str()) {
                self.queue.remove(&n);
                acked += 1;
            }
        }
        Ok(acked)
    }

    /// Ids of the pending effects, oldest first.
    pub(crate) fn pending_ids(&self, cases: &FixedMap<Box<str>, Case>) -> Vec<String> {
        self.queue
            .values()
            .filter_map(|p| cases.get(&p.case)?.effects.get(p.index))
            .map(|e| e.id.clone())
            .collect()
    }

    /// Number of pending effects.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Keeps only effects whose ids are listed, in the listed order (a restored snapshot).
    pub(crate) fn keep(&mut self, cases: &FixedMap<Box<str>, Case>, ids: &[String]) {
        let mut fresh = Outbox::default();
        for id in ids {
            let Some(&n) = self.by_id.get(id.as_str()) else {
                continue;
            };
            if let Some(p) = self.queue.get(&n) {
                if cases.contains_key(&p.case) {
                    fresh.queue.insert(fresh.next, p.clone());
                    fresh.by_id.insert(id.as_str().into(), fresh.next);
                    fresh.next += 1;
                }
            }
        }
        *self = fresh;
    }
}

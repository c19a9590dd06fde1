//! The outbox: what the host must do because of an event (tell a citizen, a unit or a role;
//! publish a reply; deliver a supervision notice; flag a bounced case), since the core does no
//! I/O. Each effect is produced with its event, so replay produces the same effects with the
//! same ids (`<case id>#<seq>.<n>`). The host drains them, delivers and acknowledges; an effect
//! not acknowledged is handed out again once its lease runs out (at least once).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::effect::Effect;
use crate::case::{Case, CaseError};
use crate::error::{Coded, ErrorDetail};
use crate::support::fx::FxMap;

/// Who holds the effects until they are delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum OutboxMode {
    /// The engine queues them until the host acknowledges them (`drain_outbox`,
    /// `ack_effects`): for an engine embedded without a store.
    #[default]
    Engine,
    /// The host does: effects are listed in the answers (`writes`) and the engine holds none,
    /// so nothing is refused for an outbox and any case may be archived; for a host with a
    /// store, whose outbox table is the record (`docs/persistence.md`).
    Host,
}

/// The outbox mode cannot change while the engine holds effects not yet acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pending} effects await acknowledgement: the outbox mode changes on an empty outbox")]
pub struct OutboxNotEmpty {
    /// Effects pending.
    pub pending: usize,
}

impl Coded for OutboxNotEmpty {
    fn code(&self) -> &'static str {
        "outbox.not_empty"
    }

    fn detail(&self, prefix: &str) -> ErrorDetail {
        ErrorDetail::new(self.code(), self.to_string()).at(format!("{prefix}/outbox"))
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

impl Coded for UnknownEffect {
    fn code(&self) -> &'static str {
        "outbox.unknown_effect"
    }

    /// At the id in the request's list, under `prefix`.
    fn detail(&self, prefix: &str) -> ErrorDetail {
        ErrorDetail::new(self.code(), self.to_string()).at(format!("{prefix}/ids/{}", self.index))
    }
}

#[derive(Clone, Debug)]
struct Pending {
    case: std::sync::Arc<str>,
    index: usize,
    leased_until: i64,
}

/// The effects not acknowledged yet, in the order they were produced.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outbox {
    queue: BTreeMap<u64, Pending>,
    by_id: FxMap<Box<str>, u64>,
    next: u64,
    pub(crate) mode: OutboxMode,
}

impl Outbox {
    /// An empty outbox in `mode`.
    pub(crate) fn empty(mode: OutboxMode) -> Outbox {
        Outbox {
            mode,
            ..Outbox::default()
        }
    }

    /// Queues the effects of `case` from index `from` on.
    pub(crate) fn add(&mut self, case: &Case, from: usize) {
        if self.mode == OutboxMode::Host {
            return;
        }
        for (index, e) in case.effects.iter().enumerate().skip(from) {
            let id = e.id(case.id());
            // Queued twice, the first entry could never be acknowledged.
            if self.by_id.contains_key(id.as_str()) {
                continue;
            }
            self.queue.insert(
                self.next,
                Pending {
                    case: case.id.clone(),
                    index,
                    leased_until: i64::MIN,
                },
            );
            self.by_id.insert(id.into(), self.next);
            self.next += 1;
        }
    }

    /// Up to `limit` effects whose lease has run out at `now`, oldest first; each is leased
    /// until `now + lease_ms`.
    pub(crate) fn drain(
        &mut self,
        cases: &crate::engine::CaseMap,
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
            if let Some(c) = cases.get(&p.case) {
                if let Some(e) = c.effects.get(p.index) {
                    p.leased_until = now.saturating_add(lease_ms);
                    out.push(e.effect(c));
                }
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
        cases: &crate::engine::CaseMap,
        ids: &[String],
    ) -> Result<usize, UnknownEffect> {
        for (index, id) in ids.iter().enumerate() {
            if self.by_id.contains_key(id.as_str()) {
                continue;
            }
            let known = id
                .rsplit_once('#')
                .and_then(|(case, _)| cases.get(case))
                .is_some_and(|c| c.effects.iter().any(|e| e.id(c.id()) == *id));
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
    pub(crate) fn pending_ids(&self, cases: &crate::engine::CaseMap) -> Vec<String> {
        self.queue
            .values()
            .filter_map(|p| {
                let c = cases.get(&p.case)?;
                Some(c.effects.get(p.index)?.id(c.id()))
            })
            .collect()
    }

    /// Number of effects of `case` not acknowledged yet.
    pub(crate) fn pending_of(&self, case: &Case) -> usize {
        let id = case.id();
        case.effects
            .iter()
            .filter(|e| self.by_id.contains_key(e.id(id).as_str()))
            .count()
    }

    /// Drops the pending effects of `case`, which leaves the engine.
    pub(crate) fn forget(&mut self, case: &Case) {
        let id = case.id();
        for e in &case.effects {
            if let Some(n) = self.by_id.remove(e.id(id).as_str()) {
                self.queue.remove(&n);
            }
        }
    }

    /// Whether the engine holds its outbox and it holds `max_pending_effects` or more.
    pub(crate) fn is_full(&self, limits: &crate::limits::Limits) -> bool {
        self.mode == OutboxMode::Engine && self.queue.len() >= limits.max_pending_effects
    }

    /// `outbox.full` when the outbox is full and `after`, a command's result on `before`,
    /// queued an effect: a full outbox refuses only what would add to it.
    pub(crate) fn refuse_growth(
        &self,
        limits: &crate::limits::Limits,
        before: &Case,
        after: &Case,
    ) -> Result<(), CaseError> {
        if self.is_full(limits) && after.effects.len() > before.effects.len() {
            return Err(CaseError::OutboxFull {
                pending: self.queue.len(),
                limit: limits.max_pending_effects,
            });
        }
        Ok(())
    }

    /// Number of pending effects.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Keeps only effects whose ids are listed, in the listed order (a restored snapshot).
    pub(crate) fn keep(&mut self, cases: &crate::engine::CaseMap, ids: &[String]) {
        let mut fresh = Outbox::empty(self.mode);
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

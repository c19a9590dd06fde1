//! Actor and unit ids shared by the events that record them.
//!
//! Every event records who acted. A case's dozen events are mostly by a handful of staff, and
//! an engine's million cases by a few thousand: an event keeps a shared pointer to the id
//! instead of its own copy, which saves an allocation per event and most of its memory.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

use crate::case::{Actor, Event, EventKind};

/// The ids the engine has seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names(HashSet<Arc<str>, FxBuildHasher>);

impl Names {
    /// `name`, shared: kept for the events that will record it.
    pub(crate) fn share(&mut self, name: &str) -> Arc<str> {
        if let Some(kept) = self.0.get(name) {
            return kept.clone();
        }
        let kept: Arc<str> = name.into();
        self.0.insert(kept.clone());
        kept
    }

    /// Points the ids of `events` at the kept ones, keeping any new ones.
    pub(crate) fn share_events(&mut self, events: &mut [Event]) {
        for e in events {
            e.actor.id = self.share(&e.actor.id);
            if let Some(unit) = &mut e.actor.unit {
                *unit = self.share(unit);
            }
            if let EventKind::Opened(o) = &mut e.kind {
                o.channel = self.share(&o.channel);
            }
        }
    }

    /// The ids of `actor`, shared.
    pub(crate) fn share_actor(&mut self, actor: &Actor) -> SharedActor {
        SharedActor {
            id: self.share(&actor.id),
            unit: actor.unit.as_deref().map(|u| self.share(u)),
        }
    }

    /// Forgets `name` when no event holds it: a refused command must not grow the set.
    pub(crate) fn release(&mut self, name: &str) {
        if self.0.get(name).is_some_and(|n| Arc::strong_count(n) == 1) {
            self.0.remove(name);
        }
    }

    /// Number of ids kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// An actor's ids as the engine shares them, found before a command runs.
#[derive(Debug)]
pub(crate) struct SharedActor {
    pub id: Arc<str>,
    pub unit: Option<Arc<str>>,
}

impl SharedActor {
    /// The ids of `actor`: these when they are its own, else new copies.
    pub(crate) fn of(shared: Option<&SharedActor>, actor: &Actor) -> (Arc<str>, Option<Arc<str>>) {
        match shared.filter(|s| *s.id == *actor.id && s.unit.as_deref() == actor.unit.as_deref()) {
            Some(s) => (s.id.clone(), s.unit.clone()),
            None => (
                actor.id.as_str().into(),
                actor.unit.as_deref().map(Into::into),
            ),
        }
    }
}

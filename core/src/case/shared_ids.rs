//! Actor and unit ids, and actor records, shared by the events that record them.
//!
//! Every event records who acted. A case's dozen events are mostly by a handful of staff, and
//! an engine's million cases by a few thousand: an event keeps one shared pointer to a record
//! of the actor's id, unit and role bits instead of its own copy, which saves an allocation per
//! event and most of its memory. The role bits are read through the case's own workflow, so
//! one record serves every workflow that gives the actor the same bits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

use crate::case::{Actor, ActorRecord, Event, EventKind};
use crate::workflow::Workflow;

/// An actor record's key: the addresses of its shared id and unit, and its roles. An id kept
/// in the table is alive (the record holds it), so its address names it.
type ActorKey = (usize, u64, usize);

fn key(id: &Arc<str>, roles: u64, unit: Option<&Arc<str>>) -> ActorKey {
    let at = |s: &Arc<str>| Arc::as_ptr(s).cast::<u8>() as usize;
    (at(id), roles, unit.map_or(0, at))
}

/// The ids and actor records the engine has seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    names: HashSet<Arc<str>, FxBuildHasher>,
    actors: HashMap<ActorKey, ActorRecord, FxBuildHasher>,
}

impl Names {
    /// `name`, shared: kept for the events that will record it.
    pub(crate) fn share(&mut self, name: &str) -> Arc<str> {
        if let Some(kept) = self.names.get(name) {
            return kept.clone();
        }
        let kept: Arc<str> = name.into();
        self.names.insert(kept.clone());
        kept
    }

    /// The record of `id` with `roles` in `unit` (ids already shared), kept for the events
    /// that will record it.
    fn record(&mut self, id: Arc<str>, roles: u64, unit: Option<Arc<str>>) -> ActorRecord {
        self.actors
            .entry(key(&id, roles, unit.as_ref()))
            .or_insert_with(|| ActorRecord::new(id, roles, unit))
            .clone()
    }

    /// Points the ids and actors of `events` at the kept ones, keeping any new ones.
    pub(crate) fn share_events(&mut self, events: &mut [Event]) {
        for e in events {
            let id = self.share(&e.actor.id);
            let unit = e.actor.unit.as_deref().map(|u| self.share(u));
            e.actor = self.record(id, e.actor.roles, unit);
            if let EventKind::Opened(o) = &mut e.kind {
                o.channel = self.share(&o.channel);
            }
        }
    }

    /// The ids of `actor`, shared, with its record in `workflow` (that of the case it acts on)
    /// when known.
    pub(crate) fn share_actor(
        &mut self,
        actor: &Actor,
        workflow: Option<&Workflow>,
    ) -> SharedActor {
        let id = self.share(&actor.id);
        let unit = actor.unit.as_deref().map(|u| self.share(u));
        let record = workflow.map(|wf| {
            let roles = wf.role_mask(&actor.roles);
            (address(wf), self.record(id.clone(), roles, unit.clone()))
        });
        SharedActor { id, unit, record }
    }

    /// Forgets what `shared` kept when the command it was found for was refused and no event
    /// holds it: a refused command must not grow the table.
    pub(crate) fn release_actor(&mut self, shared: SharedActor, refused: bool) {
        let SharedActor { id, unit, record } = shared;
        if let Some((_, r)) = record.filter(|(_, r)| refused && r.unused()) {
            self.actors.remove(&key(&id, r.roles, unit.as_ref()));
        }
    }

    /// Forgets `name` when no event holds it: a refused command must not grow the set.
    pub(crate) fn release(&mut self, name: &str) {
        if self
            .names
            .get(name)
            .is_some_and(|n| Arc::strong_count(n) == 1)
        {
            self.names.remove(name);
        }
    }

    /// Number of ids and actor records kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.names.len() + self.actors.len()
    }
}

/// An actor's ids as the engine shares them, found before a command runs.
#[derive(Debug)]
pub(crate) struct SharedActor {
    pub id: Arc<str>,
    pub unit: Option<Arc<str>>,
    /// The actor's record with its role bits in the case's workflow, and that workflow's
    /// address.
    pub record: Option<(usize, ActorRecord)>,
}

/// A workflow's address: the one a command's case holds is alive while the command runs.
fn address(wf: &Workflow) -> usize {
    std::ptr::from_ref(wf) as usize
}

impl SharedActor {
    /// The record of `actor` in `wf`: the shared one when it is that, else a new one.
    pub(crate) fn record(
        shared: Option<&SharedActor>,
        actor: &Actor,
        wf: &Workflow,
    ) -> ActorRecord {
        match shared.filter(|s| *s.id == *actor.id && s.unit.as_deref() == actor.unit.as_deref()) {
            Some(s) => match &s.record {
                Some((at, r)) if *at == address(wf) => r.clone(),
                _ => ActorRecord::new(s.id.clone(), wf.role_mask(&actor.roles), s.unit.clone()),
            },
            None => ActorRecord::new(
                actor.id.as_str().into(),
                wf.role_mask(&actor.roles),
                actor.unit.as_deref().map(Into::into),
            ),
        }
    }
}

//! What a host needs to keep an engine across crashes (`docs/persistence.md`): every answer
//! names all the events its command recorded, on its own case and on the cases linked to it,
//! and [`Engine::append_events`] takes stored events back, so that the last snapshot plus the
//! events stored since rebuild the same engine.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::case::{self, EventRecord};
use crate::case::{CaseError, HistoryError};
use crate::engine::Engine;

/// Events one command, or one timer, recorded on one case, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseEvents {
    /// The case.
    pub case_id: String,
    /// The events appended, in order.
    pub events: Vec<EventRecord>,
}

/// What [`Engine::append_events`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Events added to the case.
    pub appended: usize,
    /// Events the engine already held, the same ones, and skipped.
    pub held: usize,
}

/// Cases committed while a command runs, each with its number of events before its first
/// commit, in the order they were first committed.
pub(crate) type TouchedCases = Vec<(Arc<str>, usize)>;

impl Engine {
    /// Adds stored events to the case they belong to, as an answer gave them: a case's events
    /// from the `seq` the engine has reached on (its `opened` event for a case the engine does
    /// not hold). Each event is re-run through the checks of the command that recorded it and
    /// must come out the same, hash included; the case's effects are queued and its timers
    /// indexed as when it was recorded. Events the engine already holds are skipped when they
    /// are the same ones, so a journal replayed over a snapshot that has part of it is taken
    /// once. All or nothing: on error the engine is unchanged.
    ///
    /// # Errors
    /// `history.empty`; `history.bad_sequence` when `seq` does not count up by one or leaves a
    /// gap after the case's last event; `history.diverged` when an event the engine holds
    /// differs; `history.rejected` wrapping `case.not_found` for a case the engine does not
    /// hold whose events do not start at 0, and wrapping `case.history_full` or `outbox.full`
    /// when new events recorded by a caller come while the case or the outbox is at its limit,
    /// as the command would have been refused; `history.too_long` when the case would hold
    /// more events recorded by callers than the limit, so that the engine can always read back
    /// its own snapshot; the errors of [`Engine::replay`].
    pub fn append_events(
        &mut self,
        case_id: &str,
        events: &[EventRecord],
    ) -> Result<Appended, HistoryError> {
        let first = events.first().ok_or(HistoryError::Empty)?.seq();
        for (index, record) in events.iter().enumerate() {
            if record.seq().checked_sub(first) != Some(index as u64) {
                return Err(HistoryError::BadSequence {
                    index,
                    reason: "`seq` must count up by one",
                });
            }
        }
        self.check_length(events)?;
        let Some(case) = self.cases.get(case_id) else {
            return self.append_new(case_id, events);
        };
        let held = case.history.len();
        let start = usize::try_from(first).unwrap_or(usize::MAX);
        if start > held {
            return Err(HistoryError::BadSequence {
                index: 0,
                reason: "`seq` leaves a gap after the last event the engine holds",
            });
        }
        let overlap = (held - start).min(events.len());
        if overlap > 0 {
            let (have, _) = case.hashed(start);
            for (index, (given, have)) in events.iter().zip(have).take(overlap).enumerate() {
                if !same_event(given, have) {
                    return Err(HistoryError::Diverged {
                        index,
                        seq: given.seq(),
                    });
                }
            }
        }
        // The limits a caller's command meets, met by the events that record one.
        let by_caller = |i: usize| events.get(i).is_some_and(|r| !r.by_engine());
        if let Some(index) = (overlap..events.len()).find(|&i| by_caller(i)) {
            self.check_capacity(case)
                .map_err(|error| HistoryError::Rejected { index, error })?;
        }
        if overlap < events.len() {
            let mut changed = case.clone();
            case::continue_history(&mut changed, events, overlap)?;
            // A full outbox refuses the caller's events that queue an effect, as it refused
            // their command.
            let queued_by_caller = changed.effects.get(case.effects.len()..).and_then(|new| {
                new.iter()
                    .map(|e| (e.seq - first) as usize)
                    .find(|&i| by_caller(i))
            });
            if let Some(index) = queued_by_caller {
                self.check_outbox(case, &changed)
                    .map_err(|error| HistoryError::Rejected { index, error })?;
            }
            self.check_length(&changed.records(0))?;
            self.commit(changed);
        }
        Ok(Appended {
            appended: events.len() - overlap,
            held: overlap,
        })
    }

    /// A case the engine does not hold comes back whole, from its `opened` event.
    fn append_new(
        &mut self,
        case_id: &str,
        events: &[EventRecord],
    ) -> Result<Appended, HistoryError> {
        match events.first() {
            Some(EventRecord::Opened { case_id: id, .. }) if id != case_id => {
                Err(HistoryError::Mismatch {
                    index: 0,
                    recorded: id.clone(),
                    replayed: case_id.to_owned(),
                })
            }
            Some(EventRecord::Opened { .. }) => {
                self.restore_case(events)?;
                Ok(Appended {
                    appended: events.len(),
                    held: 0,
                })
            }
            _ => Err(HistoryError::Rejected {
                index: 0,
                error: CaseError::NotFound {
                    case_id: case_id.to_owned(),
                },
            }),
        }
    }

    /// Runs `command` and also answers the cases it committed, with their number of events
    /// before, so that an answer can name every event a command recorded
    /// (`docs/persistence.md`). An outer watch goes on and gets them too.
    pub(crate) fn watching<T>(
        &mut self,
        command: impl FnOnce(&mut Self) -> T,
    ) -> (T, TouchedCases) {
        let outer = self.touched.replace(Vec::new());
        let result = command(self);
        let touched = std::mem::replace(&mut self.touched, outer).unwrap_or_default();
        if let Some(outer) = self.touched.as_mut() {
            for (id, before) in &touched {
                note_touched(outer, id, *before);
            }
        }
        (result, touched)
    }

    /// The events that `touched` cases other than `case_id` gained, by case, hashed.
    pub(crate) fn events_of(&mut self, touched: TouchedCases, case_id: &str) -> Vec<CaseEvents> {
        touched
            .into_iter()
            .filter(|(id, _)| **id != *case_id)
            .filter_map(|(id, before)| {
                let case = self.cases.get_mut(&id)?;
                Some(CaseEvents {
                    case_id: id.to_string(),
                    events: case.history_sealed(before),
                })
            })
            .collect()
    }
}

/// Records that the case `id`, which had `before` events, is being committed.
pub(crate) fn note_touched(touched: &mut TouchedCases, id: &Arc<str>, before: usize) {
    if !touched.iter().any(|(t, _)| t == id) {
        touched.push((id.clone(), before));
    }
}

/// Whether a stored event is the one the engine holds: the same record, and the same hash
/// when the stored one carries its hash.
fn same_event(given: &EventRecord, have: EventRecord) -> bool {
    if given.hash().is_some() {
        *given == have
    } else {
        let mut have = have;
        have.set_hash(None);
        *given == have
    }
}

//! Request ids: the host's id of each request that changed a case, kept with the events the
//! request appended, so that a retried request is answered with what it did instead of being
//! run twice (`docs/persistence.md`). They live in the history, so replay, restore, snapshots
//! and `append_events` bring them back.

use std::ops::Range;

use super::*;

/// Longest request id, in bytes.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// The events one request appended to its case: `first..end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestRun {
    id: Box<str>,
    first: usize,
    end: usize,
}

/// `case.invalid_request_id` for an empty or too long id, or one with control characters.
pub(crate) fn check_request_id(id: &str) -> Result<(), CaseError> {
    match bad_name(id, MAX_REQUEST_ID_BYTES) {
        Some(reason) => Err(CaseError::InvalidRequestId {
            request_id: id.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

impl Case {
    /// The events the request `id` appended to this case, when the case holds it.
    pub fn request(&self, id: &str) -> Option<Range<usize>> {
        let runs = self.requests.as_deref()?;
        runs.iter().find(|r| &*r.id == id).map(|r| r.first..r.end)
    }

    /// Records that the request `id` appended `events`. Events that continue the last run of
    /// the same id extend it: replay marks them one at a time.
    pub(crate) fn mark_request(&mut self, id: &str, events: Range<usize>) {
        if events.is_empty() {
            return;
        }
        // Rare (a few per case), so a boxed slice, one pointer, rather than a `Vec`.
        let mut runs = self.requests.take().map(Vec::from).unwrap_or_default();
        match runs.last_mut() {
            Some(last) if &*last.id == id && last.end == events.start => last.end = events.end,
            _ => runs.push(RequestRun {
                id: id.into(),
                first: events.start,
                end: events.end,
            }),
        }
        self.requests = Some(runs.into_boxed_slice());
    }

    /// Writes the request ids into `records`, the case's events from `from` on.
    pub(super) fn mark_records(&self, records: &mut [EventRecord], from: usize) {
        let Some(runs) = self.requests.as_deref() else {
            return;
        };
        for run in runs.iter().filter(|r| r.end > from) {
            for seq in run.first.max(from)..run.end {
                if let Some(record) = records.get_mut(seq - from) {
                    record.set_request_id(Some(run.id.to_string()));
                }
            }
        }
    }

    /// Replay: takes the request id a record carries. `index` is the event it replayed to.
    pub(super) fn take_request_id(
        &mut self,
        record: &EventRecord,
        index: usize,
    ) -> Result<(), HistoryError> {
        if let Some(id) = record.request_id() {
            check_request_id(id).map_err(|error| HistoryError::Rejected { index, error })?;
            let at = self.history.len().saturating_sub(1);
            self.mark_request(id, at..at + 1);
        }
        Ok(())
    }
}

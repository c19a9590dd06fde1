//! The answer to a command that changes cases: what it appended to its own case and to the
//! cases linked to it, or, for a retried request, what its first try appended.

use std::ops::Range;

use crate::api::*;
use crate::engine::journal::CaseEvents;
use crate::engine::{Guarded, Precondition};

impl Engine {
    /// Runs `command`, a command on `case_id`, under the request's precondition
    /// ([`Engine::guarded`]) and answers the change; its refusals become `details(error)`.
    pub(super) fn guarded_change(
        &mut self,
        case_id: &str,
        pre: Precondition<'_>,
        command: impl FnOnce(&mut Engine) -> Result<(), CaseError>,
        details: impl FnOnce(CaseError) -> Vec<ErrorDetail>,
    ) -> Result<answer::CaseChange, Vec<ErrorDetail>> {
        let before = self.case(case_id).map_or(0, |c| c.events().len());
        let (ran, touched) = self.watching(|engine| engine.guarded(case_id, pre, command));
        match ran.map_err(details)? {
            Guarded::Ran(()) => self.change(case_id, before, touched),
            Guarded::Duplicate(run) => self.repeated(case_id, run),
        }
    }

    /// The answer to a command that appended events from `before` on to case `case_id`, and
    /// to the other cases it `touched`.
    pub(super) fn change(
        &mut self,
        case_id: &str,
        before: usize,
        touched: crate::engine::journal::TouchedCases,
    ) -> Result<answer::CaseChange, Vec<ErrorDetail>> {
        let others = touched.iter().filter(|(id, _)| **id != *case_id);
        let order = std::iter::once((case_id, before)).chain(others.map(|(id, b)| (&**id, *b)));
        let writes = self.write_set(order);
        let case = self.case(case_id).ok_or_else(|| not_found(case_id))?;
        let (own, linked) = writes.split_first().ok_or_else(|| not_found(case_id))?;
        Ok(answer::CaseChange {
            case: case.view(),
            events: own.events.clone(),
            linked_events: linked
                .iter()
                .map(|w| CaseEvents {
                    case_id: w.case_id.clone(),
                    events: w.events.clone(),
                })
                .collect(),
            effects: own.effects.clone(),
            candidates: Vec::new(),
            duplicate: false,
            writes,
            follow_ups: self.take_follow_ups(),
        })
    }

    /// The answer to a retried request: the case now, and the events and effects of the
    /// request's first try (`run`). Other cases it touched then are not repeated: their
    /// events are in their own histories.
    pub(super) fn repeated(
        &mut self,
        case_id: &str,
        run: Range<usize>,
    ) -> Result<answer::CaseChange, Vec<ErrorDetail>> {
        let case = self.case(case_id).ok_or_else(|| not_found(case_id))?;
        let mut events = case.history(run.start);
        events.truncate(run.len());
        let effects = case
            .effects_since(run.start)
            .into_iter()
            .filter(|e| e.seq < run.end as u64)
            .collect();
        Ok(answer::CaseChange {
            case: case.view(),
            events,
            linked_events: Vec::new(),
            effects,
            candidates: Vec::new(),
            duplicate: true,
            writes: Vec::new(),
            follow_ups: Vec::new(),
        })
    }
}

/// The precondition a request carries.
pub(crate) fn precondition(
    expected_seq: Option<u64>,
    request_id: &Option<String>,
) -> Precondition<'_> {
    Precondition {
        expected_seq,
        request_id: request_id.as_deref(),
    }
}

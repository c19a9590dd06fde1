//! The host's preconditions on a case command: the version of the case it decided on
//! (`expected_seq`), and the id of its request, so that a retry is answered with what the
//! first try did instead of running twice (`docs/persistence.md`).

use std::ops::Range;

use crate::case::requests::check_request_id;
use crate::case::CaseError;
use crate::engine::Engine;

/// What a host asks of a command beyond the command itself; both optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Precondition<'a> {
    /// The number of events the case had when the caller decided on the command (its
    /// `version`): refused with `case.seq_mismatch` when the case has moved on since.
    pub expected_seq: Option<u64>,
    /// The host's id of the request, recorded on the events it appends: a request whose id the
    /// case holds is not run again.
    pub request_id: Option<&'a str>,
}

/// How a guarded command went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guarded<T> {
    /// It ran, with this result.
    Ran(T),
    /// The case holds the request id already: the positions of the events the first run
    /// appended. Nothing ran.
    Duplicate(Range<usize>),
}

impl Engine {
    /// Runs `command`, a command on the case `case_id`, under `pre`: a request id the case
    /// holds answers [`Guarded::Duplicate`] without running it (checked first, so that a retry
    /// carrying the version of its first try is still recognised); then the expected version
    /// is checked; then the command runs, and the events it appended to `case_id` record the
    /// request id. Checks that fail change nothing.
    ///
    /// # Errors
    /// `case.invalid_request_id`, `case.not_found` and `case.seq_mismatch` (only when
    /// `expected_seq` is given), and the errors of `command`.
    pub fn guarded<T>(
        &mut self,
        case_id: &str,
        pre: Precondition<'_>,
        command: impl FnOnce(&mut Engine) -> Result<T, CaseError>,
    ) -> Result<Guarded<T>, CaseError> {
        if let Some(id) = pre.request_id {
            check_request_id(id)?;
            if let Some(run) = self.case(case_id).and_then(|c| c.request(id)) {
                return Ok(Guarded::Duplicate(run));
            }
        }
        self.check_seq(case_id, pre.expected_seq)?;
        let before = self.case(case_id).map_or(0, |c| c.events().len());
        let ran = command(self)?;
        if let (Some(id), Some(case)) = (pre.request_id, self.cases.get_mut(case_id)) {
            let end = case.history.len();
            case.mark_request(id, before..end);
            // Hashes cover the request id: a chain sealed over these events is stale.
            if case.chain.as_ref().is_some_and(|c| c.events > before) {
                case.chain = None;
            }
        }
        Ok(Guarded::Ran(ran))
    }

    /// `case.seq_mismatch` when `expected` is given and the case does not have that many
    /// events.
    ///
    /// # Errors
    /// `case.not_found`, `case.seq_mismatch`.
    pub fn check_seq(&self, case_id: &str, expected: Option<u64>) -> Result<(), CaseError> {
        let Some(expected) = expected else {
            return Ok(());
        };
        let actual = self.case_or_err(case_id)?.events().len() as u64;
        if actual != expected {
            return Err(CaseError::SeqMismatch {
                case_id: case_id.to_owned(),
                expected,
                actual,
            });
        }
        Ok(())
    }
}

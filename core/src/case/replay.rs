//! Rebuilding a case from recorded events: a whole history ([`replay`]), or the events that
//! continue a case the engine holds ([`continue_history`], for `append_events`). Each event is
//! re-run through the same checks as the command that recorded it and must come out the same,
//! its hash included, so a history can only bring back what the engine itself would record.

use super::*;
use crate::case::hash_chain::HashedPrefix;

/// Rebuilds a case by re-running every recorded command through the same checks.
///
/// # Errors
/// `history.empty`, `history.bad_sequence` when the first event is not `opened` or `seq` skips,
/// `history.rejected` when a recorded command is refused, `history.mismatch` when the workflow or
/// a state differs from what the history records, `history.hash_missing` and
/// `history.hash_mismatch` when the hash chain is broken.
pub fn replay(workflow: Arc<Workflow>, history: &[EventRecord]) -> Result<Case, HistoryError> {
    let (wf_id, version) = history_workflow(history)?;
    if wf_id != workflow.id() || version != workflow.version() {
        return Err(HistoryError::Mismatch {
            index: 0,
            recorded: format!("{wf_id}@{version}"),
            replayed: format!("{}@{}", workflow.id(), workflow.version()),
        });
    }
    let Some(
        first @ EventRecord::Opened {
            at,
            actor,
            case_id,
            channel,
            fields,
            keys,
            appeal_of,
            ..
        },
    ) = history.first()
    else {
        return Err(HistoryError::Empty);
    };
    let opening = Opening {
        case_id,
        channel,
        fields: Values::Json(fields),
        actor,
        at: *at,
        keys: keys.as_ref(),
    };
    let mut case = Case::open_with(
        workflow,
        &opening,
        appeal_of.clone(),
        recorded(&Decisions::default()),
    )
    .map_err(|error| HistoryError::Rejected { index: 0, error })?;
    let mut chain = Chain::new(history, HashedPrefix::default());
    case.take_request_id(first, 0)?;
    chain.check(&case, 0, first)?;
    for (index, record) in history.iter().enumerate().skip(1) {
        if record.seq() != index as u64 {
            return Err(HistoryError::BadSequence {
                index,
                reason: "`seq` must count up by one",
            });
        }
        replay_event(&mut case, index, record)?;
        case.take_request_id(record, index)?;
        chain.check(&case, index, record)?;
    }
    chain.seal(&mut case);
    Ok(case)
}

/// Re-runs `records` from index `from` on onto `case`: the events that follow the ones it
/// holds, as answers gave them (the caller has checked that their `seq` continues the case's).
/// Errors name positions in `records`. On error `case` is left part-way: callers run this on
/// a copy.
///
/// # Errors
/// `history.bad_sequence`, `history.rejected`, `history.mismatch`, `history.hash_missing`,
/// `history.hash_mismatch`, as [`replay`].
pub(crate) fn continue_history(
    case: &mut Case,
    records: &[EventRecord],
    from: usize,
) -> Result<(), HistoryError> {
    let held = case.history.len();
    let (_, head) = case.hashed(held);
    let rest = records.get(from..).unwrap_or_default();
    let mut chain = Chain::new(rest, HashedPrefix { events: held, head });
    for (index, record) in records.iter().enumerate().skip(from) {
        replay_event(case, index, record)?;
        case.take_request_id(record, index)?;
        chain.check(case, index, record)?;
    }
    chain.seal(case);
    Ok(())
}

/// The hash chain as replay rebuilds it. Records without any hash (written by hand, or from
/// before the chain) are taken as they are; records with hashes must carry them all, and each
/// must be the one the replay computes.
struct Chain {
    hashed: bool,
    sealed: HashedPrefix,
}

impl Chain {
    fn new(records: &[EventRecord], from: HashedPrefix) -> Self {
        Chain {
            hashed: records.iter().any(|r| r.hash().is_some()),
            sealed: from,
        }
    }

    /// Checks the hash of `record`, at `index` in the caller's list, against the event it
    /// replayed to: the case's last, since each record replays to exactly one event.
    fn check(
        &mut self,
        case: &Case,
        index: usize,
        record: &EventRecord,
    ) -> Result<(), HistoryError> {
        if !self.hashed {
            return Ok(());
        }
        let last = case.history.len().saturating_sub(1);
        let computed = case.records(last).first().map(|r| {
            self.sealed.head = crate::case::hash_chain::link(&self.sealed.head, r);
            self.sealed.events = last + 1;
            crate::case::hash_chain::hex(&self.sealed.head)
        });
        match record.hash() {
            None => Err(HistoryError::HashMissing { index }),
            Some(h) if Some(h) != computed.as_deref() => Err(HistoryError::HashMismatch { index }),
            Some(_) => Ok(()),
        }
    }

    /// Keeps the computed head in the case, so that its next answer hashes only new events.
    fn seal(self, case: &mut Case) {
        if self.hashed && self.sealed.events == case.history.len() {
            case.chain = Some(Box::new(self.sealed));
        }
    }
}

/// Decisions taken from the organisation and calendars are read from the record.
fn recorded(note: &Decisions) -> CommandContext<'_> {
    CommandContext {
        recorded: Some(note),
        ..CommandContext::none()
    }
}

/// Re-runs one recorded event, at `index` in the caller's list, other than the opening.
fn replay_event(case: &mut Case, index: usize, record: &EventRecord) -> Result<(), HistoryError> {
    let rejected = |error| HistoryError::Rejected { index, error };
    match record {
        EventRecord::Opened { .. } => {
            return Err(HistoryError::BadSequence {
                index,
                reason: "only the first event may be `opened`",
            })
        }
        EventRecord::Transitioned {
            at,
            actor,
            transition,
            from,
            to,
            payload,
            route,
            opinions_due_at,
            ..
        } => {
            let note = Decisions {
                route: route.clone(),
                due_at: *opinions_due_at,
            };
            let cmd = Command {
                transition,
                actor,
                payload: Values::Json(payload),
                at: *at,
            };
            replay_transition(case, index, &cmd, &note, (from, to))?;
        }
        EventRecord::SlaWarning {
            at,
            sla,
            warning: step,
            due_at,
            ..
        }
        | EventRecord::SlaBreached {
            at,
            sla,
            step,
            due_at,
            ..
        } => {
            let kind = if matches!(record, EventRecord::SlaWarning { .. }) {
                TimerKind::Warning
            } else {
                TimerKind::Breach
            };
            let (_, rule) = case.rule(sla).map_err(rejected)?;
            let ix = step_index(rule, kind, step).ok_or_else(|| HistoryError::Mismatch {
                index,
                recorded: step.clone(),
                replayed: "no such step".to_owned(),
            })?;
            case.fire(sla, kind, ix, *due_at, *at).map_err(rejected)?;
        }
        EventRecord::SlaExtended {
            at,
            actor,
            sla,
            duration,
            reason,
            ..
        } => {
            let d = duration.duration().map_err(|_| HistoryError::Mismatch {
                index,
                recorded: "an invalid duration".to_owned(),
                replayed: "a duration".to_owned(),
            })?;
            case.extend(sla, actor, d, reason, *at).map_err(rejected)?;
        }
        EventRecord::OpinionSubmitted {
            at, actor, opinion, ..
        } => case.submit_opinion(actor, opinion, *at).map_err(rejected)?,
        EventRecord::SupervisionRaised {
            at,
            actor,
            level,
            unit,
            due_at,
            required,
            ..
        } => {
            let record = case
                .checked_command(actor, *at, "handling")
                .map_err(rejected)?;
            case.raise_supervision(record, *level, unit, *due_at, required, *at);
        }
        EventRecord::SupervisionAnswered {
            at,
            actor,
            supervision,
            answer,
            ..
        } => case
            .answer_supervision(actor, *supervision, answer, *at)
            .map_err(rejected)?,
        EventRecord::Linked {
            at, actor, primary, ..
        } => {
            let record = case
                .checked_command(actor, *at, "handling")
                .map_err(rejected)?;
            case.mark_linked(record, primary, *at);
        }
        EventRecord::DuplicateLinked {
            at,
            actor,
            duplicate,
            channel,
            ..
        } => {
            let record = case
                .checked_command(actor, *at, "handling")
                .map_err(rejected)?;
            case.add_duplicate(record, duplicate, channel, *at);
        }
        EventRecord::OpinionOverdue {
            at, unit, due_at, ..
        }
        | EventRecord::SupervisionOverdue {
            at, unit, due_at, ..
        } => {
            let supervision = match record {
                EventRecord::SupervisionOverdue { supervision, .. } => Some(*supervision),
                _ => None,
            };
            replay_overdue(case, index, supervision, unit, *due_at, *at)?;
        }
    }
    Ok(())
}

/// A recorded transition: from the recorded state, through the command's checks with the
/// decisions it took, into the recorded state.
fn replay_transition(
    case: &mut Case,
    index: usize,
    cmd: &Command<'_>,
    note: &Decisions,
    (from, to): (&str, &str),
) -> Result<(), HistoryError> {
    let mismatch = |recorded: &str, replayed: &str| HistoryError::Mismatch {
        index,
        recorded: recorded.to_owned(),
        replayed: replayed.to_owned(),
    };
    if case.state() != from {
        return Err(mismatch(from, case.state()));
    }
    case.apply_with(cmd, recorded(note))
        .map_err(|error| HistoryError::Rejected { index, error })?;
    if case.state() != to {
        return Err(mismatch(to, case.state()));
    }
    Ok(())
}

/// A recorded overdue task: a supervision by number, or (`None`) the first opinion of `unit`
/// still owed and not yet overdue; it must be owed by `unit` since `due_at`.
fn replay_overdue(
    case: &mut Case,
    index: usize,
    supervision: Option<usize>,
    unit: &str,
    due_at: i64,
    at: i64,
) -> Result<(), HistoryError> {
    let h = case.handling.as_deref();
    let task = match supervision {
        Some(supervision) => Some(Task::Supervision(supervision)),
        None => h
            .and_then(|h| {
                h.assisting
                    .iter()
                    .position(|a| a.unit == *unit && a.answered_at.is_none() && !a.overdue)
            })
            .map(Task::Opinion),
    };
    let recorded = task.and_then(|t| h.and_then(|h| h.task(t)));
    let matches = recorded == Some((unit, due_at));
    if !matches || !task.is_some_and(|t| case.mark_overdue(t, at)) {
        return Err(HistoryError::Mismatch {
            index,
            recorded: format!("{unit} overdue since {due_at}"),
            replayed: "no such task still owed".to_owned(),
        });
    }
    Ok(())
}

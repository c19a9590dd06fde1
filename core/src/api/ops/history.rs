//! Ops: history.

use crate::api::*;
use crate::engine::Engine;

/// A case's history.
pub(super) fn history(engine: &mut Engine, CaseRequest { case_id }: CaseRequest) -> Outcome {
    let case = engine.case(&case_id).ok_or_else(|| not_found(&case_id))?;
    let (events, head) = case.hashed(0);
    Ok(to_json(&answer::History {
        case_id,
        events,
        head: crate::case::hash_chain::hex(&head),
    }))
}

/// Rebuild a case from a history without storing it.
pub(super) fn replay(
    engine: &mut Engine,
    ReplayRequest { history, store }: ReplayRequest,
) -> Outcome {
    let view = if store {
        engine.restore_case(&history).map(crate::case::Case::view)
    } else {
        engine.replay(&history).map(|c| c.view())
    };
    let case = view.map_err(|e| vec![e.detail("/history")])?;
    Ok(to_json(&answer::Replayed { case }))
}

/// Check a history's hash chain, and its head against an anchored one.
pub(super) fn verify_history(
    engine: &mut Engine,
    VerifyRequest { history, head }: VerifyRequest,
) -> Outcome {
    let verified = engine
        .check_length(&history)
        .and_then(|()| crate::case::hash_chain::verify_history(&history, head.as_deref()))
        .map_err(|e| vec![e.detail("/history")])?;
    Ok(to_json(&verified))
}

/// Add stored events to the case they belong to (recovery from a journal).
pub(super) fn append_events(
    engine: &mut Engine,
    AppendEventsRequest { case_id, events }: AppendEventsRequest,
) -> Outcome {
    let done = engine
        .append_events(&case_id, &events)
        .map_err(|e| vec![e.detail("/events")])?;
    let case = engine.case(&case_id).ok_or_else(|| not_found(&case_id))?;
    Ok(to_json(&answer::EventsAppended {
        case: case.view(),
        appended: done.appended,
        held: done.held,
    }))
}

/// Take a closed case out of the engine, answering its history.
pub(super) fn archive_case(
    engine: &mut Engine,
    ArchiveRequest {
        case_id,
        expected_seq,
    }: ArchiveRequest,
) -> Outcome {
    engine
        .check_seq(&case_id, expected_seq)
        .map_err(|e| e.details(""))?;
    let case = engine.archive_case(&case_id).map_err(|e| e.details(""))?;
    let (events, head) = case.hashed(0);
    Ok(to_json(&answer::History {
        case_id,
        events,
        head: crate::case::hash_chain::hex(&head),
    }))
}

/// Take any case out of the engine with its timers, index entries and outbox entries.
pub(super) fn unload_case(engine: &mut Engine, CaseRequest { case_id }: CaseRequest) -> Outcome {
    let case = engine.unload_case(&case_id).map_err(|e| e.details(""))?;
    Ok(to_json(&answer::Unloaded {
        events: case.events().len(),
        head: case.head(),
        case_id,
    }))
}

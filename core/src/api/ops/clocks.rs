//! Ops: clocks.

use crate::api::*;
use crate::engine::Engine;

/// Every SLA clock of a case at `now`.
pub(super) fn sla_status(
    engine: &mut Engine,
    SlaStatusRequest { case_id, now }: SlaStatusRequest,
) -> Outcome {
    let clocks = engine.sla_status(&case_id, now).map_err(|e| match e {
        SlaStatusError::Case(CaseError::InvalidTime { at }) => vec![ErrorDetail::new(
            "case.invalid_time",
            CaseError::InvalidTime { at }.to_string(),
        )
        .at("/now")],
        SlaStatusError::Case(e) => e.details(""),
        SlaStatusError::Calendar(e) => vec![e.detail("/now")],
    })?;
    Ok(to_json(&answer::SlaClocks {
        case_id,
        now,
        clocks,
    }))
}

/// Warnings and breach steps due at `now`.
pub(super) fn due(engine: &mut Engine, DueRequest { now, limit }: DueRequest) -> Outcome {
    let due = engine.due(now, limit.unwrap_or(1000));
    Ok(to_json(&answer::DueTimers { now, timers: due }))
}

/// Record everything due at `now`.
pub(super) fn fire_due(engine: &mut Engine, FireDueRequest { now }: FireDueRequest) -> Outcome {
    let fired = engine.fire_due(now);
    Ok(to_json(&answer::FiredTimers { now, fired }))
}

/// Extend a running SLA clock.
pub(super) fn extend(
    engine: &mut Engine,
    ExtendRequest {
        case_id,
        sla,
        actor,
        duration,
        reason,
        at,
    }: ExtendRequest,
) -> Outcome {
    let d = duration
        .duration()
        .map_err(|reason| vec![duration_error(reason)])?;
    let case = engine
        .extend(&case_id, &sla, &actor, d, &reason, at)
        .map_err(|e| e.details(""))?;
    let last = case.events().len().saturating_sub(1);
    let events = case.history(last);
    let effects = case.effects_since(last);
    let case = case.view();
    let clocks = engine.sla_status(&case_id, at).ok();
    Ok(to_json(&answer::Extended {
        case,
        events,
        effects,
        clocks,
    }))
}

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
pub(super) fn fire_due(
    engine: &mut Engine,
    FireDueRequest {
        now,
        case_id,
        limit,
    }: FireDueRequest,
) -> Outcome {
    if let Some(id) = case_id.as_deref() {
        engine.case_or_err(id).map_err(|e| e.details(""))?;
    }
    let scope = crate::engine::FireScope {
        case_id: case_id.as_deref(),
        limit,
    };
    let fired = engine.fire_due_scoped(now, scope);
    // Each case from the first event a timer recorded on it.
    let mut firsts: Vec<(&str, usize)> = Vec::new();
    for entry in &fired.cases {
        let from = entry.events.first().map_or(0, |e| e.seq() as usize);
        if !firsts.iter().any(|(id, _)| *id == entry.case_id) {
            firsts.push((&entry.case_id, from));
        }
    }
    let writes = engine.write_set(firsts);
    Ok(to_json(&answer::FiredTimers {
        now,
        more: fired.more,
        fired: fired.cases,
        writes,
        follow_ups: engine.take_follow_ups(),
    }))
}

/// Every pending timer of a case.
pub(super) fn case_timers(engine: &mut Engine, CaseRequest { case_id }: CaseRequest) -> Outcome {
    let timers = engine.case_timers(&case_id).map_err(|e| e.details(""))?;
    Ok(to_json(&answer::CaseTimers { case_id, timers }))
}

/// The earliest pending timer.
pub(super) fn next_due(engine: &mut Engine, _: Empty) -> Outcome {
    Ok(to_json(&answer::NextDue {
        timer: engine.next_due(),
    }))
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
        expected_seq,
        request_id,
    }: ExtendRequest,
) -> Outcome {
    let d = duration
        .duration()
        .map_err(|reason| vec![duration_error(reason)])?;
    let pre = precondition(expected_seq, &request_id);
    let extend = |engine: &mut Engine| {
        engine
            .extend(&case_id, &sla, &actor, d, &reason, at)
            .map(|_| ())
    };
    let change = engine.guarded_change(&case_id, pre, extend, |e| e.details(""))?;
    let clocks = engine.sla_status(&case_id, at).ok();
    Ok(to_json(&answer::Extended {
        case: change.case,
        events: change.events,
        effects: change.effects,
        clocks,
        duplicate: change.duplicate,
        writes: change.writes,
    }))
}

//! Ops: engine state.

use crate::api::*;
use crate::engine::Engine;

/// The whole engine as data.
pub(super) fn snapshot(
    engine: &mut Engine,
    SnapshotRequest { definitions_only }: SnapshotRequest,
) -> Outcome {
    Ok(to_json(&if definitions_only {
        engine.definitions_snapshot()
    } else {
        engine.snapshot()
    }))
}

/// Replace the engine with a snapshot.
pub(super) fn restore(engine: &mut Engine, RestoreRequest { snapshot }: RestoreRequest) -> Outcome {
    let snapshot: Snapshot = read_request(snapshot, "/snapshot").map_err(|e| vec![e.detail("")])?;
    let (w, c) = (snapshot.workflows.len(), snapshot.cases.len());
    engine
        .restore(snapshot)
        .map_err(|e| e.details("/snapshot"))?;
    Ok(to_json(&answer::Restored {
        workflows: w,
        cases: c,
    }))
}

/// Change some of the engine's limits.
pub(super) fn set_limits(
    engine: &mut Engine,
    SetLimitsRequest { limits }: SetLimitsRequest,
) -> Outcome {
    let next = engine
        .limits()
        .patched(&limits)
        .map_err(|e| vec![e.detail("")])?;
    engine.set_limits(next);
    Ok(to_json(&answer::LimitsAnswer {
        limits: engine.limits().clone(),
    }))
}

/// The limits in force.
pub(super) fn get_limits(engine: &mut Engine, Empty {}: Empty) -> Outcome {
    Ok(to_json(&answer::LimitsAnswer {
        limits: engine.limits().clone(),
    }))
}

/// Change some of the engine's options.
pub(super) fn set_options(
    engine: &mut Engine,
    SetOptionsRequest { outbox }: SetOptionsRequest,
) -> Outcome {
    if let Some(mode) = outbox {
        engine
            .set_outbox_mode(mode)
            .map_err(|e| vec![e.detail("")])?;
    }
    get_options(engine, Empty {})
}

/// The options in force.
pub(super) fn get_options(engine: &mut Engine, Empty {}: Empty) -> Outcome {
    Ok(to_json(&answer::OptionsAnswer {
        outbox: engine.outbox_mode(),
    }))
}

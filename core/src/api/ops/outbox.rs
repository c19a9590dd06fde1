//! Ops: outbox.

use crate::api::*;
use crate::engine::Engine;

/// Effects to deliver.
pub(super) fn drain_outbox(
    engine: &mut Engine,
    DrainRequest {
        now,
        limit,
        lease_ms,
    }: DrainRequest,
) -> Outcome {
    let lease = i64::from(lease_ms.unwrap_or(60_000));
    let effects = engine.drain_outbox(now, limit.unwrap_or(1000), lease);
    Ok(to_json(&answer::Drained {
        now,
        effects,
        pending: engine.pending_effects(),
    }))
}

/// Acknowledge delivered effects.
pub(super) fn ack_effects(engine: &mut Engine, AckRequest { ids }: AckRequest) -> Outcome {
    let acknowledged = engine.ack_effects(&ids).map_err(|e| vec![e.detail("")])?;
    Ok(to_json(&answer::Acknowledged {
        acknowledged,
        pending: engine.pending_effects(),
    }))
}

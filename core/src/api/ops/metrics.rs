//! Ops: metrics.

use crate::api::*;
use crate::engine::Engine;

/// Performance measures of the cases of a period.
pub(super) fn metrics(engine: &mut Engine, query: crate::metrics::MetricsQuery) -> Outcome {
    let metrics = engine.metrics(&query).map_err(|e| vec![e.detail("")])?;
    Ok(match query.format {
        crate::metrics::TableFormat::Json => to_json(&metrics),
        crate::metrics::TableFormat::Csv => to_json(&metrics.to_csv()),
    })
}

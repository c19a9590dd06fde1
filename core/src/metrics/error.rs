//! Why a metrics query cannot be answered.

use crate::error::{Coded, ErrorDetail};

/// Why a query cannot be answered.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// An instant outside the supported range.
    #[error("`{name}` {at} is outside the supported range of instants")]
    InvalidTime {
        /// `now`, `from` or `to`.
        name: &'static str,
        /// The instant.
        at: i64,
    },
    /// `from` is not before `to`.
    #[error("the period is empty: `from` {from} is not before `to` {to}")]
    InvalidPeriod {
        /// Start.
        from: i64,
        /// End.
        to: i64,
    },
    /// A weight or the partial credit is out of range.
    #[error("invalid scoring: {reason}")]
    InvalidScoring {
        /// Where, under `/scoring`.
        path: String,
        /// Why.
        reason: String,
    },
    /// A grouping, counter or measure names nothing measured, or is incomplete.
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// Where, in the query.
        path: String,
        /// Why.
        reason: String,
    },
    /// `roll_up` asked of cases not grouped by unit.
    #[error("`roll_up` needs `group_by` `unit`, not `{group_by}`")]
    RollUpNeedsUnits {
        /// The grouping asked for.
        group_by: &'static str,
    },
    /// `roll_up` without an organisation to roll up along.
    #[error("no organisation is loaded to roll up along")]
    NoOrg,
    /// The workflow filter names no loaded workflow.
    #[error("workflow `{id}` is not loaded")]
    UnknownWorkflow {
        /// The id given.
        id: String,
    },
}

impl MetricsError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            MetricsError::InvalidTime { .. } => "metrics.invalid_time",
            MetricsError::InvalidPeriod { .. } => "metrics.invalid_period",
            MetricsError::InvalidScoring { .. } => "metrics.invalid_scoring",
            MetricsError::InvalidQuery { .. } => "metrics.invalid_query",
            MetricsError::RollUpNeedsUnits { .. } => "metrics.roll_up_needs_units",
            MetricsError::NoOrg => "org.not_loaded",
            MetricsError::UnknownWorkflow { .. } => "workflow.not_found",
        }
    }
}

impl Coded for MetricsError {
    fn code(&self) -> &'static str {
        MetricsError::code(self)
    }

    /// Located in the query, which is at `prefix` in the request.
    fn detail(&self, prefix: &str) -> ErrorDetail {
        let path = match self {
            MetricsError::InvalidTime { name, .. } => format!("/{name}"),
            MetricsError::InvalidPeriod { .. } => "/to".to_owned(),
            MetricsError::InvalidScoring { path, .. } => format!("/scoring{path}"),
            MetricsError::InvalidQuery { path, .. } => path.clone(),
            MetricsError::RollUpNeedsUnits { .. } | MetricsError::NoOrg => "/roll_up".to_owned(),
            MetricsError::UnknownWorkflow { .. } => "/workflow".to_owned(),
        };
        ErrorDetail::new(self.code(), self.to_string()).at(format!("{prefix}{path}"))
    }
}

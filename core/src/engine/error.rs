//! Why the engine could not load a workflow, restore a snapshot or answer a graph question.

use crate::calendar::CalendarError;
use crate::case::error::{CaseError, HistoryError};
use crate::error::{Coded, ErrorDetail, Located};
use crate::workflow::error::InvalidDefinition;

/// A workflow could not be loaded into the engine.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The definition has errors.
    #[error(transparent)]
    Invalid(#[from] InvalidDefinition),
    /// The same id and version is loaded with a different definition.
    #[error("workflow `{id}` version {version} is already loaded with a different definition")]
    VersionConflict {
        /// Workflow id.
        id: String,
        /// Version.
        version: u32,
    },
}

impl Coded for WorkflowError {
    fn code(&self) -> &'static str {
        match self {
            WorkflowError::Invalid(inv) => inv
                .errors
                .first()
                .map_or("definition.invalid", |d| d.error.code()),
            WorkflowError::VersionConflict { .. } => "workflow.version_conflict",
        }
    }

    /// Every problem of the definition; `prefix` locates the definition in the request.
    fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        match self {
            WorkflowError::Invalid(inv) => inv.details(prefix),
            WorkflowError::VersionConflict { .. } => {
                vec![
                    ErrorDetail::new("workflow.version_conflict", self.to_string())
                        .at(format!("{prefix}/version"))
                        .help(Some(
                            "publish the changed definition under a new version".to_owned(),
                        )),
                ]
            }
        }
    }
}

/// A snapshot could not be restored. The engine is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// `format` is not a snapshot version this library reads.
    #[error("snapshot format `{found}` is not supported")]
    UnsupportedFormat {
        /// The format found.
        found: u64,
    },
    /// A workflow in the snapshot is invalid.
    #[error("workflow {index} of the snapshot is invalid")]
    Workflow {
        /// Index in `workflows`.
        index: usize,
        /// Why.
        error: WorkflowError,
    },
    /// Two workflows with the same id and version, or two cases with the same id.
    #[error("the snapshot holds {what} `{id}` twice")]
    Duplicate {
        /// `workflow` or `case`.
        what: &'static str,
        /// The repeated id.
        id: String,
        /// Where the second one is.
        path: String,
    },
    /// A calendar in the snapshot is invalid.
    #[error("calendar {index} of the snapshot is invalid")]
    Calendar {
        /// Index in `calendars`.
        index: usize,
        /// Why.
        error: crate::calendar::InvalidCalendar,
    },
    /// The snapshot's organisation is invalid.
    #[error("the snapshot's organisation is invalid")]
    Org {
        /// Why.
        error: crate::org::InvalidOrg,
    },
    /// A case's history does not replay.
    #[error("case {index} of the snapshot does not replay")]
    History {
        /// Index in `cases`.
        index: usize,
        /// Why.
        error: HistoryError,
    },
    /// A case's recorded state differs from the state its history replays to.
    #[error(
        "case `{case_id}` is recorded in state `{recorded}` but its history ends in `{replayed}`"
    )]
    StateMismatch {
        /// Index in `cases`.
        index: usize,
        /// The case id.
        case_id: String,
        /// State in the snapshot.
        recorded: String,
        /// State after replay.
        replayed: String,
    },
}

impl Coded for SnapshotError {
    fn code(&self) -> &'static str {
        fn first<E: Coded>(errors: &[Located<E>], none: &'static str) -> &'static str {
            errors.first().map_or(none, |e| e.error.code())
        }
        match self {
            SnapshotError::UnsupportedFormat { .. } => "snapshot.unsupported_format",
            SnapshotError::Workflow { error, .. } => error.code(),
            SnapshotError::Duplicate { .. } => "snapshot.duplicate",
            SnapshotError::Calendar { error, .. } => first(&error.errors, "calendar.invalid"),
            SnapshotError::Org { error } => first(&error.errors, "org.invalid"),
            SnapshotError::History { error, .. } => error.code(),
            SnapshotError::StateMismatch { .. } => "snapshot.state_mismatch",
        }
    }

    /// Every problem of the snapshot; `prefix` locates the snapshot in the request.
    fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        match self {
            SnapshotError::UnsupportedFormat { .. } => {
                vec![
                    ErrorDetail::new("snapshot.unsupported_format", self.to_string())
                        .at(format!("{prefix}/format")),
                ]
            }
            SnapshotError::Calendar { index, error } => {
                error.details(&format!("{prefix}/calendars/{index}"))
            }
            SnapshotError::Workflow { index, error } => {
                error.details(&format!("{prefix}/workflows/{index}"))
            }
            SnapshotError::Org { error } => error.details(&format!("{prefix}/org")),
            SnapshotError::Duplicate { path, .. } => {
                vec![ErrorDetail::new("snapshot.duplicate", self.to_string())
                    .at(format!("{prefix}{path}"))]
            }
            SnapshotError::History { index, error } => {
                vec![error.detail(&format!("{prefix}/cases/{index}/history"))]
            }
            SnapshotError::StateMismatch { index, .. } => {
                vec![
                    ErrorDetail::new("snapshot.state_mismatch", self.to_string())
                        .at(format!("{prefix}/cases/{index}/state")),
                ]
            }
        }
    }
}

/// A graph question could not be answered.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The workflow is not loaded.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The workflow has no such state.
    #[error("workflow has no state `{state}`")]
    UnknownState {
        /// The state given.
        state: String,
    },
}

impl Coded for GraphError {
    fn code(&self) -> &'static str {
        match self {
            GraphError::Case(e) => e.code(),
            GraphError::UnknownState { .. } => "graph.unknown_state",
        }
    }

    /// At its place in the request, under `prefix`.
    fn details(&self, prefix: &str) -> Vec<ErrorDetail> {
        match self {
            GraphError::Case(e) => e.details(prefix),
            GraphError::UnknownState { .. } => vec![self.detail(&format!("{prefix}/from"))],
        }
    }
}

/// Why `sla_status` could not answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaStatusError {
    /// The case does not exist.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A calendar computation failed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

//! What can go wrong in the store, with the stable codes the server answers.

use serde_json::{json, Value as Json};

/// A store failure. The engine's own refusals are answers, not errors: these are the database
/// and the store's rules.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement, or the connection broke. Nothing the
    /// transaction wrote is kept; the caller retries with the same request id.
    #[error("database: {0}")]
    Database(String),
    /// Two workers touched the same rows at once (deadlock, serialization failure, a unique
    /// key taken meanwhile) and retrying did not get through.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not one the store speaks.
    #[error("database URL: {0}")]
    Url(String),
    /// A row the store wrote does not read back as the engine wrote it.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// The op is the store's own business (the outbox, snapshots) or not a request at all.
    #[error("{0}")]
    NotServed(String),
    /// A fault injected by a test at a numbered statement.
    #[error("injected fault at statement {0}")]
    Injected(u64),
}

impl StoreError {
    /// The stable code: `store.database`, `store.conflict`, `store.url`, `store.corrupt`,
    /// `store.op_not_served`, `store.injected`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Database(_) => "store.database",
            StoreError::Conflict(_) => "store.conflict",
            StoreError::Url(_) => "store.url",
            StoreError::Corrupt(_) => "store.corrupt",
            StoreError::NotServed(_) => "store.op_not_served",
            StoreError::Injected(_) => "store.injected",
        }
    }

    /// Whether a retry of the whole transaction may get through.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }

    /// The error as the JSON API answers a failure: `{"ok": false, "errors": [...]}`.
    pub fn answer(&self, path: &str) -> Json {
        json!({"ok": false, "errors": [{"code": self.code(), "message": self.to_string(), "path": path}]})
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Conflict(e.to_string()),
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        let transient = [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::UNIQUE_VIOLATION,
        ];
        match e.code() {
            Some(code) if transient.contains(code) => StoreError::Conflict(e.to_string()),
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// The store's results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

//! The statements the store runs, one trait with a backend per database. Each method is one
//! statement or a short fixed group of them, so that a test can fail or kill the store at any
//! one (`crate::faults`).

use civicflow::CaseRow;
use serde::Deserialize;
use serde_json::Value as Json;

use crate::error::Result;

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// One case's part of a command's write set, as the engine's answer lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct Write {
    pub case_id: String,
    pub events: Vec<Json>,
    #[serde(default)]
    pub effects: Vec<Json>,
    pub timers: Vec<Json>,
    pub row: CaseRow,
}

/// A case as stored: its history, and whether it came back from the archive.
pub(crate) struct StoredCase {
    pub history: Vec<Json>,
    pub archived: bool,
}

/// An effect leased to the dispatcher.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    /// The effect id, `<case>#<seq>.<n>`: the receiver's idempotency key.
    pub effect_id: String,
    /// The case whose event queued it.
    pub case_id: String,
    /// The effect as the engine queued it.
    pub body: Json,
    /// Delivery attempts so far, this one included.
    pub attempts: i64,
}

/// A definition as loaded: the request that loaded it.
pub(crate) struct DefinitionRow<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub version: i64,
    pub body: &'a Json,
    pub digest: &'a str,
    pub at: i64,
}

/// The statements of the store. Every method runs inside the transaction `begin` opened,
/// except the three that manage it.
pub(crate) trait Db: Send {
    /// Runs a migration script and records its number, in one transaction.
    fn migrate(&mut self, number: i64, script: &str) -> Result<()>;
    /// The migration numbers already run.
    fn migrations(&mut self) -> Result<Vec<i64>>;

    /// Opens a write transaction (SQLite: `BEGIN IMMEDIATE`, the database's write lock).
    fn begin(&mut self) -> Result<()>;
    /// Opens a read-only transaction on one snapshot of the database (SQLite: a deferred
    /// transaction, which takes no write lock; PostgreSQL: repeatable read, read only).
    fn begin_read(&mut self) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
    fn rollback(&mut self);
    /// The database's clock, UTC milliseconds: the time for every worker.
    fn now_ms(&mut self) -> Result<i64>;

    /// Locks cases and matter keys until the transaction ends, in the order given (sorted by
    /// the caller): PostgreSQL transaction-scoped advisory locks, which also lock rows that do
    /// not exist yet; SQLite's write lock already covers them.
    fn lock_keys(&mut self, keys: &[String]) -> Result<()>;
    /// Commands share this lock; a definitions change takes it alone.
    fn lock_definitions(&mut self, exclusive: bool) -> Result<()>;

    fn definitions_after(&mut self, seq: i64) -> Result<Vec<(i64, Json)>>;
    fn insert_definition(&mut self, row: &DefinitionRow<'_>) -> Result<i64>;

    fn stored_answer(&mut self, request_id: &str) -> Result<Option<Json>>;
    fn store_answer(
        &mut self,
        request_id: &str,
        case_id: &str,
        answer: &Json,
        at: i64,
    ) -> Result<()>;

    /// A case's history from the hot tables, else from the archive.
    fn load_case(&mut self, case_id: &str) -> Result<Option<StoredCase>>;
    /// Open cases holding these matter keys (duplicate search).
    fn open_cases_with(&mut self, citizen: &str, matter: &str) -> Result<Vec<String>>;
    /// Writes one case's write set entry: its events, its row (checked against the version it
    /// had), its timer rows replaced, its effects. A case back from the archive first gets
    /// its old events back in the hot table (`revived`).
    fn write_case(&mut self, write: &Write, revived: Option<&[Json]>, now: i64) -> Result<()>;

    /// Leases due timers and answers their cases, earliest first, skipping leased rows.
    fn claim_due(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<String>>;
    /// The bodies of the timer rows due at `now`, earliest first.
    fn due_timers(&mut self, now: i64, limit: i64) -> Result<Vec<Json>>;
    /// Open duplicates whose primary is closed: follow-ups a closing command left to their own
    /// commands, or that a killed worker did not get to.
    fn stranded_duplicates(&mut self, limit: i64) -> Result<Vec<String>>;
    /// Due timer rows not leased (for readiness and metrics).
    fn count_due(&mut self, now: i64) -> Result<i64>;
    /// Leases the oldest undelivered effect of each case, up to `limit`.
    fn lease_effects(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<OutboxRow>>;
    fn mark_delivered(&mut self, effect_id: &str, now: i64) -> Result<()>;
    fn mark_failed(&mut self, effect_id: &str, retry_at: i64, error: &str) -> Result<()>;
    fn count_undelivered(&mut self) -> Result<i64>;

    /// Closed cases last changed before `before` whose effects were all delivered.
    fn archivable(&mut self, before: i64, limit: i64) -> Result<Vec<String>>;
    /// Moves a closed case out of the hot tables into the archive.
    fn archive_case(&mut self, row: &ArchiveRow<'_>) -> Result<()>;
    /// Open case ids after `after`, in id order (definitions updates walk them).
    fn open_cases_after(&mut self, after: &str, limit: i64) -> Result<Vec<String>>;
    /// Every case, hot or archived, after `after` in id order: id, version, head, archived.
    fn case_heads(&mut self, after: &str, limit: i64) -> Result<Vec<(String, i64, String, bool)>>;
    /// Hot cases matching a filter, newest first.
    fn list_cases(&mut self, filter: &crate::read::CaseFilter) -> Result<Vec<String>>;
    /// Hot cases changed after `since` (their `updated_at`), oldest change first: id, version,
    /// updated_at.
    fn changed_cases(&mut self, since: i64, limit: i64) -> Result<Vec<(String, i64, i64)>>;
    /// A case's timer rows, in slot order.
    fn timer_rows(&mut self, case_id: &str) -> Result<Vec<Json>>;
    /// Outbox rows after `ord`, in commit order (copying a store).
    fn outbox_rows(&mut self, after: i64, limit: i64) -> Result<Vec<OutboxCopy>>;
    /// Writes an outbox row as another store had it.
    fn insert_outbox_copy(&mut self, row: &OutboxCopy) -> Result<()>;
    /// Stored answers after `after`, by request id: id, case, answer, time.
    fn request_rows(&mut self, after: &str, limit: i64)
        -> Result<Vec<(String, String, Json, i64)>>;
    /// Replaces a case's timer rows.
    fn replace_timers(&mut self, case_id: &str, timers: &[Json]) -> Result<()>;
}

/// An outbox row as a copy of the store takes it.
#[derive(Clone, Debug)]
pub(crate) struct OutboxCopy {
    pub ord: i64,
    pub effect_id: String,
    pub case_id: String,
    pub seq: i64,
    pub body: Json,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub leased_until: Option<i64>,
    pub delivered_at: Option<i64>,
}

/// An archived case.
pub(crate) struct ArchiveRow<'a> {
    pub case_id: &'a str,
    pub workflow: &'a str,
    pub version: i64,
    pub head: &'a str,
    pub history: &'a Json,
    pub at: i64,
}

/// A timer's due instant, from the engine's timer record.
pub(crate) fn due_at(timer: &Json) -> i64 {
    timer.get("due_at").and_then(Json::as_i64).unwrap_or(0)
}

/// An effect's id and event number, from the engine's effect record.
pub(crate) fn effect_key(effect: &Json) -> (&str, i64) {
    let id = effect.get("id").and_then(Json::as_str).unwrap_or("");
    (id, effect.get("seq").and_then(Json::as_i64).unwrap_or(0))
}

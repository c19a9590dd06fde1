//! Copying a store into an empty one: how a township that outgrew its SQLite file moves to
//! PostgreSQL (`civicflow copy`). Definitions are loaded in their order; each case is replayed
//! and written whole (every history verifies on the way: a corrupt one stops the copy); the
//! archive, the outbox with what was delivered, and the stored answers of request ids follow,
//! so that retries and deliveries go on where they were.

use serde_json::Value as Json;

use crate::db::{ArchiveRow, Write};
use crate::error::{Result, StoreError};
use crate::store::Store;

/// What a copy moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub definitions: usize,
    pub cases: usize,
    pub archived: usize,
    pub effects: usize,
    pub requests: usize,
}

const BATCH: i64 = 500;

impl Store {
    /// Copies everything this store holds into `target`, which must be empty. Run it with no
    /// server on either store.
    ///
    /// # Errors
    /// `store.corrupt` when `target` holds anything or a history does not replay; the
    /// databases'. A copy cut short leaves `target` partly filled: empty it and start again.
    pub fn copy_into(&mut self, target: &mut Store) -> Result<Copied> {
        let mut copied = Copied::default();
        let has_definitions = !target.db()?.definitions_after(0)?.is_empty();
        let has_cases = !target.db()?.case_heads("", 1)?.is_empty();
        if has_definitions || has_cases {
            return Err(StoreError::Corrupt(
                "the target of a copy must be empty".into(),
            ));
        }
        for (_, request) in self.db()?.definitions_after(0)? {
            let answer = target.call(request)?;
            if !crate::json::is_ok(&answer) {
                return Err(StoreError::Corrupt(format!(
                    "a definition does not load: {answer}"
                )));
            }
            copied.definitions += 1;
        }
        self.refresh()?;
        let mut after = String::new();
        loop {
            let rows = self.db()?.case_heads(&after, BATCH)?;
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            for (case_id, _, _, archived) in rows {
                self.copy_case(target, &case_id, archived)?;
                if archived {
                    copied.archived += 1;
                } else {
                    copied.cases += 1;
                }
            }
        }
        let mut ord = 0;
        loop {
            let rows = self.db()?.outbox_rows(ord, BATCH)?;
            let Some(last) = rows.last() else { break };
            ord = last.ord;
            target.transaction(|t| {
                for row in &rows {
                    t.db()?.insert_outbox_copy(row)?;
                }
                Ok(((), true))
            })?;
            copied.effects += rows.len();
        }
        let mut after = String::new();
        loop {
            let rows = self.db()?.request_rows(&after, BATCH)?;
            let Some(last) = rows.last() else { break };
            after = last.0.clone();
            target.transaction(|t| {
                for (id, case, answer, at) in &rows {
                    t.db()?.store_answer(id, case, answer, *at)?;
                }
                Ok(((), true))
            })?;
            copied.requests += rows.len();
        }
        Ok(copied)
    }

    fn copy_case(&mut self, target: &mut Store, case_id: &str, archived: bool) -> Result<()> {
        let mut engine = self.template.clone_definitions();
        let stored = self
            .load_into(&mut engine, case_id)?
            .ok_or_else(|| StoreError::Corrupt(format!("{case_id} vanished during the copy")))?;
        // Only an archived case is written as its history; a hot one goes as its write set.
        let history = match (archived, stored) {
            (false, _) => Vec::new(),
            (true, Some(history)) => history,
            (true, None) => engine
                .history(case_id)
                .map_err(|e| StoreError::Corrupt(e.to_string()))
                .and_then(|h| serde_json::to_value(h).map_err(StoreError::from))
                .map(|h| match h {
                    Json::Array(events) => events,
                    _ => Vec::new(),
                })?,
        };
        let write = engine
            .case_write(case_id, 0)
            .ok_or_else(|| StoreError::Corrupt(format!("{case_id} does not replay")))?;
        target.transaction(|t| {
            let at = t.clock()?;
            if archived {
                let row = ArchiveRow {
                    case_id,
                    workflow: &write.row.workflow,
                    version: write.row.version as i64,
                    head: &write.row.head,
                    history: &Json::Array(history.clone()),
                    at,
                };
                t.db()?.archive_case(&row)?;
            } else {
                // The effects come with the outbox, as they were delivered or not.
                let mut entry: Write = serde_json::from_value(serde_json::to_value(&write)?)?;
                entry.effects.clear();
                t.db()?.write_case(&entry, None, at)?;
            }
            Ok(((), true))
        })
    }
}

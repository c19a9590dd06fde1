//! The archiver: closed cases whose effects were all delivered leave the hot tables (cases,
//! events, timers) for the archive, one row holding the whole history. A command that needs an
//! archived case (an appeal) loads it from there, and its first write brings it back.

use crate::db::ArchiveRow;
use crate::error::Result;
use crate::store::Store;

impl Store {
    /// Archives up to `limit` closed cases last changed at least `age_ms` ago whose effects
    /// were all delivered; answers how many.
    ///
    /// # Errors
    /// The database's; each case moves in its own transaction.
    pub fn archive(&mut self, age_ms: i64, limit: i64) -> Result<usize> {
        let ids = self.retrying(|s| {
            let now = s.clock()?;
            s.db()?.archivable(now - age_ms, limit)
        })?;
        let mut archived = 0;
        for id in ids {
            archived += usize::from(self.retrying(|s| s.archive_one(&id))?);
        }
        Ok(archived)
    }

    fn archive_one(&mut self, case_id: &str) -> Result<bool> {
        self.transaction(|s| {
            s.db()?.lock_keys(&[format!("c:{case_id}")])?;
            let mut engine = s.template.clone_definitions();
            let Some(None) = s.load_into(&mut engine, case_id)? else {
                return Ok((false, false)); // gone, or archived meanwhile
            };
            let history = engine
                .history(case_id)
                .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            let Some(write) = engine.case_write(case_id, history.len()) else {
                return Ok((false, false));
            };
            if !write.row.terminal {
                return Ok((false, false)); // reopened meanwhile
            }
            let history = serde_json::to_value(&history)?;
            let at = s.clock()?;
            let row = ArchiveRow {
                case_id,
                workflow: &write.row.workflow,
                version: write.row.version as i64,
                head: &write.row.head,
                history: &history,
                at,
            };
            s.db()?.archive_case(&row)?;
            Ok((true, true))
        })
    }
}

//! Reads for front ends: several answers about one case from one load of it, and the cases
//! opened in a window (Open311's `requests.json`, a desk's list).

use serde_json::Value as Json;

use crate::error::Result;
use crate::store::Store;

/// Which cases [`Store::list_cases`] answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Workflows; empty: all.
    pub workflows: Vec<String>,
    /// Opened at or after (UTC ms).
    pub opened_from: i64,
    /// Opened before (UTC ms).
    pub opened_to: i64,
    /// Closed ones only (`Some(true)`), open ones only (`Some(false)`), or both.
    pub terminal: Option<bool>,
    /// At most this many, newest first.
    pub limit: i64,
}

impl Store {
    /// Answers read requests (`get_case`, `public_view`, `sla_status`, ...) about one case,
    /// loaded once, hot or archived; `None` when the store has no such case.
    ///
    /// # Errors
    /// The database's.
    pub fn view(&mut self, case_id: &str, requests: &[Json]) -> Result<Option<Vec<Json>>> {
        self.read(|s| {
            s.refresh()?;
            let mut engine = s.template.clone_definitions();
            if s.load_into(&mut engine, case_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(
                requests
                    .iter()
                    .map(|r| engine.answer_json(r.clone()))
                    .collect(),
            ))
        })
    }

    /// Hot cases whose last event is later than `since` (UTC ms), oldest change first, with
    /// their versions: what a front end keeping copies of cases asks to stay up to date.
    ///
    /// # Errors
    /// The database's.
    pub fn changed_cases(&mut self, since: i64, limit: i64) -> Result<Vec<(String, i64, i64)>> {
        self.db()?.changed_cases(since, limit)
    }

    /// Hot cases (archived ones are left out) matching `filter`, newest first.
    ///
    /// # Errors
    /// The database's.
    pub fn list_cases(&mut self, filter: &CaseFilter) -> Result<Vec<String>> {
        self.db()?.list_cases(filter)
    }
}

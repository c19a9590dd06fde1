//! The store checked against itself, as an operator runs it after an incident
//! (`civicflow check`) and the durability tests run it after every kill: each stored history
//! runs 0..version−1 without a gap, verifies against its head and replays in a fresh engine,
//! and each open case's timer rows are the ones its history computes.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::error::{Result, StoreError};
use crate::store::Store;

/// One stored case, as checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedCase {
    /// Its number of events.
    pub version: u64,
    /// The head of its hash chain.
    pub head: String,
    /// Whether it is in the archive.
    pub archived: bool,
}

/// What a check found: every case with its head, and the problems.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Every case, hot and archived.
    pub cases: BTreeMap<String, CheckedCase>,
    /// Events checked.
    pub events: u64,
    /// Timer rows checked.
    pub timers: u64,
    /// What does not hold, one line each; empty when the store is sound.
    pub problems: Vec<String>,
}

impl Store {
    /// Checks every stored case (run it on a quiet store: it takes no locks).
    ///
    /// # Errors
    /// The database's; what is wrong with the data is in [`Checked::problems`].
    pub fn check(&mut self) -> Result<Checked> {
        self.refresh()?;
        let mut checked = Checked::default();
        let mut after = String::new();
        loop {
            let rows = self.db()?.case_heads(&after, 500)?;
            let Some(last) = rows.last() else {
                return Ok(checked);
            };
            after = last.0.clone();
            for (case_id, version, head, archived) in rows {
                let problem = self.check_case(&case_id, version, &head, archived, &mut checked)?;
                checked
                    .problems
                    .extend(problem.map(|p| format!("{case_id}: {p}")));
                let version = u64::try_from(version).unwrap_or(0);
                checked.cases.insert(
                    case_id,
                    CheckedCase {
                        version,
                        head,
                        archived,
                    },
                );
            }
        }
    }

    fn check_case(
        &mut self,
        case_id: &str,
        version: i64,
        head: &str,
        archived: bool,
        checked: &mut Checked,
    ) -> Result<Option<String>> {
        let Some(stored) = self.db()?.load_case(case_id)? else {
            return Ok(Some("a row without events".into()));
        };
        if stored.archived != archived {
            return Ok(Some("both hot and archived".into()));
        }
        checked.events += stored.history.len() as u64;
        let seqs: Vec<i64> = stored
            .history
            .iter()
            .map(|e| e["seq"].as_i64().unwrap_or(-1))
            .collect();
        if seqs.iter().copied().ne(0..version) {
            return Ok(Some(format!("version {version}, events numbered {seqs:?}")));
        }
        let mut engine = self.template.clone_definitions();
        let request = json!({"op": "append_events", "case_id": case_id, "events": stored.history});
        let answer = engine.answer_json(request);
        if !crate::json::is_ok(&answer) {
            return Ok(Some(format!(
                "does not replay: {}",
                crate::json::at(&answer, "/errors")
            )));
        }
        let write = engine
            .case_write(case_id, stored.history.len())
            .ok_or_else(|| StoreError::Corrupt(format!("{case_id} vanished on replay")))?;
        if write.row.head != head {
            return Ok(Some(format!(
                "head {head} stored, {} replayed",
                write.row.head
            )));
        }
        if archived {
            return Ok(None);
        }
        let rows = self.db()?.timer_rows(case_id)?;
        checked.timers += rows.len() as u64;
        let computed: Vec<Json> = write
            .timers
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()?;
        if rows != computed {
            return Ok(Some(format!(
                "timer rows {rows:?}, history computes {computed:?}"
            )));
        }
        Ok(None)
    }
}

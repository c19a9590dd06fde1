//! The SQLite backend: one file in WAL mode, every write transaction `BEGIN IMMEDIATE` (the
//! database's single write lock, taken at the start so that no transaction upgrades late and
//! fails), `synchronous = FULL` so that a commit survives the machine losing power.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection};
use serde_json::Value as Json;

use super::{
    due_at, effect_key, ArchiveRow, Db, DefinitionRow, OutboxCopy, OutboxRow, StoredCase, Write,
};
use crate::error::{Result, StoreError};

pub(crate) struct Sqlite {
    conn: Connection,
}

impl Sqlite {
    pub(crate) fn open(path: &str) -> Result<Sqlite> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Sqlite { conn })
    }

    fn json_rows(&self, sql: &str, param: &dyn rusqlite::ToSql) -> Result<Vec<Json>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([param], |r| r.get::<_, String>(0))?;
        rows.map(|text| Ok(serde_json::from_str(&text?)?)).collect()
    }

    fn strings(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Db for Sqlite {
    fn migrate(&mut self, number: i64, script: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(script)?;
        tx.execute(
            "INSERT INTO schema_migrations (number, at) VALUES (?1, ?2)",
            params![number, wall_clock()],
        )?;
        Ok(tx.commit()?)
    }

    fn migrations(&mut self) -> Result<Vec<i64>> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
        )?;
        let mut stmt = self
            .conn
            .prepare("SELECT number FROM schema_migrations ORDER BY number")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn begin(&mut self) -> Result<()> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    fn begin_read(&mut self) -> Result<()> {
        Ok(self.conn.execute_batch("BEGIN DEFERRED")?)
    }

    fn commit(&mut self) -> Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    fn rollback(&mut self) {
        // Fails only when no transaction is open, which is then what we want.
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    fn now_ms(&mut self) -> Result<i64> {
        // Embedded: the database's clock is this machine's.
        Ok(wall_clock())
    }

    fn lock_keys(&mut self, _keys: &[String]) -> Result<()> {
        Ok(())
    }

    fn lock_definitions(&mut self, _exclusive: bool) -> Result<()> {
        Ok(())
    }

    fn definitions_after(&mut self, seq: i64) -> Result<Vec<(i64, Json)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, body FROM definitions WHERE seq > ?1 ORDER BY seq")?;
        let rows = stmt.query_map([seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (seq, text) = row?;
            Ok((seq, serde_json::from_str(&text)?))
        })
        .collect()
    }

    fn insert_definition(&mut self, d: &DefinitionRow<'_>) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO definitions (kind, id, version, body, digest, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![d.kind, d.id, d.version, d.body.to_string(), d.digest, d.at],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    fn stored_answer(&mut self, request_id: &str) -> Result<Option<Json>> {
        let sql = "SELECT answer FROM requests WHERE request_id = ?1";
        Ok(self.json_rows(sql, &request_id)?.into_iter().next())
    }

    fn store_answer(
        &mut self,
        request_id: &str,
        case_id: &str,
        answer: &Json,
        at: i64,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO requests (request_id, case_id, answer, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?;
        stmt.execute(params![request_id, case_id, answer.to_string(), at])?;
        Ok(())
    }

    fn load_case(&mut self, case_id: &str) -> Result<Option<StoredCase>> {
        let sql = "SELECT body FROM events WHERE case_id = ?1 ORDER BY seq";
        let history = self.json_rows(sql, &case_id)?;
        if !history.is_empty() {
            return Ok(Some(StoredCase {
                history,
                archived: false,
            }));
        }
        let sql = "SELECT history FROM archive WHERE case_id = ?1";
        Ok(match self.json_rows(sql, &case_id)?.into_iter().next() {
            Some(Json::Array(history)) => Some(StoredCase {
                history,
                archived: true,
            }),
            Some(_) => {
                return Err(StoreError::Corrupt(format!(
                    "archived history of {case_id}"
                )))
            }
            None => None,
        })
    }

    fn open_cases_with(&mut self, citizen: &str, matter: &str) -> Result<Vec<String>> {
        self.strings(
            "SELECT case_id FROM cases WHERE citizen_key = ?1 AND matter_key = ?2 AND terminal = 0 ORDER BY case_id",
            params![citizen, matter],
        )
    }

    fn write_case(&mut self, w: &Write, revived: Option<&[Json]>, now: i64) -> Result<()> {
        let row = &w.row;
        let old = row.version as i64 - w.events.len() as i64;
        if let Some(history) = revived {
            self.conn
                .execute("DELETE FROM archive WHERE case_id = ?1", [&w.case_id])?;
            insert_events(&self.conn, &w.case_id, history, now)?;
        }
        insert_events(&self.conn, &w.case_id, &w.events, now)?;
        let (citizen, matter) = match &row.keys {
            Some(k) => (Some(k.citizen.as_str()), Some(k.matter.as_str())),
            None => (None, None),
        };
        let mut upsert = self.conn.prepare_cached(
            "INSERT INTO cases (case_id, workflow, wf_version, state, terminal, version, head, citizen_key, matter_key, primary_id, appeal_of, opened_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, wf_version = excluded.wf_version,
               state = excluded.state, terminal = excluded.terminal, version = excluded.version, head = excluded.head,
               citizen_key = excluded.citizen_key, matter_key = excluded.matter_key, primary_id = excluded.primary_id,
               appeal_of = excluded.appeal_of, updated_at = excluded.updated_at
             WHERE cases.version = ?14",
        )?;
        let changed = upsert.execute(params![
            w.case_id,
            row.workflow,
            row.workflow_version,
            row.state,
            row.terminal,
            row.version as i64,
            row.head,
            citizen,
            matter,
            row.primary,
            row.appeal_of,
            row.opened_at,
            row.updated_at,
            old
        ])?;
        drop(upsert);
        if changed != 1 {
            return Err(StoreError::Conflict(format!(
                "case {} moved past version {old}",
                w.case_id
            )));
        }
        self.replace_timers(&w.case_id, &w.timers)?;
        let mut outbox = self.conn.prepare_cached(
            "INSERT INTO outbox (effect_id, case_id, seq, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for effect in &w.effects {
            let (id, seq) = effect_key(effect);
            outbox.execute(params![id, w.case_id, seq, effect.to_string()])?;
        }
        Ok(())
    }

    fn claim_due(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<String>> {
        // The write lock is held: nobody else claims meanwhile, no SKIP LOCKED needed.
        let cases = self.strings(
            "SELECT case_id FROM timers WHERE due_at <= ?1 AND (leased_until IS NULL OR leased_until <= ?1)
             GROUP BY case_id ORDER BY MIN(due_at), case_id LIMIT ?2",
            params![now, limit],
        )?;
        let mut lease = self
            .conn
            .prepare_cached("UPDATE timers SET leased_until = ?2 WHERE case_id = ?1")?;
        for case in &cases {
            lease.execute(params![case, now + lease_ms])?;
        }
        Ok(cases)
    }

    fn due_timers(&mut self, now: i64, limit: i64) -> Result<Vec<Json>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM timers WHERE due_at <= ?1 ORDER BY due_at, case_id, slot LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit], |r| r.get::<_, String>(0))?;
        rows.map(|text| Ok(serde_json::from_str(&text?)?)).collect()
    }

    fn stranded_duplicates(&mut self, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT d.case_id FROM cases d JOIN cases p ON p.case_id = d.primary_id
             WHERE d.terminal = 0 AND p.terminal = 1 ORDER BY d.case_id LIMIT ?1",
            [limit],
        )
    }

    fn count_due(&mut self, now: i64) -> Result<i64> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM timers WHERE due_at <= ?1")?;
        Ok(stmt.query_row([now], |r| r.get(0))?)
    }

    fn lease_effects(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<OutboxRow>> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE outbox SET leased_until = ?2, attempts = attempts + 1
             WHERE ord IN (SELECT x.ord FROM outbox x
               WHERE x.delivered_at IS NULL AND (x.leased_until IS NULL OR x.leased_until < ?1)
                 AND NOT EXISTS (SELECT 1 FROM outbox y
                   WHERE y.case_id = x.case_id AND y.delivered_at IS NULL AND y.ord < x.ord)
               ORDER BY x.ord LIMIT ?3)
             RETURNING effect_id, case_id, body, attempts",
        )?;
        let rows = stmt.query_map(params![now, now + lease_ms, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
            ))
        })?;
        let mut leased = Vec::new();
        for row in rows {
            let (effect_id, case_id, body, attempts) = row?;
            leased.push(OutboxRow {
                effect_id,
                case_id,
                body: serde_json::from_str(&body)?,
                attempts,
            });
        }
        Ok(leased)
    }

    fn mark_delivered(&mut self, effect_id: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET delivered_at = ?2, leased_until = NULL WHERE effect_id = ?1",
            params![effect_id, now],
        )?;
        Ok(())
    }

    fn mark_failed(&mut self, effect_id: &str, retry_at: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET leased_until = ?2, last_error = ?3 WHERE effect_id = ?1",
            params![effect_id, retry_at, error],
        )?;
        Ok(())
    }

    fn count_undelivered(&mut self) -> Result<i64> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")?;
        Ok(stmt.query_row([], |r| r.get(0))?)
    }

    fn archivable(&mut self, before: i64, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT c.case_id FROM cases c WHERE c.terminal = 1 AND c.updated_at < ?1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.case_id AND o.delivered_at IS NULL)
             ORDER BY c.updated_at LIMIT ?2",
            params![before, limit],
        )
    }

    fn archive_case(&mut self, a: &ArchiveRow<'_>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO archive (case_id, workflow, version, head, history, archived_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![a.case_id, a.workflow, a.version, a.head, a.history.to_string(), a.at],
        )?;
        self.conn
            .execute("DELETE FROM events WHERE case_id = ?1", [a.case_id])?;
        self.conn
            .execute("DELETE FROM timers WHERE case_id = ?1", [a.case_id])?;
        self.conn
            .execute("DELETE FROM cases WHERE case_id = ?1", [a.case_id])?;
        Ok(())
    }

    fn open_cases_after(&mut self, after: &str, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT case_id FROM cases WHERE terminal = 0 AND case_id > ?1 ORDER BY case_id LIMIT ?2",
            params![after, limit],
        )
    }

    fn case_heads(&mut self, after: &str, limit: i64) -> Result<Vec<(String, i64, String, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, version, head, 0 FROM cases WHERE case_id > ?1
             UNION ALL SELECT case_id, version, head, 1 FROM archive WHERE case_id > ?1
             ORDER BY 1 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn list_cases(&mut self, f: &crate::read::CaseFilter) -> Result<Vec<String>> {
        let workflows = serde_json::to_string(&f.workflows)?;
        let terminal = f.terminal.map(i64::from);
        self.strings(
            "SELECT case_id FROM cases WHERE opened_at >= ?1 AND opened_at < ?2
               AND (?3 = '[]' OR workflow IN (SELECT value FROM json_each(?3)))
               AND (?4 IS NULL OR terminal = ?4)
             ORDER BY opened_at DESC, case_id LIMIT ?5",
            params![f.opened_from, f.opened_to, workflows, terminal, f.limit],
        )
    }

    fn changed_cases(&mut self, since: i64, limit: i64) -> Result<Vec<(String, i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, version, updated_at FROM cases WHERE updated_at > ?1 ORDER BY updated_at, case_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![since, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn timer_rows(&mut self, case_id: &str) -> Result<Vec<Json>> {
        self.json_rows(
            "SELECT body FROM timers WHERE case_id = ?1 ORDER BY slot",
            &case_id,
        )
    }

    fn outbox_rows(&mut self, after: i64, limit: i64) -> Result<Vec<OutboxCopy>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ord, effect_id, case_id, seq, body, attempts, last_error, leased_until, delivered_at
             FROM outbox WHERE ord > ?1 ORDER BY ord LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?;
        let mut copies = Vec::new();
        for row in rows {
            let (
                ord,
                effect_id,
                case_id,
                seq,
                body,
                attempts,
                last_error,
                leased_until,
                delivered_at,
            ) = row?;
            let body = serde_json::from_str(&body)?;
            copies.push(OutboxCopy {
                ord,
                effect_id,
                case_id,
                seq,
                body,
                attempts,
                last_error,
                leased_until,
                delivered_at,
            });
        }
        Ok(copies)
    }

    fn insert_outbox_copy(&mut self, o: &OutboxCopy) -> Result<()> {
        self.conn.execute(
            "INSERT INTO outbox (effect_id, case_id, seq, body, attempts, last_error, leased_until, delivered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![o.effect_id, o.case_id, o.seq, o.body.to_string(), o.attempts, o.last_error, o.leased_until, o.delivered_at],
        )?;
        Ok(())
    }

    fn request_rows(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, Json, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT request_id, case_id, answer, at FROM requests WHERE request_id > ?1 ORDER BY request_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut copies = Vec::new();
        for row in rows {
            let (id, case, answer, at) = row?;
            copies.push((id, case, serde_json::from_str(&answer)?, at));
        }
        Ok(copies)
    }

    fn replace_timers(&mut self, case_id: &str, timers: &[Json]) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM timers WHERE case_id = ?1")?
            .execute([case_id])?;
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO timers (case_id, slot, due_at, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (slot, timer) in timers.iter().enumerate() {
            insert.execute(params![
                case_id,
                slot as i64,
                due_at(timer),
                timer.to_string()
            ])?;
        }
        Ok(())
    }
}

fn insert_events(conn: &Connection, case_id: &str, events: &[Json], now: i64) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO events (case_id, seq, body, committed_at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for event in events {
        let seq = event.get("seq").and_then(Json::as_i64).unwrap_or(-1);
        insert.execute(params![case_id, seq, event.to_string(), now])?;
    }
    Ok(())
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

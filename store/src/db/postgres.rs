//! The PostgreSQL backend: any number of workers on one database. Cases and matter keys are
//! locked with transaction-scoped advisory locks (they also cover rows not yet written, and
//! survive transaction-pooling proxies, unlike session locks); timer and outbox rows are
//! claimed with `FOR UPDATE SKIP LOCKED`, so that workers never wait on each other's claims.
//! Bodies are `jsonb`; each write statement takes a whole array, one round trip per table.

use std::collections::HashMap;

use postgres::{Client, NoTls, Statement};
use serde_json::Value as Json;

use super::{effect_key, ArchiveRow, Db, DefinitionRow, OutboxCopy, OutboxRow, StoredCase, Write};
use crate::error::{Result, StoreError};

pub(crate) struct Postgres {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

/// The advisory lock class of definitions changes (`'cf'` in ASCII), apart from case keys.
const DEFINITIONS_LOCK: i64 = 0x6366;

impl Postgres {
    pub(crate) fn open(url: &str) -> Result<Postgres> {
        let client = Client::connect(url, NoTls)?;
        Ok(Postgres {
            client,
            statements: HashMap::new(),
        })
    }

    /// The prepared statement for `sql`, prepared once per connection.
    fn prepared(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<u64> {
        let statement = self.prepared(sql)?;
        Ok(self.client.execute(&statement, params)?)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>> {
        let statement = self.prepared(sql)?;
        Ok(self.client.query(&statement, params)?)
    }

    fn strings(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<String>> {
        self.query(sql, params)?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    fn count(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<i64> {
        let rows = self.query(sql, params)?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("no count".into()))?;
        Ok(row.try_get(0)?)
    }
}

impl Db for Postgres {
    fn migrate(&mut self, number: i64, script: &str) -> Result<()> {
        let mut tx = self.client.transaction()?;
        // One migrator at a time, however many servers start together.
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, 1)",
            &[&(DEFINITIONS_LOCK as i32)],
        )?;
        let done = tx.query(
            "SELECT 1 FROM schema_migrations WHERE number = $1",
            &[&number],
        )?;
        if done.is_empty() {
            tx.batch_execute(script)?;
            tx.execute(
                "INSERT INTO schema_migrations (number, at) VALUES ($1, now())",
                &[&number],
            )?;
        }
        Ok(tx.commit()?)
    }

    fn migrations(&mut self) -> Result<Vec<i64>> {
        self.client.batch_execute(
            "SELECT pg_advisory_lock(26214, 2);
             CREATE TABLE IF NOT EXISTS schema_migrations (number BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL);
             SELECT pg_advisory_unlock(26214, 2);",
        )?;
        let rows = self
            .client
            .query("SELECT number FROM schema_migrations ORDER BY number", &[])?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn begin(&mut self) -> Result<()> {
        Ok(self.client.batch_execute("BEGIN")?)
    }

    fn begin_read(&mut self) -> Result<()> {
        Ok(self
            .client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?)
    }

    fn commit(&mut self) -> Result<()> {
        Ok(self.client.batch_execute("COMMIT")?)
    }

    fn rollback(&mut self) {
        // A broken connection rolls back by itself.
        let _ = self.client.batch_execute("ROLLBACK");
    }

    fn now_ms(&mut self) -> Result<i64> {
        self.count(
            "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
            &[],
        )
    }

    fn lock_keys(&mut self, keys: &[String]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        // In the array's order: the caller sorts, so that two commands never wait in a cycle.
        self.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, i) ORDER BY i",
            &[&keys],
        )?;
        Ok(())
    }

    fn lock_definitions(&mut self, exclusive: bool) -> Result<()> {
        if exclusive {
            self.execute("SELECT pg_advisory_xact_lock($1)", &[&DEFINITIONS_LOCK])?;
        } else {
            self.execute(
                "SELECT pg_advisory_xact_lock_shared($1)",
                &[&DEFINITIONS_LOCK],
            )?;
        }
        Ok(())
    }

    fn definitions_after(&mut self, seq: i64) -> Result<Vec<(i64, Json)>> {
        let rows = self.query(
            "SELECT seq, body FROM definitions WHERE seq > $1 ORDER BY seq",
            &[&seq],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn insert_definition(&mut self, d: &DefinitionRow<'_>) -> Result<i64> {
        self.count(
            "INSERT INTO definitions (kind, id, version, body, digest, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
            &[&d.kind, &d.id, &d.version, d.body, &d.digest, &d.at],
        )
    }

    fn stored_answer(&mut self, request_id: &str) -> Result<Option<Json>> {
        let rows = self.query(
            "SELECT answer FROM requests WHERE request_id = $1",
            &[&request_id],
        )?;
        rows.first().map(|r| Ok(r.try_get(0)?)).transpose()
    }

    fn store_answer(
        &mut self,
        request_id: &str,
        case_id: &str,
        answer: &Json,
        at: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO requests (request_id, case_id, answer, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&request_id, &case_id, answer, &at],
        )?;
        Ok(())
    }

    fn load_case(&mut self, case_id: &str) -> Result<Option<StoredCase>> {
        let rows = self.query(
            "SELECT body FROM events WHERE case_id = $1 ORDER BY seq",
            &[&case_id],
        )?;
        if !rows.is_empty() {
            let history = rows
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            return Ok(Some(StoredCase {
                history,
                archived: false,
            }));
        }
        let rows = self.query(
            "SELECT history FROM archive WHERE case_id = $1",
            &[&case_id],
        )?;
        match rows.first().map(|r| r.try_get(0)).transpose()? {
            Some(Json::Array(history)) => Ok(Some(StoredCase {
                history,
                archived: true,
            })),
            Some(_) => Err(StoreError::Corrupt(format!(
                "archived history of {case_id}"
            ))),
            None => Ok(None),
        }
    }

    fn open_cases_with(&mut self, citizen: &str, matter: &str) -> Result<Vec<String>> {
        self.strings(
            "SELECT case_id FROM cases WHERE citizen_key = $1 AND matter_key = $2 AND NOT terminal ORDER BY case_id",
            &[&citizen, &matter],
        )
    }

    fn write_case(&mut self, w: &Write, revived: Option<&[Json]>, now: i64) -> Result<()> {
        let row = &w.row;
        let version = row.version as i64;
        let old = version - w.events.len() as i64;
        if let Some(history) = revived {
            self.execute("DELETE FROM archive WHERE case_id = $1", &[&w.case_id])?;
            self.insert_events(&w.case_id, history, now)?;
        }
        self.insert_events(&w.case_id, &w.events, now)?;
        let citizen = row.keys.as_ref().map(|k| k.citizen.as_str());
        let matter = row.keys.as_ref().map(|k| k.matter.as_str());
        let changed = self.execute(
            "INSERT INTO cases (case_id, workflow, wf_version, state, terminal, version, head, citizen_key, matter_key, primary_id, appeal_of, opened_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (case_id) DO UPDATE SET workflow = excluded.workflow, wf_version = excluded.wf_version,
               state = excluded.state, terminal = excluded.terminal, version = excluded.version, head = excluded.head,
               citizen_key = excluded.citizen_key, matter_key = excluded.matter_key, primary_id = excluded.primary_id,
               appeal_of = excluded.appeal_of, updated_at = excluded.updated_at
             WHERE cases.version = $14",
            &[&w.case_id, &row.workflow, &i64::from(row.workflow_version), &row.state, &row.terminal, &version,
              &row.head, &citizen, &matter, &row.primary, &row.appeal_of, &row.opened_at, &row.updated_at, &old],
        )?;
        if changed != 1 {
            return Err(StoreError::Conflict(format!(
                "case {} moved past version {old}",
                w.case_id
            )));
        }
        self.replace_timers(&w.case_id, &w.timers)?;
        if !w.effects.is_empty() {
            let ids: Vec<&str> = w.effects.iter().map(|e| effect_key(e).0).collect();
            let seqs: Vec<i64> = w.effects.iter().map(|e| effect_key(e).1).collect();
            let bodies = Json::Array(w.effects.clone());
            self.execute(
                "INSERT INTO outbox (effect_id, case_id, seq, body)
                 SELECT id, $2, seq, body FROM unnest($1::text[], $3::bigint[]) WITH ORDINALITY AS t(id, seq, i)
                 JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS b(body, j) ON i = j ORDER BY i",
                &[&ids, &w.case_id, &seqs, &bodies],
            )?;
        }
        Ok(())
    }

    fn claim_due(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<String>> {
        let claimed = self.strings(
            "UPDATE timers t SET leased_until = $2 FROM (
               SELECT case_id, slot FROM timers WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
               ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) d
             WHERE t.case_id = d.case_id AND t.slot = d.slot RETURNING t.case_id",
            &[&now, &(now + lease_ms), &limit],
        )?;
        let mut seen = std::collections::HashSet::new();
        Ok(claimed
            .into_iter()
            .filter(|c| seen.insert(c.clone()))
            .collect())
    }

    fn due_timers(&mut self, now: i64, limit: i64) -> Result<Vec<Json>> {
        let rows = self.query(
            "SELECT body FROM timers WHERE due_at <= $1 ORDER BY due_at, case_id, slot LIMIT $2",
            &[&now, &limit],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn stranded_duplicates(&mut self, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT d.case_id FROM cases d JOIN cases p ON p.case_id = d.primary_id
             WHERE NOT d.terminal AND p.terminal ORDER BY d.case_id LIMIT $1",
            &[&limit],
        )
    }

    fn count_due(&mut self, now: i64) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM timers WHERE due_at <= $1", &[&now])
    }

    fn lease_effects(&mut self, now: i64, limit: i64, lease_ms: i64) -> Result<Vec<OutboxRow>> {
        let rows = self.query(
            "UPDATE outbox o SET leased_until = $2, attempts = o.attempts + 1 FROM (
               SELECT x.ord FROM outbox x
               WHERE x.delivered_at IS NULL AND (x.leased_until IS NULL OR x.leased_until < $1)
                 AND NOT EXISTS (SELECT 1 FROM outbox y
                   WHERE y.case_id = x.case_id AND y.delivered_at IS NULL AND y.ord < x.ord)
               ORDER BY x.ord LIMIT $3 FOR UPDATE SKIP LOCKED) c
             WHERE o.ord = c.ord RETURNING o.effect_id, o.case_id, o.body, o.attempts, o.ord",
            &[&now, &(now + lease_ms), &limit],
        )?;
        let mut leased = rows
            .iter()
            .map(|r| {
                let row = OutboxRow {
                    effect_id: r.try_get(0)?,
                    case_id: r.try_get(1)?,
                    body: r.try_get(2)?,
                    attempts: r.try_get(3)?,
                };
                Ok((r.try_get::<_, i64>(4)?, row))
            })
            .collect::<Result<Vec<_>>>()?;
        leased.sort_by_key(|(ord, _)| *ord);
        Ok(leased.into_iter().map(|(_, row)| row).collect())
    }

    fn mark_delivered(&mut self, effect_id: &str, now: i64) -> Result<()> {
        self.execute(
            "UPDATE outbox SET delivered_at = $2, leased_until = NULL WHERE effect_id = $1",
            &[&effect_id, &now],
        )?;
        Ok(())
    }

    fn mark_failed(&mut self, effect_id: &str, retry_at: i64, error: &str) -> Result<()> {
        self.execute(
            "UPDATE outbox SET leased_until = $2, last_error = $3 WHERE effect_id = $1",
            &[&effect_id, &retry_at, &error],
        )?;
        Ok(())
    }

    fn count_undelivered(&mut self) -> Result<i64> {
        self.count(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL",
            &[],
        )
    }

    fn archivable(&mut self, before: i64, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT c.case_id FROM cases c WHERE c.terminal AND c.updated_at < $1
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.case_id AND o.delivered_at IS NULL)
             ORDER BY c.updated_at LIMIT $2",
            &[&before, &limit],
        )
    }

    fn archive_case(&mut self, a: &ArchiveRow<'_>) -> Result<()> {
        self.execute(
            "INSERT INTO archive (case_id, workflow, version, head, history, archived_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&a.case_id, &a.workflow, &a.version, &a.head, a.history, &a.at],
        )?;
        self.execute("DELETE FROM events WHERE case_id = $1", &[&a.case_id])?;
        self.execute("DELETE FROM timers WHERE case_id = $1", &[&a.case_id])?;
        self.execute("DELETE FROM cases WHERE case_id = $1", &[&a.case_id])?;
        Ok(())
    }

    fn open_cases_after(&mut self, after: &str, limit: i64) -> Result<Vec<String>> {
        self.strings(
            "SELECT case_id FROM cases WHERE NOT terminal AND case_id > $1 ORDER BY case_id LIMIT $2",
            &[&after, &limit],
        )
    }

    fn case_heads(&mut self, after: &str, limit: i64) -> Result<Vec<(String, i64, String, bool)>> {
        let rows = self.query(
            "SELECT case_id, version, head, false FROM cases WHERE case_id > $1
             UNION ALL SELECT case_id, version, head, true FROM archive WHERE case_id > $1
             ORDER BY 1 LIMIT $2",
            &[&after, &limit],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    fn list_cases(&mut self, f: &crate::read::CaseFilter) -> Result<Vec<String>> {
        self.strings(
            "SELECT case_id FROM cases WHERE opened_at >= $1 AND opened_at < $2
               AND (cardinality($3::text[]) = 0 OR workflow = ANY($3))
               AND ($4::boolean IS NULL OR terminal = $4)
             ORDER BY opened_at DESC, case_id LIMIT $5",
            &[
                &f.opened_from,
                &f.opened_to,
                &f.workflows,
                &f.terminal,
                &f.limit,
            ],
        )
    }

    fn changed_cases(&mut self, since: i64, limit: i64) -> Result<Vec<(String, i64, i64)>> {
        let rows = self.query(
            "SELECT case_id, version, updated_at FROM cases WHERE updated_at > $1 ORDER BY updated_at, case_id LIMIT $2",
            &[&since, &limit],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    fn timer_rows(&mut self, case_id: &str) -> Result<Vec<Json>> {
        let rows = self.query(
            "SELECT body FROM timers WHERE case_id = $1 ORDER BY slot",
            &[&case_id],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn outbox_rows(&mut self, after: i64, limit: i64) -> Result<Vec<OutboxCopy>> {
        let rows = self.query(
            "SELECT ord, effect_id, case_id, seq, body, attempts, last_error, leased_until, delivered_at
             FROM outbox WHERE ord > $1 ORDER BY ord LIMIT $2",
            &[&after, &limit],
        )?;
        rows.iter()
            .map(|r| {
                Ok(OutboxCopy {
                    ord: r.try_get(0)?,
                    effect_id: r.try_get(1)?,
                    case_id: r.try_get(2)?,
                    seq: r.try_get(3)?,
                    body: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                    last_error: r.try_get(6)?,
                    leased_until: r.try_get(7)?,
                    delivered_at: r.try_get(8)?,
                })
            })
            .collect()
    }

    fn insert_outbox_copy(&mut self, o: &OutboxCopy) -> Result<()> {
        self.execute(
            "INSERT INTO outbox (effect_id, case_id, seq, body, attempts, last_error, leased_until, delivered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&o.effect_id, &o.case_id, &o.seq, &o.body, &o.attempts, &o.last_error, &o.leased_until, &o.delivered_at],
        )?;
        Ok(())
    }

    fn request_rows(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, Json, i64)>> {
        let rows = self.query(
            "SELECT request_id, case_id, answer, at FROM requests WHERE request_id > $1 ORDER BY request_id LIMIT $2",
            &[&after, &limit],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    fn replace_timers(&mut self, case_id: &str, timers: &[Json]) -> Result<()> {
        self.execute("DELETE FROM timers WHERE case_id = $1", &[&case_id])?;
        if !timers.is_empty() {
            let bodies = Json::Array(timers.to_vec());
            self.execute(
                "INSERT INTO timers (case_id, slot, due_at, body)
                 SELECT $1, i - 1, (b->>'due_at')::bigint, b FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(b, i)",
                &[&case_id, &bodies],
            )?;
        }
        Ok(())
    }
}

impl Postgres {
    fn insert_events(&mut self, case_id: &str, events: &[Json], now: i64) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let bodies = Json::Array(events.to_vec());
        self.execute(
            "INSERT INTO events (case_id, seq, body, committed_at)
             SELECT $1, (e->>'seq')::bigint, e, $3 FROM jsonb_array_elements($2::jsonb) AS t(e)",
            &[&case_id, &bodies, &now],
        )?;
        Ok(())
    }
}

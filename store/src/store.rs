//! The store: one database connection, the definitions every command runs on, and the ops the
//! JSON API sends through it.

use civicflow::{Engine, OutboxMode};
use serde_json::{json, Value as Json};

use crate::db::{Db, DefinitionRow};
use crate::error::{Result, StoreError};
#[cfg(feature = "fault-injection")]
use crate::faults::FaultKind;
use crate::faults::Faults;
use crate::migrate::migrate;
use crate::url::Database;

/// civicflow on a database, for one worker: open as many as there are threads, in as many
/// processes as needed; they share nothing but the database.
pub struct Store {
    db: Box<dyn Db>,
    pub(crate) faults: Faults,
    /// Definitions only, outbox held by the store: each command runs on a copy of it.
    pub(crate) template: Engine,
    /// The last definitions row the template holds.
    definitions_seq: i64,
    database: Database,
    /// A fixed time instead of the database's clock (tests, simulations).
    fixed_clock: Option<i64>,
    /// How long the sweeper's claims last.
    pub(crate) claim_lease_ms: i64,
}

/// Work waiting in the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Timer rows due now.
    pub timers_due: i64,
    /// Effects not delivered yet.
    pub outbox: i64,
}

/// How the store treats an op of the JSON API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// Loads a definition: stored, then every worker loads it.
    Define,
    /// Changes cases: the command path, one transaction.
    Command,
    /// Reads cases: loaded from the store, no lock.
    ReadCase,
    /// Reads definitions or the request alone.
    Template,
    /// Answered from the store's own tables.
    Due,
    /// The store's own business (its outbox, snapshots, limits) or nothing a caller may do.
    NotServed,
}

pub(crate) fn route(op: &str, request: &Json) -> Route {
    let has_case = request.get("case_id").is_some_and(|c| !c.is_null());
    match op {
        "load_workflow" | "load_calendar" | "load_org" => Route::Define,
        "open_case" | "apply" | "link_cases" | "follow_primary" | "submit_opinion"
        | "supervise" | "answer_supervision" | "extend" => Route::Command,
        "fire_due" if has_case => Route::Command,
        "get_case"
        | "available_transitions"
        | "history"
        | "sla_status"
        | "case_timers"
        | "public_view" => Route::ReadCase,
        "export_graph" if has_case => Route::ReadCase,
        "due" | "next_due" => Route::Due,
        "replay" if request.get("store") == Some(&Json::Bool(true)) => Route::NotServed,
        "validate_workflow"
        | "list_workflows"
        | "shortest_path"
        | "export_graph"
        | "replay"
        | "verify_history"
        | "calendar_add"
        | "calendar_from_notice"
        | "calendar_between"
        | "route"
        | "plan"
        | "get_limits" => Route::Template,
        "append_events" | "unload_case" | "archive_case" | "snapshot" | "restore" | "fire_due"
        | "drain_outbox" | "ack_effects" | "set_limits" | "set_options" | "get_options"
        | "metrics" | "list_cases" => Route::NotServed,
        // Unknown ops and bad requests: the engine's own refusal.
        _ => Route::Template,
    }
}

/// Whether a request of `op` is kept by its `request_id` (an `Idempotency-Key`): the ops that
/// change cases or definitions. Reads are answered again, as they change nothing.
pub fn takes_request_id(op: &str) -> bool {
    let request = serde_json::json!({"case_id": "x"});
    matches!(route(op, &request), Route::Command | Route::Define)
}

impl Store {
    /// Connects, runs the migrations not run yet and loads the stored definitions.
    ///
    /// # Errors
    /// `store.url`, or `store.database` when the database cannot be reached or migrated.
    pub fn open(url: &str) -> Result<Store> {
        let database = Database::parse(url)?;
        let mut db = database.connect()?;
        migrate(db.as_mut(), &database)?;
        let mut template = Engine::new();
        template
            .set_outbox_mode(OutboxMode::Host)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut store = Store {
            db,
            faults: Faults::default(),
            template,
            definitions_seq: 0,
            database,
            fixed_clock: None,
            claim_lease_ms: crate::sweeper::CLAIM_LEASE_MS,
        };
        store.refresh()?;
        Ok(store)
    }

    /// The database this store runs on.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Sets the limits every command runs under (the host's configuration, as the core's
    /// `set_limits`).
    pub fn set_limits(&mut self, limits: civicflow::Limits) {
        self.template.set_limits(limits);
    }

    /// The limits commands run under.
    pub fn limits(&self) -> &civicflow::Limits {
        self.template.limits()
    }

    /// The digest of the definitions this worker runs on (`list_workflows`' `digest`).
    pub fn definitions_digest(&self) -> String {
        self.template.definitions_digest()
    }

    /// Makes the `at`-th statement from now fail or kill the process (tests of durability).
    #[cfg(feature = "fault-injection")]
    pub fn inject_fault(&mut self, at: u64, kind: FaultKind) {
        self.faults.arm(at, kind);
    }

    /// Statements run so far on this connection.
    pub fn statements(&self) -> u64 {
        self.faults.count()
    }

    /// The database, one statement counted.
    pub(crate) fn db(&mut self) -> Result<&mut dyn Db> {
        self.faults.tick()?;
        Ok(self.db.as_mut())
    }

    /// Runs `body` in one transaction: committed when it answers `Ok(true)`, rolled back on
    /// `Ok(false)` and on any error. Commit counts as a statement, and so does the moment right
    /// after it (a process killed there committed but never answered).
    pub(crate) fn transaction<T>(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<(T, bool)>,
    ) -> Result<T> {
        self.db()?.begin()?;
        let outcome = body(self).and_then(|(value, write)| {
            if write {
                self.db()?.commit()?;
                self.faults.tick()?;
            } else {
                self.db.rollback();
            }
            Ok(value)
        });
        if outcome.is_err() {
            self.db.rollback();
        }
        outcome
    }

    /// Runs `body` in a read-only transaction on one snapshot, then ends it: reads never wait
    /// for the write lock, nor hold it.
    pub(crate) fn read<T>(&mut self, body: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.db()?.begin_read()?;
        let outcome = body(self);
        self.db.rollback();
        outcome
    }

    /// Runs `body` in transactions until it gets through: conflicts (deadlocks, a busy
    /// SQLite file) are retried with a growing pause; anything else reaches the caller.
    pub(crate) fn retrying<T>(
        &mut self,
        mut body: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 0u32;
        loop {
            match body(self) {
                Err(e) if e.is_transient() && attempt < 8 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(2u64 << attempt));
                }
                outcome => return outcome,
            }
        }
    }

    /// Brings the template up to the stored definitions (inside a transaction, under the
    /// shared definitions lock, or at start).
    pub(crate) fn refresh(&mut self) -> Result<()> {
        let seq = self.definitions_seq;
        let rows = self.db()?.definitions_after(seq)?;
        for (seq, request) in rows {
            let answer = self.template.answer_json(request);
            if !crate::json::is_ok(&answer) {
                return Err(StoreError::Corrupt(format!(
                    "definition {seq} does not load: {answer}"
                )));
            }
            self.definitions_seq = seq;
        }
        Ok(())
    }

    /// The time every command, sweep and lease goes by: the database's clock, UTC
    /// milliseconds, unless a fixed time was set.
    ///
    /// # Errors
    /// `store.database`.
    pub fn now(&mut self) -> Result<i64> {
        self.clock()
    }

    pub(crate) fn clock(&mut self) -> Result<i64> {
        match self.fixed_clock {
            Some(at) => self.faults.tick().map(|()| at),
            None => self.db()?.now_ms(),
        }
    }

    /// Runs on a fixed time instead of the database's clock (`None`: the database's again):
    /// for tests and simulations that replay a recorded stretch of time.
    pub fn set_clock(&mut self, fixed: Option<i64>) {
        self.fixed_clock = fixed;
    }

    /// How long a sweeper's claim keeps other workers off a case's due timers (default 30 s):
    /// a worker killed after claiming delays those timers by at most this. 0: no claim lasts.
    pub fn set_claim_lease(&mut self, ms: i64) {
        self.claim_lease_ms = ms.max(0);
    }

    /// Due timers and undelivered effects (readiness, metrics).
    ///
    /// # Errors
    /// `store.database`.
    pub fn backlog(&mut self) -> Result<Backlog> {
        let now = self.clock()?;
        let timers_due = self.db()?.count_due(now)?;
        let outbox = self.db()?.count_undelivered()?;
        Ok(Backlog { timers_due, outbox })
    }

    /// Reads request bytes as the engine does, under its limits (size, nesting, strings,
    /// repeated keys); a request that cannot be read gets the engine's refusal as `Err`.
    pub fn read_request(&self, bytes: &[u8]) -> std::result::Result<Json, Json> {
        use civicflow::Coded;
        self.template
            .read_request(bytes)
            .map_err(|e| json!({"ok": false, "errors": [e.detail("")]}))
    }

    /// Answers a request of the JSON API: the engine's answer, refusals included, once what it
    /// changed is committed. A retried `request_id` gets the stored answer, marked
    /// `duplicate`.
    ///
    /// # Errors
    /// The store's own failures: the database (`store.database`), conflicts that retries did not
    /// get through (`store.conflict`), ops the store keeps to itself (`store.op_not_served`).
    /// Nothing is kept of a request that failed; the caller retries it with the same id.
    pub fn call(&mut self, request: Json) -> Result<Json> {
        let op = request
            .get("op")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        match route(&op, &request) {
            Route::Define => self.retrying(|s| s.define(&op, &request)),
            Route::Command => {
                let answer = self.retrying(|s| s.command(&request, true))?;
                self.follow_up(&answer);
                Ok(answer)
            }
            Route::ReadCase => self.retrying(|s| s.command(&request, false)),
            Route::Due => self.due(&request),
            Route::Template => self.read(|s| {
                s.refresh()?;
                Ok(s.template.answer_json(request.clone()))
            }),
            Route::NotServed if op == "list_cases" => Err(StoreError::NotServed(
                "`list_cases` scans an engine's cases; the store lists its cases with `GET /v1/cases` (Store::list_cases)".to_owned(),
            )),
            Route::NotServed => Err(StoreError::NotServed(format!(
                "`{op}` is the store's own business: the server keeps the outbox, snapshots, limits and timers itself"
            ))),
        }
    }

    /// Moves on the duplicates a closing primary listed in `follow_ups` (too many to move in
    /// its own transaction), each in its own. One that fails here is left to the sweeper,
    /// which finds every open duplicate of a closed primary.
    fn follow_up(&mut self, answer: &Json) {
        let ids = crate::json::at(answer, "/result/follow_ups")
            .as_array()
            .cloned()
            .unwrap_or_default();
        for id in ids {
            let request = json!({"op": "follow_primary", "case_id": id});
            let _ = self.retrying(|s| s.command(&request, true));
        }
    }

    /// Loads a definition for every worker: checked on a copy of the definitions, stored, and
    /// the timer rows of open cases recomputed when a calendar or the organisation changed.
    fn define(&mut self, op: &str, request: &Json) -> Result<Json> {
        // Definitions ops take no request id: the store keeps it for them.
        let mut request = request.clone();
        let request_id = request
            .as_object_mut()
            .and_then(|body| body.remove("request_id"))
            .and_then(|id| id.as_str().map(str::to_owned));
        let request = &request;
        self.transaction(|s| {
            s.db()?.lock_definitions(true)?;
            if let Some(id) = &request_id {
                if let Some(mut answer) = s.db()?.stored_answer(id)? {
                    crate::command::mark_duplicate(&mut answer);
                    return Ok((answer, false));
                }
            }
            s.refresh()?;
            let mut next = s.template.clone_definitions();
            let answer = next.answer_json(request.clone());
            if !crate::json::is_ok(&answer) {
                return Ok((answer, false));
            }
            let result = crate::json::at(&answer, "/result");
            let id = crate::json::at(result, "/id")
                .as_str()
                .or(crate::json::at(request, "/id").as_str())
                .unwrap_or(op)
                .to_owned();
            let version = crate::json::at(result, "/version").as_i64().unwrap_or(0);
            let digest = next.definitions_digest();
            let at = s.clock()?;
            let row = DefinitionRow {
                kind: op,
                id: &id,
                version,
                body: request,
                digest: &digest,
                at,
            };
            let seq = s.db()?.insert_definition(&row)?;
            if let Some(request_id) = &request_id {
                s.db()?
                    .store_answer(request_id, &format!("{op}:{id}"), &answer, at)?;
            }
            if op != "load_workflow" {
                s.recompute_timers(&next)?;
            }
            s.template = next;
            s.definitions_seq = seq;
            Ok((answer, true))
        })
        .inspect_err(|_| {
            // The template may be ahead of the database: start again from what is stored.
            self.reset_template();
        })
    }

    fn reset_template(&mut self) {
        let limits = self.template.limits().clone();
        let mut fresh = Engine::with_limits(limits);
        // An empty engine's outbox is empty: setting the mode cannot be refused.
        let _ = fresh.set_outbox_mode(OutboxMode::Host);
        self.template = fresh;
        self.definitions_seq = 0;
    }

    /// After a calendar or organisation change: every open case's timer rows, as the new
    /// definitions compute them (under the exclusive definitions lock: no command runs).
    fn recompute_timers(&mut self, definitions: &Engine) -> Result<()> {
        let mut after = String::new();
        loop {
            let ids = self.db()?.open_cases_after(&after, 500)?;
            let Some(last) = ids.last() else {
                return Ok(());
            };
            after = last.clone();
            for id in ids {
                let mut engine = definitions.clone_definitions();
                self.load_into(&mut engine, &id)?;
                let timers = engine.answer_json(json!({"op": "case_timers", "case_id": id}));
                let list = crate::json::at(&timers, "/result/timers")
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.db()?.replace_timers(&id, &list)?;
            }
        }
    }

    /// Timers due at `now` (the database's clock when left out), from the timer rows.
    fn due(&mut self, request: &Json) -> Result<Json> {
        if request.get("op").and_then(Json::as_str) == Some("next_due") {
            // The engine's own answer first: a body it refuses is refused the same way here.
            let checked = self.template.answer_json(request.clone());
            if !crate::json::is_ok(&checked) {
                return Ok(checked);
            }
            let first = self.db()?.due_timers(i64::MAX, 1)?.into_iter().next();
            let result = first.map_or_else(|| json!({}), |timer| json!({ "timer": timer }));
            return Ok(json!({"ok": true, "result": result}));
        }
        let now = match request.get("now").and_then(Json::as_i64) {
            Some(now) => now,
            None => self.now()?,
        };
        let limit = request
            .get("limit")
            .and_then(Json::as_i64)
            .unwrap_or(1000)
            .clamp(1, 10_000);
        let timers = self.db()?.due_timers(now, limit)?;
        Ok(json!({"ok": true, "result": {"now": now, "timers": timers}}))
    }

    /// Loads a stored case into `engine`; `Ok(None)` when the store has no such case, else
    /// whether it came from the archive (with its history).
    pub(crate) fn load_into(
        &mut self,
        engine: &mut Engine,
        case_id: &str,
    ) -> Result<Option<Option<Vec<Json>>>> {
        let Some(stored) = self.db()?.load_case(case_id)? else {
            return Ok(None);
        };
        let request = json!({"op": "append_events", "case_id": case_id, "events": &stored.history});
        let answer = engine.answer_json(request);
        if !crate::json::is_ok(&answer) {
            return Err(StoreError::Corrupt(format!(
                "stored history of {case_id} does not replay: {answer}"
            )));
        }
        Ok(Some(stored.archived.then_some(stored.history)))
    }
}

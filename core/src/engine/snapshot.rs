//! The whole engine as data, and back.

use super::*;

/// The snapshot format this library reads and writes.
pub const SNAPSHOT_FORMAT: u64 = 1;

/// The whole engine as data: every workflow definition and every case's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Snapshot format; must be 1.
    pub format: u64,
    /// Calendars, bases before the calendars that extend them.
    #[serde(default)]
    pub calendars: Vec<CalendarDef>,
    /// The organisation tree and dispatch catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::org::OrgDef>,
    /// Workflow definitions, by id then version.
    pub workflows: Vec<WorkflowDef>,
    /// Cases, by id.
    pub cases: Vec<CaseSnapshot>,
    /// Ids of the effects not yet acknowledged, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbox: Vec<String>,
}

/// One case in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseSnapshot {
    /// Case id.
    pub id: String,
    /// State at snapshot time; checked against the replayed history on restore.
    pub state: String,
    /// The full history.
    pub history: Vec<EventRecord>,
}

impl Engine {
    /// The whole engine as data, sorted, so equal engines give equal snapshots.
    pub fn snapshot(&self) -> Snapshot {
        let mut ids: Vec<&Arc<str>> = self.cases.keys().collect();
        ids.sort();
        Snapshot {
            cases: ids
                .into_iter()
                .filter_map(|id| self.cases.get(id))
                .map(|c| CaseSnapshot {
                    id: c.id().to_owned(),
                    state: c.state().to_owned(),
                    history: c.history(0),
                })
                .collect(),
            outbox: self.outbox.pending_ids(&self.cases),
            ..self.definitions_snapshot()
        }
    }

    /// The engine's definitions as data (calendars, organisation, workflows), without cases
    /// or outbox: what workers deciding on the same rules share.
    pub fn definitions_snapshot(&self) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            calendars: self.calendars_in_dependency_order(),
            org: self.org.as_ref().map(|o| o.definition().clone()),
            workflows: self
                .workflows
                .values()
                .map(|w| w.definition().clone())
                .collect(),
            cases: Vec::new(),
            outbox: Vec::new(),
        }
    }

    /// A stable digest of the loaded definitions: hex SHA-256 of the canonical JSON (keys
    /// sorted, no whitespace, as the hash chain writes events) of
    /// [`Engine::definitions_snapshot`]. Engines with the same workflows, calendars and
    /// organisation give the same digest on every platform, so several workers can check
    /// that they decide on the same rules.
    pub fn definitions_digest(&self) -> String {
        use sha2::Digest;
        // Through a `Value`, not `support::canonical`: not a hot path, and writing the
        // definitions' types straight would add their code to the WebAssembly module.
        let value = serde_json::to_value(self.definitions_snapshot()).unwrap_or_default();
        let mut bytes = Vec::with_capacity(4096);
        let _ = crate::support::canonical::write(&value, &mut bytes, None);
        crate::case::hash_chain::hex(&sha2::Sha256::digest(&bytes).into())
    }

    /// A new engine with this one's workflows, calendars, organisation and limits and no
    /// cases: cheap, as definitions are shared, not copied. A host may start one per request
    /// and load into it only the cases the request needs (`docs/persistence.md`).
    pub fn clone_definitions(&self) -> Engine {
        Engine {
            workflows: self.workflows.clone(),
            calendars: self.calendars.clone(),
            org: self.org.clone(),
            limits: self.limits.clone(),
            outbox: crate::engine::outbox::Outbox::empty(self.outbox.mode),
            ..Engine::default()
        }
    }

    /// Replaces the engine's workflows and cases with a snapshot's, replaying every case.
    /// All or nothing: on error the engine is unchanged. Limits are kept.
    ///
    /// # Errors
    /// `snapshot.unsupported_format`, definition errors, `snapshot.duplicate`,
    /// `history.*` errors, `snapshot.state_mismatch`.
    pub fn restore(&mut self, snapshot: Snapshot) -> Result<(), SnapshotError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::UnsupportedFormat {
                found: snapshot.format,
            });
        }
        let mut fresh = Engine::with_limits(self.limits.clone());
        fresh.outbox.mode = self.outbox.mode;
        for (index, def) in snapshot.calendars.into_iter().enumerate() {
            fresh
                .load_calendar(def)
                .map_err(|error| SnapshotError::Calendar { index, error })?;
        }
        if let Some(def) = snapshot.org {
            fresh
                .load_org(def)
                .map_err(|error| SnapshotError::Org { error })?;
        }
        for (index, def) in snapshot.workflows.into_iter().enumerate() {
            let key = (def.id.clone(), def.version);
            if fresh.workflows.contains_key(&key) {
                return Err(SnapshotError::Duplicate {
                    what: "workflow",
                    id: format!("{}@{}", key.0, key.1),
                    path: format!("/workflows/{index}"),
                });
            }
            fresh
                .load_workflow(def)
                .map_err(|error| SnapshotError::Workflow { index, error })?;
        }
        for (index, entry) in snapshot.cases.iter().enumerate() {
            let case = fresh
                .replay(&entry.history)
                .map_err(|error| SnapshotError::History { index, error })?;
            if case.id() != entry.id {
                return Err(SnapshotError::History {
                    index,
                    error: HistoryError::Mismatch {
                        index: 0,
                        recorded: entry.id.clone(),
                        replayed: case.id().to_owned(),
                    },
                });
            }
            if case.state() != entry.state {
                return Err(SnapshotError::StateMismatch {
                    index,
                    case_id: entry.id.clone(),
                    recorded: entry.state.clone(),
                    replayed: case.state().to_owned(),
                });
            }
            if fresh.cases.contains_key(entry.id.as_str()) {
                return Err(SnapshotError::Duplicate {
                    what: "case",
                    id: entry.id.clone(),
                    path: format!("/cases/{index}/id"),
                });
            }
            fresh.insert_case(case);
        }
        fresh.outbox.keep(&fresh.cases, &snapshot.outbox);
        fresh.reindex_all();
        *self = fresh;
        Ok(())
    }

    fn calendars_in_dependency_order(&self) -> Vec<CalendarDef> {
        let mut out: Vec<CalendarDef> = Vec::new();
        let mut left: Vec<&Arc<Calendar>> = self.calendars.values().collect();
        while !left.is_empty() {
            let before = left.len();
            left.retain(|c| {
                let ready = c
                    .definition()
                    .extends
                    .as_ref()
                    .is_none_or(|b| out.iter().any(|d| &d.id == b));
                if ready {
                    out.push(c.definition().clone());
                }
                !ready
            });
            if left.len() == before {
                // Unreachable: loading refuses cycles and unknown bases.
                out.extend(left.drain(..).map(|c| c.definition().clone()));
            }
        }
        out
    }
}

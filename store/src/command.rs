//! The command path: one transaction per request. Lock what the request's plan names (its
//! cases, the matter keys whose open cases it checks), load those cases from the store into a
//! throwaway copy of the definitions, run the request, write its write set, commit, answer.
//! A failed commit leaves nothing: the copy is dropped with the cases it held.

use std::collections::{BTreeSet, HashMap};

use civicflow::{Engine, Request};
use serde_json::{json, Value as Json};

use crate::db::Write;
use crate::error::Result;
use crate::store::Store;

/// Ops whose time field the server fills from the database's clock when the caller leaves it
/// out.
fn time_field(op: &str) -> &'static str {
    if op == "fire_due" {
        "now"
    } else {
        "at"
    }
}

impl Store {
    /// Runs one request on the cases it names; `write` for commands, which lock and commit.
    pub(crate) fn command(&mut self, request: &Json, write: bool) -> Result<Json> {
        let body = |s: &mut Store| -> Result<(Json, bool)> {
            s.db()?.lock_definitions(false)?;
            s.refresh()?;
            let mut request = request.clone();
            let request_id = request
                .get("request_id")
                .and_then(Json::as_str)
                .map(str::to_owned);
            if let (true, Some(id)) = (write, &request_id) {
                if let Some(mut answer) = s.db()?.stored_answer(id)? {
                    mark_duplicate(&mut answer);
                    return Ok((answer, false));
                }
            }
            let now = s.clock()?;
            if write {
                let field = time_field(
                    crate::json::at(&request, "/op")
                        .as_str()
                        .unwrap_or_default(),
                );
                if let Some(body) = request.as_object_mut() {
                    body.entry(field).or_insert(json!(now));
                }
            }
            let typed = match Request::from_json(request.clone()) {
                Ok(typed) => typed,
                // Not a valid request: the engine's own refusal, with its pointer.
                Err(_) => return Ok((s.template.answer_json(request), false)),
            };
            let mut engine = s.template.clone_definitions();
            let revived = s.lock_and_load(&mut engine, &typed, write)?;
            // Again under the locks: the same request, retried on another worker at the same
            // time, may have committed while this one waited for them.
            if let (true, Some(id)) = (write, &request_id) {
                if let Some(mut answer) = s.db()?.stored_answer(id)? {
                    mark_duplicate(&mut answer);
                    return Ok((answer, false));
                }
            }
            let answer = engine.answer_json(request);
            let writes = crate::json::at(&answer, "/result/writes")
                .as_array()
                .cloned()
                .unwrap_or_default();
            if !write || !crate::json::is_ok(&answer) || writes.is_empty() {
                return Ok((answer, false));
            }
            let mut first = None;
            for entry in writes {
                let entry: Write = serde_json::from_value(entry)?;
                let history = revived.get(&entry.case_id).map(Vec::as_slice);
                s.db()?.write_case(&entry, history, now)?;
                first.get_or_insert(entry.case_id);
            }
            if let (Some(id), Some(case)) = (&request_id, &first) {
                s.db()?.store_answer(id, case, &answer, now)?;
            }
            Ok((answer, true))
        };
        if write {
            self.transaction(body)
        } else {
            self.read(|s| body(s).map(|(answer, _)| answer))
        }
    }

    /// Locks (for a command) and loads every case the request's plan names, with the open cases
    /// of its matter keys, until the plan of the engine holding them names nothing new (a
    /// primary's duplicates are known only once it is loaded). Answers the cases that came back
    /// from the archive, with their histories.
    fn lock_and_load(
        &mut self,
        engine: &mut Engine,
        request: &Request,
        write: bool,
    ) -> Result<HashMap<String, Vec<Json>>> {
        let mut locked = BTreeSet::new();
        let mut revived = HashMap::new();
        let mut plan = self.template.plan(request);
        loop {
            let mut keys: Vec<String> = plan.cases.iter().map(|c| format!("c:{c}")).collect();
            keys.extend(
                plan.matters
                    .iter()
                    .map(|m| format!("m:{}\u{1f}{}", m.citizen, m.matter)),
            );
            keys.retain(|k| !locked.contains(k));
            keys.sort();
            keys.dedup();
            if keys.is_empty() {
                return Ok(revived);
            }
            if write {
                self.db()?.lock_keys(&keys)?;
            }
            let mut found = Vec::new();
            for key in &keys {
                if let Some(matter) = key.strip_prefix("m:") {
                    let (citizen, matter) = matter.split_once('\u{1f}').unwrap_or((matter, ""));
                    found.extend(self.db()?.open_cases_with(citizen, matter)?);
                } else if let Some(case) = key.strip_prefix("c:") {
                    if let Some(Some(history)) = self.load_into(engine, case)? {
                        revived.insert(case.to_owned(), history);
                    }
                }
            }
            locked.extend(keys);
            plan = engine.plan(request);
            plan.cases.extend(found);
        }
    }
}

pub(crate) fn mark_duplicate(answer: &mut Json) {
    if let Some(result) = answer.get_mut("result").and_then(Json::as_object_mut) {
        result.insert("duplicate".into(), Json::Bool(true));
    }
}

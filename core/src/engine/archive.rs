//! Cases leaving the engine. Archiving: a closed case leaves and its history goes to the
//! host's store. Unloading: any case leaves, as its history is in the host's store already.
//!
//! An engine that keeps every case it ever opened grows without end, however steady the work;
//! a host that archives its closed cases keeps the engine's memory in proportion to the cases
//! still in play (`core/tests/soak.rs` measures it). [`Engine::restore_case`] brings an archived
//! case back, for an appeal, a reopening or a report over past periods.

use crate::case::Case;
use crate::case::CaseError;
use crate::engine::Engine;

impl Engine {
    /// Takes a closed case out of the engine and returns it. Its history
    /// ([`Case::history`], with [`Case::head`] to anchor it) is what the host keeps; nothing
    /// else of the case stays behind: its duplicate-detection keys go, and so does the record
    /// that it was appealed once neither it nor its appeal is held. The case leaves
    /// [`Engine::metrics`], snapshots and the duplicate search; an appeal or a reopening of it
    /// needs it restored first.
    ///
    /// Refused, with the engine unchanged, while the case could still change or owes
    /// something: an open case may yet take commands and fire timers, and an effect not yet
    /// acknowledged would be lost with it.
    ///
    /// # Errors
    /// `case.not_found`; `case.not_closed` for a case not in a terminal state;
    /// `case.effects_pending` while effects of the case await acknowledgement.
    pub fn archive_case(&mut self, case_id: &str) -> Result<Case, CaseError> {
        let case = self.case_or_err(case_id)?;
        if !case.is_terminal() {
            return Err(CaseError::NotClosed {
                case_id: case_id.to_owned(),
                state: case.state().to_owned(),
            });
        }
        let pending = self.outbox.pending_of(case);
        if pending > 0 {
            return Err(CaseError::EffectsPending {
                case_id: case_id.to_owned(),
                pending,
            });
        }
        let Some(case) = self.cases.remove(case_id) else {
            return Err(CaseError::NotFound {
                case_id: case_id.to_owned(),
            });
        };
        // A closed case has no timers left; this drops their index entry all the same.
        self.reindex(case_id);
        self.forget_keys(&case);
        Ok(*case)
    }

    /// Takes any case out of the engine, open or closed, with its timers, its entries in the
    /// duplicate and appeal indexes and its effects in the outbox, and returns it. For a host
    /// whose store is the record (`docs/persistence.md`): it holds in memory only the cases
    /// in play, and drops the cases a failed commit touched, to load them again from the
    /// store ([`Engine::restore_case`], [`Engine::append_events`]). Nothing is checked: what
    /// the case owes is in the store.
    ///
    /// # Errors
    /// `case.not_found`.
    pub fn unload_case(&mut self, case_id: &str) -> Result<Case, CaseError> {
        let Some(case) = self.cases.remove(case_id) else {
            return Err(CaseError::NotFound {
                case_id: case_id.to_owned(),
            });
        };
        self.reindex(case_id);
        self.outbox.forget(&case);
        self.forget_keys(&case);
        Ok(*case)
    }

    /// Removes what the engine's cross-case indexes hold for a case that has left.
    fn forget_keys(&mut self, case: &Case) {
        let Some(h) = case.handling_view() else {
            return;
        };
        if let Some(keys) = h.keys.as_ref() {
            let key = (keys.citizen.as_str().into(), keys.matter.as_str().into());
            if let Some(ids) = self.matters.get_mut(&key) {
                ids.retain(|id| **id != *case.id());
                if ids.is_empty() {
                    self.matters.remove(&key);
                }
            }
        }
        // `appeals` maps an appealed case to its appeal. The entry is what refuses a second
        // appeal, so it stays while either case of the pair is held.
        if let Some(of) = h.appeal_of.as_ref() {
            let mine = self.appeals.get(of.case_id.as_str()).map(|a| &**a) == Some(case.id());
            if mine && !self.cases.contains_key(of.case_id.as_str()) {
                self.appeals.remove(of.case_id.as_str());
            }
        }
        let appealed_by_gone = self
            .appeals
            .get(case.id())
            .is_some_and(|a| !self.cases.contains_key(&**a));
        if appealed_by_gone {
            self.appeals.remove(case.id());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use serde_json::{json, Value};

    use crate::engine::Engine;

    const T0: i64 = 1_767_574_800_000; // Monday 2026-01-05 09:00 +08:00
    const HOUR: i64 = 3_600_000;

    fn call(engine: &mut Engine, request: Value) -> Value {
        engine.answer_json(request)
    }

    fn ok(engine: &mut Engine, request: Value) -> Value {
        let answer = call(engine, request);
        assert_eq!(answer["ok"], true, "{answer:#}");
        answer["result"].clone()
    }

    fn code(answer: &Value) -> &str {
        answer["errors"][0]["code"].as_str().unwrap()
    }

    fn township() -> Engine {
        let mut e = Engine::new();
        let calendar: Value =
            serde_json::from_str(include_str!("../../../calendars/cn-mainland.json")).unwrap();
        let org: Value = serde_json::from_str(include_str!("../../../orgs/qingshan.json")).unwrap();
        let def: Value =
            serde_json::from_str(include_str!("../../../templates/township.json")).unwrap();
        ok(&mut e, json!({"op": "load_calendar", "calendar": calendar}));
        ok(&mut e, json!({"op": "load_org", "org": org}));
        ok(&mut e, json!({"op": "load_workflow", "definition": def}));
        e
    }

    fn open(e: &mut Engine, id: &str, appeal_of: Option<&str>, at: i64) -> Value {
        let mut request = json!({"op": "open_case", "workflow": "township", "case_id": id,
            "channel": "letter", "at": at,
            "fields": {"summary": "路灯不亮", "category": "municipal", "region": "dongcun",
                       "citizen_name": "李四"},
            "keys": {"citizen": "c-1", "matter": format!("m-{id}")},
            "actor": {"id": "clerk-1", "roles": ["clerk"], "unit": "town"}});
        if let Some(of) = appeal_of {
            request["appeal_of"] = json!(of);
        }
        call(e, request)
    }

    fn step(e: &mut Engine, id: &str, transition: &str, role: &str, unit: &str, at: i64) {
        let payload = match transition {
            "reply" => json!({"reply_text": "已修复"}),
            "callback" => json!({"cb_contacted": true, "cb_solved": true,
                                 "satisfaction": "satisfied"}),
            "reject" => json!({"reason": "不属于受理范围"}),
            _ => json!({}),
        };
        ok(
            e,
            json!({"op": "apply", "case_id": id, "transition": transition, "payload": payload,
                   "actor": {"id": format!("{role}-1"), "roles": [role], "unit": unit},
                   "at": at}),
        );
    }

    /// Delivers and acknowledges every pending effect.
    fn deliver(e: &mut Engine, now: i64) {
        let drained = ok(
            e,
            json!({"op": "drain_outbox", "now": now, "limit": 1000, "lease_ms": 0}),
        );
        let ids: Vec<Value> = drained["effects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].clone())
            .collect();
        ok(e, json!({"op": "ack_effects", "ids": ids}));
    }

    /// D-1 handled, replied in writing and closed; its appeal A-1 opened.
    fn appealed() -> Engine {
        let mut e = township();
        assert_eq!(open(&mut e, "D-1", None, T0)["ok"], true);
        let mut at = T0;
        for (t, role, unit) in [
            ("accept", "clerk", "town"),
            ("dispatch", "dispatcher", "town"),
            ("sign", "handler", "dongcun"),
            ("reply", "handler", "dongcun"),
            ("callback", "clerk", "town"),
            ("close", "supervisor", "town"),
        ] {
            at += HOUR;
            step(&mut e, "D-1", t, role, unit, at);
        }
        assert_eq!(open(&mut e, "A-1", Some("D-1"), at + HOUR)["ok"], true);
        deliver(&mut e, at + HOUR);
        e
    }

    #[test]
    fn the_appeal_record_stays_while_either_case_is_held() {
        let mut e = appealed();
        let later = T0 + 10 * HOUR;
        let history = ok(&mut e, json!({"op": "archive_case", "case_id": "D-1"}))["events"].clone();
        // A-1 is held: the record that D-1 is appealed stays.
        assert_eq!(e.appeals.get("D-1").map(|a| &**a), Some("A-1"));
        assert_eq!(e.matters.len(), 1, "D-1's keys are gone, A-1's stay");
        ok(
            &mut e,
            json!({"op": "replay", "history": history, "store": true}),
        );
        assert_eq!(
            code(&open(&mut e, "A-2", Some("D-1"), later)),
            "case.appeal_exists"
        );

        // A-1 closes and leaves; D-1 is held, so it stays appealed.
        step(&mut e, "A-1", "reject", "clerk", "town", later);
        deliver(&mut e, later);
        ok(&mut e, json!({"op": "archive_case", "case_id": "A-1"}));
        assert_eq!(e.appeals.get("D-1").map(|a| &**a), Some("A-1"));
        assert_eq!(
            code(&open(&mut e, "A-2", Some("D-1"), later)),
            "case.appeal_exists"
        );

        // The last of the pair leaves: nothing of either is left behind.
        deliver(&mut e, later);
        ok(&mut e, json!({"op": "archive_case", "case_id": "D-1"}));
        assert_eq!(e.case_count(), 0);
        assert!(e.appeals.is_empty());
        assert!(e.matters.is_empty());
        assert_eq!(e.timed_cases(), 0);
        assert_eq!(e.timer_count(), 0);
        assert_eq!(e.pending_effects(), 0);
    }

    #[test]
    fn an_appeal_archived_first_leaves_the_record_to_the_case_it_appeals() {
        let mut e = appealed();
        let later = T0 + 10 * HOUR;
        step(&mut e, "A-1", "reject", "clerk", "town", later);
        deliver(&mut e, later);
        ok(&mut e, json!({"op": "archive_case", "case_id": "A-1"}));
        assert_eq!(
            code(&open(&mut e, "A-2", Some("D-1"), later)),
            "case.appeal_exists"
        );
        ok(&mut e, json!({"op": "archive_case", "case_id": "D-1"}));
        assert!(e.appeals.is_empty());
    }

    #[test]
    fn a_refused_archive_changes_nothing() {
        let mut e = appealed();
        let before = e.snapshot();
        let (timers, pending) = (e.timer_count(), e.pending_effects());
        // A-1 is open, with its clocks running; D-1 has an effect again once it is restored.
        assert_eq!(
            code(&call(
                &mut e,
                json!({"op": "archive_case", "case_id": "A-1"})
            )),
            "case.not_closed"
        );
        assert_eq!(
            code(&call(&mut e, json!({"op": "archive_case", "case_id": "X"}))),
            "case.not_found"
        );
        assert_eq!(e.snapshot(), before);
        assert_eq!((e.timer_count(), e.pending_effects()), (timers, pending));
        assert!(timers > 0, "A-1's clocks have timers");
    }
}

//! Bounds on everything a caller controls, so that no request, definition or long-running
//! misuse can exhaust a host's memory or time. Each has a safe default and a ceiling: the
//! ceiling is what the engine's representation allows (state and transition numbers are
//! `u16`, role sets a 64-bit mask, JSON nesting stays under serde_json's own recursion guard).

use serde::{Deserialize, Serialize};

/// Bounds on what callers may send. Defaults are generous for real use and small enough that
/// one request cannot exhaust a host's memory. Limits govern what comes next: workflows,
/// organisations and cases already in the engine stay as they are when limits are lowered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest request accepted by the JSON API, in bytes (`request.too_large`).
    pub max_request_bytes: usize,
    /// Deepest nesting of arrays and objects in a request (`request.too_deep`).
    pub max_depth: usize,
    /// Longest string or object key in a request, in UTF-8 bytes (`request.string_too_long`).
    pub max_string_bytes: usize,
    /// Most states in a workflow definition (`definition.too_many`).
    pub max_states: usize,
    /// Most transitions in a workflow definition (`definition.too_many`).
    pub max_transitions: usize,
    /// Most fields in a workflow definition (`definition.too_many`).
    pub max_fields: usize,
    /// Most roles in a workflow definition (`definition.too_many`).
    pub max_roles: usize,
    /// Most SLA rules in a workflow definition (`definition.too_many`).
    pub max_sla_rules: usize,
    /// Deepest nesting of `all`, `any` and `not` in one guard (`definition.guard_too_deep`).
    pub max_guard_depth: usize,
    /// Most units in an organisation (`org.too_many`).
    pub max_units: usize,
    /// Most events in one case's history: a case holding this many takes no further command
    /// (`case.history_full`), and longer histories are not replayed (`history.too_long`).
    /// Timers firing still record their events, so no deadline is ever lost.
    pub max_history_events: usize,
    /// Most effects waiting in the outbox (drained or not, until acknowledged): past it, a
    /// command that would queue another is refused (`outbox.full`) until the host
    /// acknowledges. New cases, commands that queue no effect and timers firing go through.
    pub max_pending_effects: usize,
    /// Most linked duplicates that follow their primary within the command that closes it.
    /// A primary with more (a water outage reported by thousands of callers) closes alone, and
    /// its answer lists the duplicates as `follow_ups`, each followed by its own
    /// `follow_primary` command: every command and its write set stay small.
    pub max_inline_follow_ups: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_string_bytes: 64 * 1024,
            max_states: 1000,
            max_transitions: 5000,
            max_fields: 500,
            max_roles: 64,
            max_sla_rules: 64,
            max_guard_depth: 16,
            max_units: 100_000,
            max_history_events: 10_000,
            max_pending_effects: 100_000,
            max_inline_follow_ups: 100,
        }
    }
}

/// The largest value a byte or count limit may take: the same on every platform (a slice in
/// 32-bit WebAssembly is at most `i32::MAX` bytes), so that an answer never depends on where
/// the engine runs.
const BIG: usize = i32::MAX as usize;

/// The largest value each limit may take.
pub(crate) const CEILINGS: &[(&str, usize)] = &[
    ("max_request_bytes", BIG),
    // serde_json refuses nesting past 128 on its own; ours must be the one that speaks.
    ("max_depth", 100),
    ("max_string_bytes", BIG),
    ("max_states", u16::MAX as usize),
    ("max_transitions", u16::MAX as usize),
    ("max_fields", u16::MAX as usize),
    ("max_roles", 64),
    ("max_sla_rules", u16::MAX as usize),
    ("max_guard_depth", 100),
    ("max_units", BIG),
    ("max_history_events", BIG),
    ("max_pending_effects", BIG),
    ("max_inline_follow_ups", BIG),
];

impl Limits {
    /// These limits with any value above its ceiling taken as the ceiling: what the engine
    /// applies when a typed caller sets more than the representation allows (the JSON API
    /// refuses such values instead).
    pub fn within_ceilings(&self) -> Limits {
        let mut out = self.clone();
        for (name, ceiling) in CEILINGS {
            let slot = out.slot(name);
            *slot = (*slot).min(*ceiling);
        }
        out
    }

    pub(crate) fn slot(&mut self, name: &str) -> &mut usize {
        match name {
            "max_request_bytes" => &mut self.max_request_bytes,
            "max_depth" => &mut self.max_depth,
            "max_string_bytes" => &mut self.max_string_bytes,
            "max_states" => &mut self.max_states,
            "max_transitions" => &mut self.max_transitions,
            "max_fields" => &mut self.max_fields,
            "max_roles" => &mut self.max_roles,
            "max_sla_rules" => &mut self.max_sla_rules,
            "max_guard_depth" => &mut self.max_guard_depth,
            "max_units" => &mut self.max_units,
            "max_history_events" => &mut self.max_history_events,
            "max_pending_effects" => &mut self.max_pending_effects,
            _ => &mut self.max_inline_follow_ups,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::error::Coded;
    use serde_json::json;

    #[test]
    fn every_limit_has_a_ceiling_and_a_slot() {
        let defaults = serde_json::to_value(Limits::default()).unwrap();
        let keys: Vec<&str> = defaults
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = CEILINGS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, names);
        // Each slot is its own field: setting one to 7 changes that key only.
        for (name, _) in CEILINGS {
            let mut l = Limits::default();
            *l.slot(name) = 7;
            let v = serde_json::to_value(&l).unwrap();
            for (k, x) in v.as_object().unwrap() {
                assert_eq!(x == &json!(7), k == name, "{name} vs {k}");
            }
        }
        assert_eq!(Limits::default().checked().unwrap(), Limits::default());
    }

    #[test]
    fn patches_are_checked_and_partial() {
        let l = Limits::default();
        let p = l
            .patched(json!({"max_states": 3}).as_object().unwrap())
            .unwrap();
        assert_eq!(p.max_states, 3);
        assert_eq!(p.max_fields, l.max_fields);
        for bad in [json!(0), json!(-1), json!(1.5), json!("3"), json!(101)] {
            let e = l
                .patched(json!({"max_depth": bad}).as_object().unwrap())
                .unwrap_err();
            assert_eq!(e.detail("").code, "request.invalid");
            assert_eq!(e.detail("").path.as_deref(), Some("/limits/max_depth"));
        }
        let e = l
            .patched(json!({"max_cases": 3}).as_object().unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("unknown limit `max_cases`"), "{e}");
    }
}

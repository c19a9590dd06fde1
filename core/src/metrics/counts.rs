//! What outbound work is measured by: counters of transitions taken, split by a payload value
//! (posts by kind and originality, so 原创率 and 政务指数 follow as shares), groups by the actor
//! of a named transition or by a case field (an operator, an account), and measures the host
//! supplies per group (reads, shares, followers, a WCI figure).
//!
//! Everything named here is checked against the workflows measured before any case is read.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::{Case, EventKind};
use crate::metrics::{GroupBy, MetricsError, MetricsQuery};
use crate::value::Value;
use crate::workflow::Workflow;

/// A counter: how often a transition was taken in a group's cases (up to the measure's `now`)
/// and, with `by`, how often with each value of that field: the command's payload value when
/// the transition takes the field (`set` or `requires`), else the case's value now (a release
/// counted by the kind its draft was given); with neither, the transition counts in its total
/// only. Its keys in a row's `counts` are `<transition>` and `<transition>/<by>=<value>`
/// (`post`, `post/original=true`); each split key also has its share of the transition's
/// count in `shares`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// The transition counted, by id.
    pub transition: String,
    /// The field whose payload value splits the count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The query's grouping, counters and measures resolved in one workflow.
#[derive(Default)]
pub(crate) struct Resolved {
    /// `group_by: actor`: the transition whose first taker a case is attributed to.
    actor_of: Option<u16>,
    /// `group_by: field`: the field whose value groups a case.
    field: Option<u16>,
    /// Each counter's transition and split field, with the counter's index and whether the
    /// transition takes that field (`set` or `requires`): only then is its payload value read.
    counts: Vec<(u16, Option<u16>, usize, bool)>,
}

fn invalid(path: String, reason: String) -> MetricsError {
    MetricsError::InvalidQuery { path, reason }
}

/// Checks that the grouping's, the counters' and the measures' names exist in the workflows
/// measured, and that the measures are finite numbers.
pub(crate) fn check<'a>(
    q: &MetricsQuery,
    measured: impl Fn() -> Box<dyn Iterator<Item = &'a Workflow> + 'a>,
) -> Result<(), MetricsError> {
    let has_transition = |id: &str| measured().any(|wf| wf.transition_index(id).is_some());
    let has_field = |id: &str| measured().any(|wf| wf.field_index(id).is_some());
    match (q.group_by, &q.actor_of, &q.field) {
        (GroupBy::Actor, None, _) => {
            let reason = "`group_by` `actor` needs `actor_of`, the transition whose actor a \
                          case is attributed to";
            return Err(invalid("/actor_of".into(), reason.into()));
        }
        (GroupBy::Field, _, None) => {
            let reason = "`group_by` `field` needs `field`, the field whose value groups cases";
            return Err(invalid("/field".into(), reason.into()));
        }
        (by, Some(_), _) if by != GroupBy::Actor => {
            let reason = "`actor_of` applies to `group_by` `actor` only";
            return Err(invalid("/actor_of".into(), reason.into()));
        }
        (by, _, Some(_)) if by != GroupBy::Field => {
            let reason = "`field` applies to `group_by` `field` only";
            return Err(invalid("/field".into(), reason.into()));
        }
        _ => {}
    }
    if let Some(t) = q.actor_of.as_deref().filter(|t| !has_transition(t)) {
        let reason = format!("no workflow measured has a transition `{t}`");
        return Err(invalid("/actor_of".into(), reason));
    }
    if let Some(f) = q.field.as_deref().filter(|f| !has_field(f)) {
        let reason = format!("no workflow measured has a field `{f}`");
        return Err(invalid("/field".into(), reason));
    }
    for (i, c) in q.counts.iter().enumerate() {
        if q.counts.iter().take(i).any(|d| d == c) {
            let reason = "this counter is asked for twice".to_owned();
            return Err(invalid(format!("/counts/{i}"), reason));
        }
        let with_transition =
            || measured().filter(|wf| wf.transition_index(&c.transition).is_some());
        if with_transition().next().is_none() {
            let reason = format!("no workflow measured has a transition `{}`", c.transition);
            return Err(invalid(format!("/counts/{i}/transition"), reason));
        }
        if let Some(by) = c.by.as_deref() {
            if !with_transition().any(|wf| wf.field_index(by).is_some()) {
                let reason = format!(
                    "no workflow measured with transition `{}` has a field `{by}`",
                    c.transition
                );
                return Err(invalid(format!("/counts/{i}/by"), reason));
            }
        }
    }
    for (group, values) in &q.measures {
        for (name, v) in values {
            let path = || {
                let (g, n) = (
                    crate::error::escape_pointer(group),
                    crate::error::escape_pointer(name),
                );
                format!("/measures/{g}/{n}")
            };
            if name.is_empty() {
                return Err(invalid(path(), "a measure needs a name".into()));
            }
            if !v.is_finite() || *v < 0.0 {
                let reason = format!("a measure is a finite number at least 0, not {v}");
                return Err(invalid(path(), reason));
            }
        }
    }
    Ok(())
}

/// The query resolved in `wf`.
pub(crate) fn resolve(q: &MetricsQuery, wf: &Workflow) -> Resolved {
    let counts = q.counts.iter().enumerate().filter_map(|(i, c)| {
        let t = wf.transition_index(&c.transition)?;
        match c.by.as_deref() {
            Some(by) => {
                let f = wf.field_index(by)?;
                let tr = wf.transition(t)?;
                Some((t, Some(f), i, tr.takes(f)))
            }
            None => Some((t, None, i, false)),
        }
    });
    Resolved {
        actor_of: q.actor_of.as_deref().and_then(|t| wf.transition_index(t)),
        field: q.field.as_deref().and_then(|f| wf.field_index(f)),
        counts: counts.collect(),
    }
}

/// A value as a group or a counter key: text as it is, lists joined by commas.
fn key(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Str(s) => Cow::Borrowed(s),
        Value::List(items) => Cow::Owned(items.join(",")),
        other => Cow::Owned(other.to_json().to_string()),
    }
}

/// The group of `case` when grouped by actor or field: the id of the actor who first took the
/// transition by `now`, or the field's value; `""` when there is none.
pub(crate) fn group<'c>(case: &'c Case, by: GroupBy, r: &Resolved, now: i64) -> Cow<'c, str> {
    let found = match by {
        GroupBy::Actor => case
            .history
            .iter()
            .take_while(|e| e.at() <= now)
            .find_map(|e| match e.kind {
                EventKind::Transitioned { transition, .. } if Some(transition) == r.actor_of => {
                    Some(Cow::Borrowed(&*e.actor.id))
                }
                _ => None,
            }),
        GroupBy::Field => r
            .field
            .and_then(|f| case.fields.get(usize::from(f))?.as_ref())
            .map(key),
        _ => None,
    };
    found.unwrap_or(Cow::Borrowed(""))
}

/// Adds the case's counted transitions to `out`, by key.
pub(crate) fn count(case: &Case, q: &MetricsQuery, r: &Resolved, out: &mut BTreeMap<String, u64>) {
    if r.counts.is_empty() {
        return;
    }
    let mut add = |k: Cow<'_, str>| match out.get_mut(&*k) {
        Some(n) => *n += 1,
        None => {
            out.insert(k.into_owned(), 1);
        }
    };
    // Events after the measure's instant are not counted, as clocks are not read past it.
    for e in case.history.iter().take_while(|e| e.at() <= q.now) {
        let EventKind::Transitioned {
            transition,
            carried,
            ..
        } = &e.kind
        else {
            continue;
        };
        let payload = crate::case::payload_of(carried);
        let mut counted = r.counts.iter().filter(|(t, ..)| t == transition).peekable();
        // The transition's own count, once however many counters split it.
        if let Some(c) = counted.peek().and_then(|&&(_, _, i, _)| q.counts.get(i)) {
            add(Cow::Borrowed(&c.transition));
        }
        for &(_, by, i, takes) in counted {
            let (Some(f), Some(c)) = (by, q.counts.get(i)) else {
                continue;
            };
            let name = c.by.as_deref().unwrap_or_default();
            if let Some(v) = crate::case::carried_value(case, takes, f, payload) {
                add(Cow::Owned(format!("{}/{name}={}", c.transition, key(v))));
            }
        }
    }
}

/// Each split key's share of its transition's count, rounded to 4 places.
pub(crate) fn shares(counts: &BTreeMap<String, u64>) -> BTreeMap<String, f64> {
    counts
        .iter()
        .filter_map(|(k, &n)| {
            let (t, _) = k.split_once('/')?;
            let whole = *counts.get(t)?;
            Some((k.clone(), super::rate(n as f64, whole)?))
        })
        .collect()
}

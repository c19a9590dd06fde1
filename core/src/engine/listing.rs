//! Cases by filter, a page at a time, and the instant the next timer is due: what a desk
//! lists and what a host's timer loop sleeps until.

use serde::{Deserialize, Serialize};

use super::{DueTimer, Engine};
use crate::case::Case;

/// Cases a page holds when the query does not say.
pub const DEFAULT_PAGE: usize = 100;
/// The most cases one page holds.
pub const MAX_PAGE: usize = 1000;

/// Which cases [`Engine::list_cases`] answers: every filter given must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Cases of this workflow (any version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// Cases in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Cases whose state has this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_category: Option<String>,
    /// Cases whose workflow's category field (`handling.category_field`) holds this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Cases handled by this unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Cases taken in on this channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Closed cases only (`true`) or open ones only (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<bool>,
    /// Cases with an SLA clock past its deadline and still counting at `at` (`true`), or
    /// with none (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// The instant `overdue` is judged at (UTC ms); required with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// Opened at or after this instant (UTC ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_from: Option<i64>,
    /// Opened before this instant (UTC ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_to: Option<i64>,
    /// The `next` of the page before: the list goes on after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// At most this many cases (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// A page of cases, newest first (latest `opened_at`, then highest id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseList {
    /// The cases of this page.
    pub cases: Vec<CaseSummary>,
    /// How many cases match, on every page.
    pub total: usize,
    /// Pass as `after` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One case of a list: what a desk's row shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct CaseSummary {
    /// Case id.
    pub id: String,
    /// Workflow id.
    pub workflow: String,
    /// Workflow version.
    pub version: u32,
    /// Current state id.
    pub state: String,
    /// Its category, when the state has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_category: Option<String>,
    /// Whether the case is closed.
    pub terminal: bool,
    /// Intake channel.
    pub channel: String,
    /// The handling unit, once dispatched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The value of the workflow's category field, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// When it was opened (UTC ms).
    pub opened_at: i64,
    /// When its last event happened (UTC ms).
    pub updated_at: i64,
}

/// Why a query cannot be answered; `pointer` is the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadQuery {
    /// JSON Pointer to the field.
    pub pointer: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl Engine {
    /// The cases matching `query`, newest first, a page at a time: O(n) in the cases held,
    /// plus the SLA clocks of those left after the other filters when `overdue` is asked.
    ///
    /// # Errors
    /// [`BadQuery`] for `overdue` without `at`, a `limit` of 0 or over [`MAX_PAGE`], or an
    /// `after` that no page gave.
    pub fn list_cases(&self, query: &CaseQuery) -> Result<CaseList, BadQuery> {
        let limit = query.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            let reason = format!("a page holds 1 to {MAX_PAGE} cases, not {limit}");
            return Err(BadQuery {
                pointer: "/limit",
                reason,
            });
        }
        let overdue = match (query.overdue, query.at) {
            (Some(want), Some(at)) => Some((want, at)),
            (Some(_), None) => {
                let reason = "`overdue` is judged at an instant: give `at`".to_owned();
                return Err(BadQuery {
                    pointer: "/at",
                    reason,
                });
            }
            (None, _) => None,
        };
        let after = query.after.as_deref().map(read_cursor).transpose()?;
        let mut matching: Vec<(i64, &str, &Case)> = self
            .cases
            .iter()
            .filter(|(_, case)| matches(case, query))
            .filter(|(id, _)| overdue.is_none_or(|(want, at)| self.is_overdue(id, at) == want))
            .map(|(id, case)| (case.opened_at(), &**id, &**case))
            .collect();
        matching.sort_unstable_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
        let total = matching.len();
        let start = after.map_or(0, |(at, id)| {
            matching.partition_point(|(o, i, _)| (*o, *i) >= (at, id.as_str()))
        });
        let page: Vec<CaseSummary> = matching
            .iter()
            .skip(start)
            .take(limit)
            .map(|(_, _, case)| summary(case))
            .collect();
        let next = match page.last() {
            Some(last) if start + page.len() < total => {
                Some(format!("{}/{}", last.opened_at, last.id))
            }
            _ => None,
        };
        Ok(CaseList {
            cases: page,
            total,
            next,
        })
    }

    /// The earliest pending timer (warning, breach step or task deadline) of any case held:
    /// the instant a host's timer loop sleeps until.
    pub fn next_due(&self) -> Option<DueTimer> {
        self.due(i64::MAX, 1).into_iter().next()
    }

    // A clock that is still counting past its deadline.
    fn is_overdue(&self, case_id: &str, at: i64) -> bool {
        self.sla_status(case_id, at)
            .map(|clocks| clocks.iter().any(|c| c.active && c.status == "breached"))
            .unwrap_or(false)
    }
}

fn matches(case: &Case, q: &CaseQuery) -> bool {
    let is =
        |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
    is(&q.workflow, Some(case.workflow().id()))
        && is(&q.state, Some(case.state()))
        && is(&q.state_category, state_category(case))
        && is(&q.category, case.category())
        && is(&q.unit, unit(case))
        && is(&q.channel, Some(case.channel()))
        && q.terminal.is_none_or(|t| case.is_terminal() == t)
        && q.opened_from.is_none_or(|from| case.opened_at() >= from)
        && q.opened_to.is_none_or(|to| case.opened_at() < to)
}

fn state_category(case: &Case) -> Option<&str> {
    case.workflow().state_category(case.state)
}

fn unit(case: &Case) -> Option<&str> {
    case.handling.as_ref().and_then(|h| h.unit.as_deref())
}

fn summary(case: &Case) -> CaseSummary {
    CaseSummary {
        id: case.id().to_owned(),
        workflow: case.workflow().id().to_owned(),
        version: case.workflow().version(),
        state: case.state().to_owned(),
        state_category: state_category(case).map(str::to_owned),
        terminal: case.is_terminal(),
        channel: case.channel().to_owned(),
        unit: unit(case).map(str::to_owned),
        category: case.category().map(str::to_owned),
        opened_at: case.opened_at(),
        updated_at: case.updated_at(),
    }
}

// `<opened_at>/<case id>`, as `next` writes it.
fn read_cursor(text: &str) -> Result<(i64, String), BadQuery> {
    text.split_once('/')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .ok_or_else(|| BadQuery {
            pointer: "/after",
            reason: format!("`{text}` is not the `next` of a page"),
        })
}

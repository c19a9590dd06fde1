//! Performance evaluation (绩效考评): counts, on-time rates, working times and the three rates
//! of 接诉即办 over the cases opened in a period, grouped by unit (rolled up the organisation
//! tree on request), channel, category or workflow, with a composite score and a ranking of
//! peers. Every formula is written out in `docs/metrics.md`.
//!
//! One pass over the cases reduces each to a few facts, added to its group (and, rolled up, to
//! each unit above it); rates are computed once per group at the end.

pub(crate) mod counts;
pub(crate) mod error;
pub(crate) mod scoring;
pub(crate) mod table;

pub use counts::Count;
pub use error::MetricsError;
pub use scoring::{Scoring, Tier};

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, EventKind};
use crate::engine::Engine;
use crate::org::Org;
use crate::support::fx::FxMap;
use crate::value::{MAX_INSTANT, MIN_INSTANT};
use crate::workflow::Workflow;

use crate::metrics::scoring::Scorer;
use crate::metrics::table::Rank;

/// What to measure: the `metrics` op's body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MetricsQuery {
    /// The instant the measure is taken at (UTC ms): open clocks past their deadline by then
    /// count as overdue.
    pub now: i64,
    /// Cases opened at or after this instant; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// Cases opened before this instant; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// How cases are grouped (default: by handling unit).
    #[serde(default)]
    pub group_by: GroupBy,
    /// `group_by` `actor`: the transition whose first taker a case is attributed to, such as
    /// the drafting of a post (an operator's output and timeliness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_of: Option<String>,
    /// `group_by` `field`: the field whose value groups cases, such as an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Grouped by unit: count each case also for every unit above its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub roll_up: bool,
    /// Only cases of this workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// Transitions to count in each group, split by a payload value or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<Count>,
    /// Figures the host supplies per group, by group then name (reads, shares, followers, a
    /// WCI figure): copied to the group's row and weighable in the score as `measure:<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, Record<string, number>>")
    )]
    pub measures: BTreeMap<String, BTreeMap<String, f64>>,
    /// The score's weights, the default scale's partial credit, and tiers.
    #[serde(default)]
    pub scoring: Scoring,
    /// `json` (default) or `csv` tables, in the JSON API.
    #[serde(default)]
    pub format: TableFormat,
}

impl MetricsQuery {
    /// A query of every case at `now`, by unit, with the default scoring.
    pub fn at(now: i64) -> Self {
        MetricsQuery {
            now,
            from: None,
            to: None,
            group_by: GroupBy::Unit,
            actor_of: None,
            field: None,
            roll_up: false,
            workflow: None,
            counts: Vec::new(),
            measures: BTreeMap::new(),
            scoring: Scoring::default(),
            format: TableFormat::Json,
        }
    }
}

/// How cases are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The handling unit (`""` for cases not dispatched yet).
    #[default]
    Unit,
    /// The intake channel.
    Channel,
    /// The value of the workflow's category field (`""` when none).
    Category,
    /// The workflow id.
    Workflow,
    /// The actor who first took the query's `actor_of` transition (`""` when nobody did).
    Actor,
    /// The value of the query's `field` (`""` when the case has none).
    Field,
}

/// How the tables are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// JSON rows.
    #[default]
    Json,
    /// CSV text, one table per string.
    Csv,
}

/// The measures of one group. Rates are fractions from 0 to 1, rounded to 4 places, `null`
/// when their denominator is 0; times are milliseconds of working time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MetricsRow {
    /// The group: unit id, channel, category or workflow id (`*` for the total).
    pub group: String,
    /// The unit's name, from the organisation.
    pub name: Option<String>,
    /// The unit's kind, from the organisation.
    pub kind: Option<String>,
    /// The unit above it.
    pub parent: Option<String>,
    /// Cases opened in the period.
    pub received: u64,
    /// Of these, cases that left the initial state for a state that is not terminal (受理).
    pub accepted: u64,
    /// Cases in a terminal state.
    pub closed: u64,
    /// Of these, closed without ever having a handling unit: answered at first contact
    /// (直接办结), never dispatched, transferred or returned, and not a linked duplicate.
    pub first_contact: u64,
    /// Cases not in a terminal state.
    pub open: u64,
    /// Open cases with an SLA clock past its deadline at `now`.
    pub open_overdue: u64,
    /// Cases with any SLA clock met late or overdue at `now`.
    pub overdue_cases: u64,
    /// Median working time from opening to the first transition out of the initial state.
    pub response_ms_median: Option<i64>,
    /// Its 90th percentile.
    pub response_ms_p90: Option<i64>,
    /// Median working time from opening to closing, of closed cases.
    pub closure_ms_median: Option<i64>,
    /// Its 90th percentile.
    pub closure_ms_p90: Option<i64>,
    /// Transfers (转办).
    pub transfers: u64,
    /// Returns (退回).
    pub returns: u64,
    /// Cases flagged as passed around (推诿).
    pub bounced: u64,
    /// Cases given a written reply.
    pub replied: u64,
    /// Replied cases reopened (重办) at least once.
    pub reopened: u64,
    /// `reopened / replied`.
    pub reopen_rate: Option<f64>,
    /// Supervisions raised.
    pub supervisions: u64,
    /// Of these, raised by an SLA breach step.
    pub supervisions_automatic: u64,
    /// Of these, answered at or after their deadline, or unanswered and due at `now`.
    pub supervisions_overdue: u64,
    /// Valid callbacks: each case's last callback.
    pub callbacks: u64,
    /// Of these, the unit had contacted the citizen.
    pub contacted: u64,
    /// Of these, the matter was solved.
    pub solved: u64,
    /// Of these, the ones with an evaluation at a level of their workflow's scale: what
    /// 满意率 counts over (a callback that reached nobody, or "unreachable", rates nothing).
    pub rated: u64,
    /// Of these, how many at each level of the evaluation scales measured (every level of
    /// [`Metrics::levels`], 0 included); a callback without an evaluation counts in none.
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, number>"))]
    pub levels: BTreeMap<String, u64>,
    /// Of these, at a poor level (差评, such as 不满意 and 非常不满意).
    pub unsatisfied: u64,
    /// 响应率: `contacted / callbacks`.
    pub response_rate: Option<f64>,
    /// 解决率: `solved / callbacks`.
    pub resolution_rate: Option<f64>,
    /// 满意率: the credits of the rated callbacks' levels, summed, `/ rated`.
    pub satisfaction_rate: Option<f64>,
    /// 直接办结率: `first_contact / closed`.
    pub first_contact_rate: Option<f64>,
    /// The transitions counted (the query's `counts`), by key: `<transition>` and
    /// `<transition>/<field>=<value>`; absent when no counter is asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, number>", optional)
    )]
    pub counts: BTreeMap<String, u64>,
    /// Each split count's share of its transition's count, such as 原创率
    /// (`post/original=true`) and 政务指数 (`post/kind=government`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, number>", optional)
    )]
    pub shares: BTreeMap<String, f64>,
    /// The figures the host supplied for this group (the total has none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, number>", optional)
    )]
    pub measures: BTreeMap<String, f64>,
    /// 100 × the weighted mean of the weighed rates, rounded to 2 places; `null` when one of
    /// them is.
    pub score: Option<f64>,
    /// The score's tier, when tiers are asked for.
    pub tier: Option<String>,
}

/// One SLA rule's outcomes in one group, each case counted by its clock's last cycle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SlaRow {
    /// The group (`*` for the total).
    pub group: String,
    /// The rule id.
    pub sla: String,
    /// Clocks started.
    pub started: u64,
    /// Stopped before the deadline.
    pub met: u64,
    /// Stopped at or after the deadline.
    pub late: u64,
    /// Still counting, not yet due.
    pub open: u64,
    /// Still counting, past the deadline at `now`.
    pub open_overdue: u64,
    /// Cancelled: the case closed another way.
    pub cancelled: u64,
    /// `late + open_overdue`.
    pub breached: u64,
    /// `met / (met + late)`: the usual rate, blind to cases still open and overdue.
    pub on_time_rate_completed_only: Option<f64>,
    /// `met / (met + late + open_overdue)`: the honest rate.
    pub on_time_rate_with_open_overdue: Option<f64>,
}

/// The answer of `metrics`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// The instant measured at.
    pub now: i64,
    /// Start of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// End of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// The grouping.
    pub group_by: GroupBy,
    /// Whether units were rolled up.
    pub roll_up: bool,
    /// The levels of the evaluation scales of the workflows measured, each once, in the
    /// order of their scales (workflows by id).
    pub levels: Vec<String>,
    /// Every key counted in some row, in order (absent when no counter is asked for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<String>,
    /// The names of the measures supplied, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<String>,
    /// One row per group, by group id.
    pub rows: Vec<MetricsRow>,
    /// Every case of the period.
    pub total: MetricsRow,
    /// One row per group and SLA rule, then the totals per rule.
    pub slas: Vec<SlaRow>,
    /// Groups by score, among peers.
    pub ranking: Vec<Rank>,
}

/// What one case contributes.
#[derive(Default)]
struct Facts<'a> {
    accepted: bool,
    closed: bool,
    open_overdue: bool,
    overdue: bool,
    response_ms: Option<i64>,
    closure_ms: Option<i64>,
    transfers: u32,
    returns: u32,
    bounced: bool,
    replied: bool,
    reopened: bool,
    supervisions: u32,
    supervisions_automatic: u32,
    supervisions_overdue: u32,
    first_contact: bool,
    callback: Option<Answer<'a>>,
    counts: BTreeMap<String, u64>,
}

/// What a valid callback says: contacted, solved, and the level with its credit and whether
/// it is poor.
#[derive(Clone, Copy)]
struct Answer<'a> {
    contacted: bool,
    solved: bool,
    level: Option<(&'a str, f64, bool)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Met,
    Late,
    Open,
    OpenOverdue,
    Cancelled,
}

/// Sums of one group.
#[derive(Default)]
pub(crate) struct Sums {
    pub row: MetricsRow,
    /// The satisfaction credits summed.
    pub credit: f64,
    pub response: Vec<i64>,
    pub closure: Vec<i64>,
    /// By SLA slot (see [`SlaSlots`]); a rule no case of the group started has `started` 0.
    pub slas: Vec<SlaRow>,
}

impl Sums {
    fn add(&mut self, f: &Facts, outcomes: &[(usize, Outcome)]) {
        let r = &mut self.row;
        let n = |b: bool| u64::from(b);
        r.received += 1;
        r.accepted += n(f.accepted);
        r.closed += n(f.closed);
        r.open += n(!f.closed);
        r.open_overdue += n(f.open_overdue);
        r.overdue_cases += n(f.overdue);
        r.transfers += u64::from(f.transfers);
        r.returns += u64::from(f.returns);
        r.bounced += n(f.bounced);
        r.replied += n(f.replied);
        r.reopened += n(f.reopened);
        r.supervisions += u64::from(f.supervisions);
        r.supervisions_automatic += u64::from(f.supervisions_automatic);
        r.supervisions_overdue += u64::from(f.supervisions_overdue);
        r.first_contact += n(f.first_contact);
        if let Some(a) = &f.callback {
            r.callbacks += 1;
            r.contacted += n(a.contacted);
            r.solved += n(a.solved);
            if let Some((level, credit, poor)) = a.level {
                r.rated += 1;
                match r.levels.get_mut(level) {
                    Some(count) => *count += 1,
                    None => {
                        r.levels.insert(level.to_owned(), 1);
                    }
                }
                self.credit += credit;
                r.unsatisfied += n(poor);
            }
        }
        for (k, n) in &f.counts {
            match r.counts.get_mut(k) {
                Some(count) => *count += n,
                None => {
                    r.counts.insert(k.clone(), *n);
                }
            }
        }
        self.response.extend(f.response_ms);
        self.closure.extend(f.closure_ms);
        for &(slot, outcome) in outcomes {
            if self.slas.len() <= slot {
                self.slas.resize_with(slot + 1, SlaRow::default);
            }
            let Some(row) = self.slas.get_mut(slot) else {
                continue;
            };
            row.started += 1;
            match outcome {
                Outcome::Met => row.met += 1,
                Outcome::Late => row.late += 1,
                Outcome::Open => row.open += 1,
                Outcome::OpenOverdue => row.open_overdue += 1,
                Outcome::Cancelled => row.cancelled += 1,
            }
        }
    }

    /// The finished row and SLA rows of group `group`.
    pub(crate) fn finish(
        mut self,
        group: &str,
        slots: &[(usize, &str)],
        scorer: &Scorer,
        levels: &[String],
        measures: Option<&BTreeMap<String, f64>>,
    ) -> (MetricsRow, Vec<SlaRow>) {
        let mut row = std::mem::take(&mut self.row);
        row.group = group.to_owned();
        (row.response_ms_median, row.response_ms_p90) = percentiles(&mut self.response);
        (row.closure_ms_median, row.closure_ms_p90) = percentiles(&mut self.closure);
        row.reopen_rate = rate(row.reopened as f64, row.replied);
        let valid = row.callbacks;
        row.response_rate = rate(row.contacted as f64, valid);
        row.resolution_rate = rate(row.solved as f64, valid);
        row.satisfaction_rate = rate(self.credit, row.rated);
        row.first_contact_rate = rate(row.first_contact as f64, row.closed);
        for level in levels {
            row.levels.entry(level.clone()).or_insert(0);
        }
        row.shares = counts::shares(&row.counts);
        if let Some(m) = measures {
            row.measures = m.clone();
        }
        let mut by_slot = std::mem::take(&mut self.slas);
        let slas = slots
            .iter()
            .filter_map(|&(slot, sla)| {
                let mut s = std::mem::take(by_slot.get_mut(slot)?);
                if s.started == 0 {
                    return None;
                }
                s.group = group.to_owned();
                s.sla = sla.to_owned();
                s.breached = s.late + s.open_overdue;
                s.on_time_rate_completed_only = rate(s.met as f64, s.met + s.late);
                s.on_time_rate_with_open_overdue =
                    rate(s.met as f64, s.met + s.late + s.open_overdue);
                Some(s)
            })
            .collect::<Vec<_>>();
        row.score = scorer.score(&row, self.credit, &slas);
        row.tier = row.score.and_then(|s| scorer.tier(s));
        (row, slas)
    }
}

/// `part / whole` rounded to 4 places; none of nothing.
pub(crate) fn rate(part: f64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round(part / whole as f64, 10_000.0))
}

fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// Median and 90th percentile by nearest rank: the smallest sample with at least half (90 %)
/// of the samples at or below it.
fn percentiles(samples: &mut [i64]) -> (Option<i64>, Option<i64>) {
    if samples.is_empty() {
        return (None, None);
    }
    samples.sort_unstable();
    let n = samples.len();
    let at = |p: usize| samples.get((n * p).div_ceil(100).max(1) - 1).copied();
    (at(50), at(90))
}

/// The SLA rule ids of the cases measured, each given a slot as it is first met, so that a
/// group's rows are a vector indexed by slot rather than a map searched by id per clock.
#[derive(Default)]
pub(crate) struct SlaSlots {
    ids: Vec<Box<str>>,
}

impl SlaSlots {
    /// The slot of rule `id`, given now if it has none.
    fn slot(&mut self, id: &str) -> usize {
        match self.ids.iter().position(|known| **known == *id) {
            Some(slot) => slot,
            None => {
                self.ids.push(id.into());
                self.ids.len() - 1
            }
        }
    }

    /// Every slot with its rule id, by id (the order of the rows): sorted once for all groups.
    fn by_id(&self) -> Vec<(usize, &str)> {
        let mut order: Vec<(usize, &str)> = self.ids.iter().map(|id| &**id).enumerate().collect();
        order.sort_unstable_by_key(|&(_, id)| id);
        order
    }
}

/// What the pass needs of each workflow, looked up once.
struct WorkflowInfo<'a> {
    workflow: &'a Arc<Workflow>,
    /// The calendar working times are measured on.
    calendar: Option<&'a Calendar>,
    /// Each SLA rule's calendar.
    rule_calendars: Vec<Option<&'a Calendar>>,
    /// Each SLA rule's slot in the groups' rows.
    rule_slots: Vec<usize>,
    /// The query's grouping and counters in this workflow.
    resolved: counts::Resolved,
}

impl Engine {
    /// Measures the cases opened in the query's period.
    ///
    /// # Errors
    /// [`MetricsError`] for an instant out of range, an empty period, bad scoring, a roll-up of
    /// something else than units or without an organisation, an unknown workflow.
    pub fn metrics(&self, q: &MetricsQuery) -> Result<Metrics, MetricsError> {
        check(q)?;
        if let Some(id) = &q.workflow {
            if self.workflow(id, None).is_none() {
                return Err(MetricsError::UnknownWorkflow { id: id.clone() });
            }
        }
        let measured = || {
            self.workflows()
                .filter(|wf| q.workflow.as_deref().is_none_or(|id| id == wf.id()))
        };
        counts::check(q, || Box::new(measured().map(|wf| &**wf)))?;
        let scorer = Scorer::new(q, |sla| {
            measured().any(|wf| wf.slas.iter().any(|r| &*r.id == sla))
        })?;
        let mut levels: Vec<String> = Vec::new();
        let scales = measured().filter_map(|wf| wf.handling()?.callback.as_ref());
        for level in scales.flat_map(|cb| cb.levels.iter()) {
            if !levels.iter().any(|l| **l == *level.value) {
                levels.push(level.value.to_string());
            }
        }
        let org = match (q.roll_up, self.org.as_deref()) {
            (true, None) => return Err(MetricsError::NoOrg),
            (_, org) => org,
        };
        let mut infos: Vec<WorkflowInfo<'_>> = Vec::new();
        let mut slots = SlaSlots::default();
        let mut groups = Groups::default();
        let mut total = Sums::default();
        let mut outcomes = Vec::new();
        let mut cases = self.cases.values();
        loop {
            let batch: [Option<&Case>; AHEAD] = std::array::from_fn(|_| cases.next().map(|c| &**c));
            if batch.iter().all(Option::is_none) {
                break;
            }
            // Whether a case is measured is read from its first event: fetched for the whole
            // batch first, then the rest of the cases measured.
            for case in batch.iter().flatten() {
                std::hint::black_box(case.history.first().map(|e| e.at));
            }
            let batch = batch.map(|c| c.filter(|c| measured_case(c, q)));
            for case in batch.iter().flatten() {
                warm(case);
            }
            for &case in batch.iter().flatten() {
                let wf = case.workflow();
                let info = match infos.iter().position(|i| Arc::ptr_eq(i.workflow, wf)) {
                    Some(i) => i,
                    None => {
                        infos.push(self.workflow_info(wf, q, &mut slots));
                        infos.len() - 1
                    }
                };
                let Some(info) = infos.get(info) else {
                    continue;
                };
                outcomes.clear();
                let mut facts = facts(case, info, (q.now, &scorer), &mut outcomes);
                counts::count(case, q, &info.resolved, &mut facts.counts);
                total.add(&facts, &outcomes);
                let group = group_of(case, q.group_by, &info.resolved, q.now);
                let group = groups.of(&group, org.filter(|_| q.roll_up));
                groups.add(group, &facts, &outcomes);
            }
        }
        let groups = groups.into_sorted();
        let slots = slots.by_id();
        let mut rows = Vec::with_capacity(groups.len());
        let mut slas = Vec::new();
        for (group, sums) in groups {
            let measures = q.measures.get(&group);
            let (mut row, sla_rows) = sums.finish(&group, &slots, &scorer, &levels, measures);
            if q.group_by == GroupBy::Unit {
                if let Some(unit) = org.and_then(|o| o.unit(&group)) {
                    row.name = Some(unit.name.clone());
                    row.kind = serde_json::to_value(unit.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(str::to_owned));
                    row.parent = unit.parent.clone();
                }
            }
            rows.push(row);
            slas.extend(sla_rows);
        }
        let (total, total_slas) = total.finish("*", &slots, &scorer, &levels, None);
        // Every group's cases are among the total's, so the total has every key.
        let count_keys: Vec<String> = total.counts.keys().cloned().collect();
        // A key counted somewhere is 0, not absent, where nothing was counted under it.
        for row in rows.iter_mut() {
            for k in &count_keys {
                row.counts.entry(k.clone()).or_insert(0);
            }
            row.shares = counts::shares(&row.counts);
        }
        let mut measure_names: Vec<String> = q
            .measures
            .values()
            .flat_map(|m| m.keys().cloned())
            .collect();
        measure_names.sort_unstable();
        measure_names.dedup();
        slas.extend(total_slas);
        let ranking = crate::metrics::table::rank(&rows, q.group_by, q.scoring.min_callbacks);
        Ok(Metrics {
            now: q.now,
            from: q.from,
            to: q.to,
            group_by: q.group_by,
            roll_up: q.roll_up,
            levels,
            counts: count_keys,
            measures: measure_names,
            rows,
            total,
            slas,
            ranking,
        })
    }

    fn workflow_info<'a>(
        &'a self,
        wf: &'a Arc<Workflow>,
        q: &MetricsQuery,
        slots: &mut SlaSlots,
    ) -> WorkflowInfo<'a> {
        let cal = |id: &str| self.calendars.get(id).map(|c| &**c);
        let rule_calendars: Vec<_> = wf.slas.iter().map(|r| cal(&r.calendar)).collect();
        let rule_slots = wf.slas.iter().map(|r| slots.slot(&r.id)).collect();
        let handling = wf.handling().and_then(|h| h.calendar.as_deref());
        WorkflowInfo {
            workflow: wf,
            calendar: handling
                .and_then(cal)
                .or_else(|| rule_calendars.iter().flatten().next().copied()),
            rule_calendars,
            rule_slots,
            resolved: counts::resolve(q, wf),
        }
    }
}

fn check(q: &MetricsQuery) -> Result<(), MetricsError> {
    let instants = [("now", Some(q.now)), ("from", q.from), ("to", q.to)];
    for (name, at) in instants {
        if let Some(at) = at.filter(|a| !(MIN_INSTANT..=MAX_INSTANT).contains(a)) {
            return Err(MetricsError::InvalidTime { name, at });
        }
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(MetricsError::InvalidPeriod { from, to });
        }
    }
    if q.roll_up && q.group_by != GroupBy::Unit {
        let group_by = match q.group_by {
            GroupBy::Unit => "unit",
            GroupBy::Channel => "channel",
            GroupBy::Category => "category",
            GroupBy::Workflow => "workflow",
            GroupBy::Actor => "actor",
            GroupBy::Field => "field",
        };
        return Err(MetricsError::RollUpNeedsUnits { group_by });
    }
    Ok(())
}

fn group_of<'c>(
    case: &'c Case,
    by: GroupBy,
    resolved: &counts::Resolved,
    now: i64,
) -> Cow<'c, str> {
    Cow::Borrowed(match by {
        GroupBy::Unit => case
            .handling
            .as_ref()
            .and_then(|h| h.unit.as_deref())
            .unwrap_or(""),
        GroupBy::Channel => case.channel(),
        GroupBy::Category => case.category().unwrap_or(""),
        GroupBy::Workflow => case.workflow.id(),
        GroupBy::Actor | GroupBy::Field => return counts::group(case, by, resolved, now),
    })
}

/// The groups met so far, each with its sums and, rolled up, the units above it.
#[derive(Default)]
struct Groups {
    index: FxMap<String, usize>,
    sums: Vec<Sums>,
    /// By group: the groups above it, once looked up (a group met only as a parent has not).
    above: Vec<Option<Vec<usize>>>,
}

impl Groups {
    fn slot(&mut self, group: &str) -> usize {
        if let Some(&i) = self.index.get(group) {
            return i;
        }
        self.index.insert(group.to_owned(), self.sums.len());
        self.sums.push(Sums::default());
        self.above.push(None);
        self.sums.len() - 1
    }

    /// The slot of a case's group; rolled up (`org` given), the units above it are looked up
    /// in the organisation the first time the group is met.
    fn of(&mut self, group: &str, org: Option<&Org>) -> usize {
        let i = self.slot(group);
        if let Some(org) = org.filter(|_| self.above.get(i).is_some_and(Option::is_none)) {
            let mut above = Vec::new();
            let mut at = group;
            while let Some(parent) = org.parent(at) {
                above.push(self.slot(parent));
                at = parent;
            }
            if let Some(slot) = self.above.get_mut(i) {
                *slot = Some(above);
            }
        }
        i
    }

    /// Adds a case's facts to its group and the groups above it.
    fn add(&mut self, group: usize, f: &Facts, outcomes: &[(usize, Outcome)]) {
        let above = self.above.get(group).into_iter().flatten().flatten();
        for &i in std::iter::once(&group).chain(above) {
            if let Some(s) = self.sums.get_mut(i) {
                s.add(f, outcomes);
            }
        }
    }

    /// Every group with its sums, by group id.
    fn into_sorted(mut self) -> Vec<(String, Sums)> {
        let mut groups: Vec<(String, Sums)> = (self.index.into_iter())
            .filter_map(|(g, i)| Some((g, std::mem::take(self.sums.get_mut(i)?))))
            .collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        groups
    }
}

/// Whether the query measures the case: opened in its period, of its workflow.
fn measured_case(case: &Case, q: &MetricsQuery) -> bool {
    let opened = case.opened_at();
    let in_period = q.from.is_none_or(|f| opened >= f) && q.to.is_none_or(|t| opened < t);
    in_period
        && q.workflow
            .as_deref()
            .is_none_or(|id| id == case.workflow().id())
}

/// Cases measured together, their parts fetched from memory first (see [`warm`]).
const AHEAD: usize = 16;

/// Reads one word of each part of a case that lives in an allocation of its own (history,
/// clocks, handling). Over a large engine those parts are far apart in memory and each is a
/// wait on main memory; read for a batch of cases before any is measured, the waits overlap
/// instead of coming one after another.
fn warm(case: &Case) {
    if let Some(h) = case.handling.as_deref() {
        // Its unit and the last callback's level are strings of their own, read when grouping
        // and scoring.
        let first = |s: Option<&String>| s.and_then(|s| s.as_bytes().first().copied());
        let level = h.callbacks.last().map(|c| first(c.satisfaction.as_ref()));
        std::hint::black_box((h.transfers, h.replied_at, first(h.unit.as_ref()), level));
    }
    for e in &case.history {
        std::hint::black_box(e.at);
    }
    // A clock spans more than one cache line: its start and its target are in different ones.
    for c in case.clocks() {
        std::hint::black_box((c.started_at, c.target, c.stopped_at));
    }
}

/// Reduces a case to its facts at `now`; each started clock's outcome goes to `outcomes`.
fn facts<'a>(
    case: &'a Case,
    info: &WorkflowInfo<'_>,
    q: (i64, &Scorer),
    outcomes: &mut Vec<(usize, Outcome)>,
) -> Facts<'a> {
    let (now, scorer) = q;
    let wf = &*case.workflow;
    let opened = case.opened_at();
    let working = |to: i64| match info.calendar {
        Some(cal) => cal.between(opened, to).map(|b| b.working_ms).ok(),
        None => Some(to - opened),
    };
    let mut f = Facts {
        closed: case.is_terminal(),
        // A case of a workflow without handling never has a unit.
        first_contact: case.is_terminal() && case.handling.is_none(),
        ..Facts::default()
    };
    // The acceptance decision: the first transition that leaves the initial state (a
    // self-transition on it, such as an acknowledgement of receipt, decides nothing).
    let first = case.history.iter().find_map(|e| match e.kind {
        EventKind::Transitioned { from, to, .. } if from == wf.initial && to != from => {
            Some((e.at(), to))
        }
        _ => None,
    });
    if let Some((at, to)) = first {
        f.accepted = !wf.is_terminal(to);
        f.response_ms = working(at);
    }
    if f.closed {
        f.closure_ms = case.closed_at().and_then(working);
    }
    let rules = wf.slas.iter().zip(&info.rule_slots);
    for (((rule, &slot), clock), cal) in rules.zip(case.clocks()).zip(&info.rule_calendars) {
        let Some(cal) = cal else { continue };
        // Instants in a case are checked on entry, so a deadline is always computable; a
        // clock whose deadline is not is left out rather than guessed.
        let Ok(Some(d)) = crate::case::sla_clock::deadline(rule, clock, cal, now) else {
            continue;
        };
        let outcome = match (clock.stopped_at, clock.cancelled_at) {
            (_, Some(_)) => Outcome::Cancelled,
            (Some(s), _) if s < d.due => Outcome::Met,
            (Some(_), _) => Outcome::Late,
            _ if now >= d.due => Outcome::OpenOverdue,
            _ => Outcome::Open,
        };
        f.open_overdue |= outcome == Outcome::OpenOverdue && !f.closed;
        f.overdue |= matches!(outcome, Outcome::Late | Outcome::OpenOverdue);
        outcomes.push((slot, outcome));
    }
    if let Some(h) = case.handling.as_deref() {
        f.transfers = h.transfers;
        f.returns = h.returns;
        f.bounced = h.bounced;
        f.replied = h.replied_at.is_some();
        f.reopened = f.replied && h.reopens > 0;
        for s in &h.supervisions {
            let late = s.answered_at.map_or(now >= s.due_at, |a| a >= s.due_at);
            f.supervisions += 1;
            f.supervisions_automatic += u32::from(s.automatic);
            f.supervisions_overdue += u32::from(late);
        }
        f.first_contact = f.closed
            && h.unit.is_none()
            && h.dispatched_by.is_none()
            && h.transfers == 0
            && h.returns == 0
            // A linked duplicate closes with its primary: it was not answered on its own.
            && h.primary.is_none();
        let scale = wf.handling().and_then(|h| h.callback.as_ref());
        f.callback = h.callbacks.last().map(|c| Answer {
            contacted: c.contacted,
            solved: c.solved,
            level: c
                .satisfaction
                .as_deref()
                .and_then(|v| scale?.level(v))
                .map(|l| {
                    let credit = l.credit.unwrap_or(scorer.basically_satisfied);
                    (&*l.value, credit, l.poor)
                }),
        });
    }
    f
}

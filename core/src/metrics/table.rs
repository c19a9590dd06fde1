//! The ranking of groups by score, and the metrics tables as CSV with stable columns.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::cmp::Ordering::Equal;

use crate::metrics::{GroupBy, Metrics, MetricsRow, SlaRow};

/// A ranked group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Rank {
    /// Who it is ranked against: units of the same kind (districts against districts,
    /// townships against townships); `null` for every group when not grouped by unit.
    pub peers: Option<String>,
    /// 1 for the best; groups with the same score and 解决率 share a rank.
    pub rank: u32,
    /// The group.
    pub group: String,
    /// The unit's name.
    pub name: Option<String>,
    /// Its score.
    pub score: f64,
    /// Its tier, when tiers are asked for.
    pub tier: Option<String>,
    /// Its 解决率 (`null` without callbacks).
    pub resolution_rate: Option<f64>,
    /// Its valid callbacks.
    pub callbacks: u64,
}

/// Ranks the groups with a score and at least `min_callbacks` valid callbacks among their
/// peers: by score, then 解决率, highest first (a group without 解决率 after those with one). Cases not dispatched (group `""`) are not a
/// unit and are not ranked.
pub(crate) fn rank(rows: &[MetricsRow], by: GroupBy, min_callbacks: u32) -> Vec<Rank> {
    let mut ranked: Vec<Rank> = rows
        .iter()
        // Cases with no unit, actor or field value form no group to rank.
        .filter(|r| !(by_nobody(by) && r.group.is_empty()))
        .filter(|r| r.callbacks >= u64::from(min_callbacks))
        .filter_map(|r| {
            Some(Rank {
                peers: if by == GroupBy::Unit {
                    r.kind.clone()
                } else {
                    None
                },
                rank: 0,
                group: r.group.clone(),
                name: r.name.clone(),
                score: r.score?,
                tier: r.tier.clone(),
                resolution_rate: r.resolution_rate,
                callbacks: r.callbacks,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.peers
            .cmp(&b.peers)
            .then(b.score.total_cmp(&a.score))
            .then(
                b.resolution_rate
                    .partial_cmp(&a.resolution_rate)
                    .unwrap_or(Equal),
            )
            .then(a.group.cmp(&b.group))
    });
    let mut previous: Option<(Option<String>, f64, Option<f64>, u32)> = None;
    let mut position = 0;
    for r in &mut ranked {
        position = match &previous {
            Some((peers, ..)) if *peers == r.peers => position + 1,
            _ => 1,
        };
        r.rank = match &previous {
            Some((peers, score, resolution, rank))
                if *peers == r.peers && *score == r.score && *resolution == r.resolution_rate =>
            {
                *rank
            }
            _ => position,
        };
        previous = Some((r.peers.clone(), r.score, r.resolution_rate, r.rank));
    }
    ranked
}

fn by_nobody(by: GroupBy) -> bool {
    matches!(by, GroupBy::Unit | GroupBy::Actor | GroupBy::Field)
}

/// The columns of the rows table, in order; `levels` stands for one column per level of
/// [`Metrics::levels`], named `level:<value>`, `counts` for one per key of
/// [`Metrics::counts`] (`count:<key>`), `shares` for one per split key (`share:<key>`), and
/// `measures` for one per name of [`Metrics::measures`] (`measure:<name>`).
pub const ROW_COLUMNS: &[&str] = &[
    "group",
    "name",
    "kind",
    "parent",
    "received",
    "accepted",
    "closed",
    "first_contact",
    "open",
    "open_overdue",
    "overdue_cases",
    "response_ms_median",
    "response_ms_p90",
    "closure_ms_median",
    "closure_ms_p90",
    "transfers",
    "returns",
    "bounced",
    "replied",
    "reopened",
    "reopen_rate",
    "supervisions",
    "supervisions_automatic",
    "supervisions_overdue",
    "callbacks",
    "contacted",
    "solved",
    "rated",
    "levels",
    "unsatisfied",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "first_contact_rate",
    "counts",
    "shares",
    "measures",
    "score",
    "tier",
];

/// The columns of the SLA table, in order.
pub const SLA_COLUMNS: &[&str] = &[
    "group",
    "sla",
    "started",
    "met",
    "late",
    "open",
    "open_overdue",
    "cancelled",
    "breached",
    "on_time_rate_completed_only",
    "on_time_rate_with_open_overdue",
];

/// The columns of the ranking, in order.
pub const RANK_COLUMNS: &[&str] = &[
    "peers",
    "rank",
    "group",
    "name",
    "score",
    "tier",
    "resolution_rate",
    "callbacks",
];

/// The metrics tables as CSV (RFC 4180, `\r\n` line ends, a header line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct TableCsv {
    /// The rows, then the total as group `*`.
    pub rows: String,
    /// The SLA rows.
    pub slas: String,
    /// The ranking.
    pub ranking: String,
}

impl Metrics {
    /// The tables as CSV.
    pub fn to_csv(&self) -> TableCsv {
        let rows: Vec<&MetricsRow> = self.rows.iter().chain([&self.total]).collect();
        let columns: Vec<String> = ROW_COLUMNS
            .iter()
            .flat_map(|&c| match c {
                "levels" => self.levels.iter().map(|l| format!("level:{l}")).collect(),
                "counts" => self.counts.iter().map(|k| format!("count:{k}")).collect(),
                "shares" => self
                    .counts
                    .iter()
                    .filter(|k| k.contains('/'))
                    .map(|k| format!("share:{k}"))
                    .collect(),
                "measures" => self
                    .measures
                    .iter()
                    .map(|m| format!("measure:{m}"))
                    .collect(),
                c => vec![c.to_owned()],
            })
            .collect();
        TableCsv {
            rows: table(&columns, &rows),
            slas: table(SLA_COLUMNS, &self.slas.iter().collect::<Vec<&SlaRow>>()),
            ranking: table(RANK_COLUMNS, &self.ranking.iter().collect::<Vec<_>>()),
        }
    }
}

fn table<T: Serialize>(columns: &[impl AsRef<str>], items: &[&T]) -> String {
    let names: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
    let mut out = names
        .iter()
        .map(|c| cell(&Json::from(*c)))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for item in items {
        let value = serde_json::to_value(item).unwrap_or(Json::Null);
        let cells: Vec<String> = names
            .iter()
            .map(|c| {
                let v = match c.split_once(':') {
                    Some((kind @ ("level" | "count" | "share" | "measure"), key)) => {
                        let map = format!("{kind}s");
                        value.get(map).and_then(|m| m.get(key))
                    }
                    _ => value.get(*c),
                };
                cell(v.unwrap_or(&Json::Null))
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => {
            // A text a spreadsheet would run as a formula is prefixed with a quote mark.
            let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.clone()
            };
            if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<T: Serialize + Default>() -> Vec<String> {
        let v = serde_json::to_value(T::default()).unwrap();
        v.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn csv_columns_are_every_field_once() {
        let mut cols: Vec<String> = ROW_COLUMNS.iter().map(|s| s.to_string()).collect();
        cols.sort();
        // The maps of counts, shares and measures are left out when empty.
        let mut fields = keys::<MetricsRow>();
        fields.extend(["counts", "measures", "shares"].map(String::from));
        fields.sort();
        assert_eq!(cols, fields);
        let mut cols: Vec<String> = SLA_COLUMNS.iter().map(|s| s.to_string()).collect();
        cols.sort();
        assert_eq!(cols, keys::<SlaRow>());
    }

    #[test]
    fn cells_are_quoted_and_defused() {
        assert_eq!(cell(&Json::from("a,b")), "\"a,b\"");
        assert_eq!(cell(&Json::from("say \"hi\"")), "\"say \"\"hi\"\"\"");
        assert_eq!(cell(&Json::from("=1+1")), "'=1+1");
        assert_eq!(cell(&Json::from(-3)), "-3");
        assert_eq!(cell(&Json::Null), "");
        assert_eq!(cell(&Json::from(0.25)), "0.25");
    }

    #[test]
    fn equal_scores_share_a_rank_among_peers() {
        let row = |group: &str, kind: &str, score: f64, res: f64| MetricsRow {
            group: group.into(),
            kind: Some(kind.into()),
            callbacks: 3,
            score: Some(score),
            resolution_rate: Some(res),
            ..MetricsRow::default()
        };
        let rows = [
            row("a", "township", 80.0, 0.5),
            row("b", "township", 90.0, 0.5),
            row("c", "township", 80.0, 0.5),
            row("d", "township", 80.0, 0.4),
            row("x", "department", 10.0, 0.1),
        ];
        let ranks: Vec<(String, u32)> = rank(&rows, GroupBy::Unit, 1)
            .into_iter()
            .map(|r| (r.group, r.rank))
            .collect();
        let expect = [("x", 1), ("b", 1), ("a", 2), ("c", 2), ("d", 4)];
        let expect: Vec<(String, u32)> = expect.iter().map(|(g, r)| (g.to_string(), *r)).collect();
        assert_eq!(ranks, expect);
    }
}

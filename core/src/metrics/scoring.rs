//! The composite score: weights over named rate columns, the credit of `basically_satisfied`
//! on the default scale, and tiers by score (分档评价) beside the ranking.
//!
//! Cities weigh different rates and change the weights from year to year; 国办函〔2025〕66号
//! asks for tiered, per-category evaluation rather than a bare ranking. So the columns, their
//! weights and the tiers are parameters, checked before any case is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::escape_pointer;
use crate::metrics::{MetricsError, MetricsQuery, MetricsRow, SlaRow};

/// The composite score and its tiers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Weight of each rate column in the score: `response_rate`, `resolution_rate`,
    /// `satisfaction_rate`, `first_contact_rate`, `on_time:<sla rule>`, `share:<split count>`
    /// (such as `share:post/original=true`, 原创率) or `measure:<name>` (a host-supplied
    /// figure divided by the largest supplied for any group); `response`, `resolution` and
    /// `satisfaction` name the first three. Only their ratios matter.
    /// Default: 响应率 0.1, 解决率 0.5, 满意率 0.4 (a local choice, see `docs/metrics.md`).
    #[serde(default = "default_weights")]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, number>"))]
    pub weights: BTreeMap<String, f64>,
    /// What a `basically_satisfied` callback counts in 满意率, from 0 to 1, in workflows that
    /// list no evaluation levels of their own (default 0.9).
    #[serde(default = "default_credit")]
    pub basically_satisfied: f64,
    /// Fewest valid callbacks for a group to be ranked (default 1).
    #[serde(default = "default_min_callbacks")]
    pub min_callbacks: u32,
    /// Tiers by score (分档): a scored group is in the tier with the highest `min` at or below
    /// its score, and in none below them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

/// A tier of scores, such as 优秀 from 90.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Its name.
    pub name: String,
    /// The lowest score in it, from 0 to 100.
    pub min: f64,
}

fn default_weights() -> BTreeMap<String, f64> {
    [
        ("response_rate", 0.1),
        ("resolution_rate", 0.5),
        ("satisfaction_rate", 0.4),
    ]
    .into_iter()
    .map(|(k, w)| (k.to_owned(), w))
    .collect()
}

fn default_credit() -> f64 {
    0.9
}

fn default_min_callbacks() -> u32 {
    1
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            weights: default_weights(),
            basically_satisfied: default_credit(),
            min_callbacks: default_min_callbacks(),
            tiers: Vec::new(),
        }
    }
}

/// A rate the score can weigh.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Column {
    Response,
    Resolution,
    Satisfaction,
    FirstContact,
    /// `on_time_rate_with_open_overdue` of an SLA rule.
    OnTime(String),
    /// A split count's share of its transition's count.
    Share(String),
    /// A host-supplied figure over the largest supplied for any group.
    Measure {
        name: String,
        best: f64,
    },
}

impl Column {
    fn parse(name: &str) -> Option<Column> {
        Some(match name {
            "response_rate" | "response" => Column::Response,
            "resolution_rate" | "resolution" => Column::Resolution,
            "satisfaction_rate" | "satisfaction" => Column::Satisfaction,
            "first_contact_rate" => Column::FirstContact,
            _ => match name.split_once(':')? {
                ("on_time", sla) => Column::OnTime(sla.to_owned()),
                ("share", key) => Column::Share(key.to_owned()),
                ("measure", m) => Column::Measure {
                    name: m.to_owned(),
                    best: 0.0,
                },
                _ => return None,
            },
        })
    }

    /// Its rate in a group, unrounded; `None` when its denominator is 0.
    fn rate(&self, row: &MetricsRow, credit: f64, slas: &[SlaRow]) -> Option<f64> {
        let of = |part: f64, whole: u64| (whole > 0).then(|| part / whole as f64);
        match self {
            Column::Response => of(row.contacted as f64, row.callbacks),
            Column::Resolution => of(row.solved as f64, row.callbacks),
            Column::Satisfaction => of(credit, row.rated),
            Column::FirstContact => of(row.first_contact as f64, row.closed),
            Column::OnTime(sla) => slas
                .iter()
                .find(|s| s.sla == *sla)
                .and_then(|s| of(s.met as f64, s.met + s.late + s.open_overdue)),
            Column::Share(key) => {
                let (t, _) = key.split_once('/')?;
                of(
                    *row.counts.get(key).unwrap_or(&0) as f64,
                    *row.counts.get(t)?,
                )
            }
            // Every group at 0 is no reason to score nobody.
            Column::Measure { name, best } => {
                let v = row.measures.get(name)?;
                Some(if *best > 0.0 { v / best } else { 0.0 })
            }
        }
    }
}

/// A checked scoring: the weighed columns and the tiers from the highest.
pub(crate) struct Scorer {
    columns: Vec<(Column, f64)>,
    tiers: Vec<Tier>,
    pub basically_satisfied: f64,
}

impl Scorer {
    /// Checks `s`: known columns named once (an `on_time` rule among `sla_ids`), weights at
    /// least 0 and not all 0, a credit from 0 to 1, tiers named once with a `min` from 0 to
    /// 100 each.
    pub(crate) fn new(
        q: &MetricsQuery,
        mut sla_ids: impl FnMut(&str) -> bool,
    ) -> Result<Scorer, MetricsError> {
        let s = &q.scoring;
        let bad = |path: String, reason: String| MetricsError::InvalidScoring { path, reason };
        let mut columns: Vec<(Column, f64)> = Vec::with_capacity(s.weights.len());
        for (name, &w) in &s.weights {
            let path = format!("/weights/{}", escape_pointer(name));
            let Some(column) = Column::parse(name) else {
                let reason = format!(
                    "`{name}` is not a rate the score can weigh: response_rate, \
                     resolution_rate, satisfaction_rate, first_contact_rate, \
                     on_time:<sla rule>, share:<transition>/<field>=<value> or measure:<name>"
                );
                return Err(bad(path, reason));
            };
            let mut column = column;
            match &mut column {
                Column::Share(key) => {
                    let split = key.split_once('/').and_then(|(t, rest)| {
                        let (field, _) = rest.split_once('=')?;
                        Some((t, field))
                    });
                    let counted = split.is_some_and(|(t, f)| {
                        q.counts
                            .iter()
                            .any(|c| c.transition == t && c.by.as_deref() == Some(f))
                    });
                    if !counted {
                        let reason = format!(
                            "`{name}` is not the share of a count the query asks for: write \
                             share:<transition>/<field>=<value> with a counter of that \
                             transition by that field in `counts`"
                        );
                        return Err(bad(path, reason));
                    }
                }
                Column::Measure { name: m, best } => {
                    let supplied = q.measures.values().filter_map(|g| g.get(m.as_str()));
                    *best = supplied.fold(f64::NAN, |a, &b| a.max(b));
                    if best.is_nan() {
                        let reason = format!("no group has a measure `{m}` in `measures`");
                        return Err(bad(path, reason));
                    }
                }
                _ => {}
            }
            if let Column::OnTime(sla) = &column {
                if !sla_ids(sla) {
                    let reason = format!("no workflow measured has an SLA rule `{sla}`");
                    return Err(bad(path, reason));
                }
            }
            if columns.iter().any(|(c, _)| *c == column) {
                let reason = format!("`{name}` names a rate already weighed");
                return Err(bad(path, reason));
            }
            if !w.is_finite() || w < 0.0 {
                let reason = format!("the weight of {name} must be a number at least 0, not {w}");
                return Err(bad(path, reason));
            }
            columns.push((column, w));
        }
        let sum: f64 = columns.iter().map(|(_, w)| w).sum();
        if sum <= 0.0 || !sum.is_finite() {
            let reason = "at least one weight must be above 0, and their sum a finite number";
            return Err(bad("/weights".to_owned(), reason.to_owned()));
        }
        let credit = s.basically_satisfied;
        if !(0.0..=1.0).contains(&credit) {
            let reason =
                format!("the credit for basically satisfied must be from 0 to 1, not {credit}");
            return Err(bad("/basically_satisfied".to_owned(), reason));
        }
        for (i, t) in s.tiers.iter().enumerate() {
            if t.name.trim().is_empty() {
                let reason = "a tier needs a name".to_owned();
                return Err(bad(format!("/tiers/{i}/name"), reason));
            }
            if s.tiers.iter().take(i).any(|u| u.name == t.name) {
                let reason = format!("the tier `{}` is named twice", t.name);
                return Err(bad(format!("/tiers/{i}/name"), reason));
            }
            if !(0.0..=100.0).contains(&t.min) {
                let reason = format!("a tier's min is a score from 0 to 100, not {}", t.min);
                return Err(bad(format!("/tiers/{i}/min"), reason));
            }
        }
        let mut tiers = s.tiers.clone();
        tiers.sort_by(|a, b| b.min.total_cmp(&a.min));
        Ok(Scorer {
            columns,
            tiers,
            basically_satisfied: credit,
        })
    }

    /// 100 × the weighted mean of the columns' unrounded rates, rounded to 2 places; `None`
    /// when a weighed rate has no denominator in the group. `credit` is the group's summed
    /// satisfaction credit.
    pub(crate) fn score(&self, row: &MetricsRow, credit: f64, slas: &[SlaRow]) -> Option<f64> {
        let mut weighted = 0.0;
        let mut sum = 0.0;
        for (column, w) in self.columns.iter().filter(|(_, w)| *w > 0.0) {
            weighted += w * column.rate(row, credit, slas)?;
            sum += w;
        }
        Some((100.0 * weighted / sum * 100.0).round() / 100.0)
    }

    /// The tier of a score.
    pub(crate) fn tier(&self, score: f64) -> Option<String> {
        let tier = self.tiers.iter().find(|t| t.min <= score)?;
        Some(tier.name.clone())
    }
}

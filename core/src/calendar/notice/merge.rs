//! A year read from a notice put into a calendar document: the yearly update without a release.

use crate::calendar::{day_number, parse_date, CalendarDef, HolidayDef, SourceDef, YearRange};

use super::{NoticeError, NoticeYear};

impl NoticeYear {
    /// `calendar` with this year in it: the holidays and working days that end in the year, or
    /// fall on a day the notice sets, are replaced by the notice's; its citation replaces the
    /// year's unless that cites the same notices; `years` grows to take it in. A working day
    /// belongs to the year of the holiday nearest to it, so that a make-up day in late
    /// December for next year's 元旦 stays with next year. Load the result under the same id
    /// and every clock on the calendar is computed again (`docs/sla.md`).
    ///
    /// # Errors
    /// `notice.year_gap` when the year neither is in `years` nor follows on from them (the
    /// years between would pass as known, with no holidays), and `notice.year` for a calendar
    /// that takes its years from the one it extends.
    pub fn merged_into(&self, calendar: &CalendarDef) -> Result<CalendarDef, NoticeError> {
        let Some(YearRange { from, to }) = calendar.years else {
            return Err(NoticeError::Year {
                reason: "the calendar takes its years from the one it extends: add the year there"
                    .to_owned(),
            });
        };
        let year = self.year;
        if year < from.saturating_sub(1) || year > to.saturating_add(1) {
            return Err(NoticeError::YearGap { year, from, to });
        }
        // Entries are put in place rather than sorted: a sort costs the WASM more than the
        // reader itself. A holiday is the year's when it ends in the year (元旦 may start the
        // December before), a working day when its nearest holiday is; either when it clashes
        // with a day the notice sets.
        let ours = |last: &str| last.get(..4) == Some(&year.to_string());
        let owned = |date: &str| ours(nearest(&calendar.holidays, date).unwrap_or(date));
        let ranges: Vec<(&str, &str)> = self
            .holidays
            .iter()
            .map(span)
            .chain(self.working_days.iter().map(|w| (&*w.date, &*w.date)))
            .collect();
        let clashes = |(a, b): (&str, &str)| ranges.iter().any(|(c, d)| a <= *d && *c <= b);
        let mut merged = calendar.clone();
        merged.years = Some(YearRange {
            from: from.min(year),
            to: to.max(year),
        });
        merged
            .holidays
            .retain(|h| !(ours(span(h).1) || clashes(span(h))));
        for h in &self.holidays {
            let at = merged.holidays.partition_point(|m| span(m).0 <= span(h).0);
            merged.holidays.insert(at, h.clone());
        }
        merged
            .working_days
            .retain(|w| !(owned(&w.date) || clashes((&w.date, &w.date))));
        for w in &self.working_days {
            let at = merged.working_days.partition_point(|m| m.date <= w.date);
            merged.working_days.insert(at, w.clone());
        }
        // A citation of the same notices already there is kept: it may say more (a document
        // number, the publisher) than the pasted text.
        let titles = self.source.notice.split('；').map(|n| n.split('（').next());
        let cites = |s: &SourceDef| titles.clone().flatten().all(|t| s.notice.contains(t));
        let kept = |s: &SourceDef| s.year == year && cites(s);
        if !merged.sources.iter().any(kept) {
            merged.sources.retain(|s| s.year != year);
            let at = merged.sources.partition_point(|s| s.year < year);
            merged.sources.insert(at, self.source.clone());
        }
        Ok(merged)
    }
}

/// The last day of the holiday nearest to `date` (days apart, either side).
fn nearest<'a>(holidays: &'a [HolidayDef], date: &str) -> Option<&'a str> {
    let day = |d: &str| parse_date(d).ok().map(day_number);
    let at = day(date)?;
    let apart = |h: &HolidayDef| {
        let (first, last) = (day(span(h).0)?, day(span(h).1)?);
        Some((first - at).max(at - last).max(0))
    };
    let mut best: Option<(i64, &str)> = None;
    for h in holidays {
        if let Some(d) = apart(h).filter(|d| best.is_none_or(|(b, _)| *d < b)) {
            best = Some((d, span(h).1));
        }
    }
    best.map(|(_, last)| last)
}

/// A holiday's first and last day, `YYYY-MM-DD` (which order as strings do).
fn span(h: &HolidayDef) -> (&str, &str) {
    let first = h.date.as_deref().or(h.from.as_deref()).unwrap_or("");
    (
        first,
        h.date.as_deref().or(h.to.as_deref()).unwrap_or(first),
    )
}

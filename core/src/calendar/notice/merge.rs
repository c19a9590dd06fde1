//! A year read from a notice put into a calendar document: the yearly update without a release.

use crate::calendar::{CalendarDef, HolidayDef, SourceDef, YearRange};

use super::{NoticeError, NoticeYear};

impl NoticeYear {
    /// `calendar` with this year in it: the holidays and working days that end in the year, or
    /// fall on a day the notice sets, are replaced by the notice's; its citation replaces the
    /// year's unless that cites the same notice; `years` grows to take it in. Load the result under the same id and every clock
    /// on the calendar is computed again (`docs/sla.md`).
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
        // reader itself. An entry is the year's when it ends in the year (元旦 may start the December before),
        // or when it clashes with a day the notice sets.
        let ours = |last: &str| last.get(..4) == Some(&year.to_string());
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
            .retain(|w| !(ours(&w.date) || clashes((&w.date, &w.date))));
        merged
            .working_days
            .extend(self.working_days.iter().cloned());
        merged.working_days.sort_by(|a, b| a.date.cmp(&b.date));
        // A citation of the same notice already there is kept: it may say more (a document
        // number, the publisher) than the pasted text.
        let title = self.source.notice.split('（').next().unwrap_or_default();
        let kept = |s: &SourceDef| s.year == year && s.notice.starts_with(title);
        if !merged.sources.iter().any(kept) {
            merged.sources.retain(|s| s.year != year);
            let at = merged.sources.partition_point(|s| s.year < year);
            merged.sources.insert(at, self.source.clone());
        }
        Ok(merged)
    }
}

/// A holiday's first and last day, `YYYY-MM-DD` (which order as strings do).
fn span(h: &HolidayDef) -> (&str, &str) {
    let first = h.date.as_deref().or(h.from.as_deref()).unwrap_or("");
    (
        first,
        h.date.as_deref().or(h.to.as_deref()).unwrap_or(first),
    )
}

//! What can be wrong with the text of a holiday notice, each problem on its line.

use crate::error::{Coded, DocumentError, DocumentErrors};

/// A problem in the text of a State Council holiday notice. Lines count from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// A line, or a sentence of it, is not in the notice's standard wording.
    #[error("line {line}: cannot read `{text}`: {reason}")]
    Unreadable {
        /// The line.
        line: usize,
        /// The part that could not be read.
        text: String,
        /// What was expected there.
        reason: &'static str,
    },
    /// A date's weekday in brackets is not the weekday of that date.
    #[error("line {line}: {date} is a {actual}, not a {stated}")]
    Weekday {
        /// The line.
        line: usize,
        /// The date, `YYYY-MM-DD`.
        date: String,
        /// The weekday the text gives.
        stated: String,
        /// The date's weekday.
        actual: &'static str,
    },
    /// `共N天` (or `放假N天`) is not the number of days in the range.
    #[error("line {line}: the text says {stated} days, the dates give {counted}")]
    DayCount {
        /// The line.
        line: usize,
        /// The number the text gives.
        stated: u32,
        /// The days from the first date to the last.
        counted: i64,
    },
    /// A make-up working day (`上班`) that is not a Saturday or Sunday.
    #[error("line {line}: the working day {date} is a weekday already")]
    NotWeekend {
        /// The line.
        line: usize,
        /// The date.
        date: String,
    },
    /// The same date is set twice: two holidays, or a holiday and a working day.
    #[error("line {line}: {date} is set twice")]
    Overlap {
        /// The line.
        line: usize,
        /// The date.
        date: String,
    },
    /// An extension names a holiday this text does not set.
    #[error("line {line}: `{name}` is extended, but no earlier line of the text sets it")]
    UnknownHoliday {
        /// The line.
        line: usize,
        /// The holiday's name.
        name: String,
    },
    /// The year cannot be told, or the text's titles disagree with each other or with the
    /// year asked for.
    #[error("{reason}")]
    Year {
        /// Why.
        reason: String,
    },
    /// The text sets no holiday at all.
    #[error("the text sets no holiday")]
    Empty,
    /// The year does not follow on from the calendar's years: the years between would be
    /// taken as known and without holidays.
    #[error("{year} does not join the calendar's years {from} to {to}")]
    YearGap {
        /// The notice's year.
        year: i16,
        /// The calendar's first year.
        from: i16,
        /// The calendar's last year.
        to: i16,
    },
}

impl NoticeError {
    /// The line at fault, or 0 for a problem of the whole text.
    pub fn line(&self) -> usize {
        use NoticeError::*;
        match self {
            Unreadable { line, .. }
            | Weekday { line, .. }
            | DayCount { line, .. }
            | NotWeekend { line, .. }
            | Overlap { line, .. }
            | UnknownHoliday { line, .. } => *line,
            Year { .. } | Empty | YearGap { .. } => 0,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        use NoticeError::*;
        match self {
            Unreadable { .. } => "notice.unreadable",
            Weekday { .. } => "notice.weekday",
            DayCount { .. } => "notice.day_count",
            NotWeekend { .. } => "notice.not_weekend",
            Overlap { .. } => "notice.overlap",
            UnknownHoliday { .. } => "notice.unknown_holiday",
            Year { .. } => "notice.year",
            Empty => "notice.empty",
            YearGap { .. } => "notice.year_gap",
        }
    }
}

impl Coded for NoticeError {
    fn code(&self) -> &'static str {
        NoticeError::code(self)
    }
}

impl DocumentError for NoticeError {
    const DOCUMENT: &'static str = "notice";
}

/// A notice was not read: every problem found, in line order.
pub type InvalidNotice = DocumentErrors<NoticeError>;

//! What can be wrong with a calendar document or a calendar computation.

use crate::error::{Coded, DocumentError, DocumentErrors};

/// A problem in a calendar document, or in a calendar computation.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The document does not have the shape of a calendar.
    #[error("{message}")]
    Invalid {
        /// What the JSON reader found.
        message: String,
    },
    /// `format` is not 1.
    #[error("calendar format `{found}` is not supported")]
    UnsupportedFormat {
        /// The format found.
        found: u64,
    },
    /// The id is empty, too long or uses other characters than letters, digits, `_-.`.
    #[error("calendar id `{id}` is not valid")]
    InvalidId {
        /// The id.
        id: String,
    },
    /// `time_zone`, `years` or `week` is missing and there is no `extends` to inherit it from.
    #[error("`{key}` is required when the calendar does not extend another")]
    MissingKey {
        /// The key.
        key: &'static str,
    },
    /// The time zone is neither an IANA name nor a fixed offset.
    #[error("unknown time zone `{name}`")]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
    /// A date is not `YYYY-MM-DD`, or a range ends before it starts.
    #[error("invalid date `{value}`: {reason}")]
    InvalidDate {
        /// The text.
        value: String,
        /// Why.
        reason: String,
    },
    /// A time of day is not `HH:MM`, or an interval is empty, reversed or overlaps another.
    #[error("invalid working interval `{value}`: {reason}")]
    InvalidInterval {
        /// The interval.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// `years` is reversed or too long.
    #[error("invalid year range {from} to {to}")]
    InvalidYears {
        /// First year.
        from: i16,
        /// Last year.
        to: i16,
    },
    /// A holiday or working day lies outside `years`.
    #[error("`{date}` is outside the calendar's years")]
    DateOutsideYears {
        /// The date.
        date: String,
    },
    /// The same date is declared twice, or both a holiday and a working day, in one calendar.
    #[error("`{date}` is declared twice in this calendar")]
    ConflictingDay {
        /// The date.
        date: String,
    },
    /// The week has no working time at all, so no working duration could ever end.
    #[error("the week has no working time")]
    NoWorkingTime,
    /// `extends` names a calendar that is not loaded.
    #[error("calendar `{id}` is not loaded")]
    NotFound {
        /// The id.
        id: String,
    },
    /// Following `extends` leads back to this calendar.
    #[error("calendar `{id}` extends itself through `{through}`")]
    CyclicExtends {
        /// This calendar.
        id: String,
        /// The calendar that closes the cycle.
        through: String,
    },
    /// An instant outside the years -9999 to 9999.
    #[error("instant `{at}` is outside the years -9999 to 9999")]
    OutOfRange {
        /// The instant.
        at: i64,
    },
}

impl CalendarError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        use CalendarError::*;
        match self {
            Invalid { .. } => "calendar.invalid",
            UnsupportedFormat { .. } => "calendar.unsupported_format",
            InvalidId { .. } => "calendar.invalid_id",
            MissingKey { .. } => "calendar.missing_key",
            UnknownTimeZone { .. } => "calendar.unknown_time_zone",
            InvalidDate { .. } => "calendar.invalid_date",
            InvalidInterval { .. } => "calendar.invalid_interval",
            InvalidYears { .. } => "calendar.invalid_years",
            DateOutsideYears { .. } => "calendar.date_outside_years",
            ConflictingDay { .. } => "calendar.conflicting_day",
            NoWorkingTime => "calendar.no_working_time",
            NotFound { .. } => "calendar.not_found",
            CyclicExtends { .. } => "calendar.cyclic_extends",
            OutOfRange { .. } => "calendar.out_of_range",
        }
    }
}

/// A calendar was rejected: every problem, each with its path in the document.
pub type InvalidCalendar = DocumentErrors<CalendarError>;

impl Coded for CalendarError {
    fn code(&self) -> &'static str {
        CalendarError::code(self)
    }
}

impl DocumentError for CalendarError {
    const DOCUMENT: &'static str = "calendar";
}

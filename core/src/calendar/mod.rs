//! Business calendars: a time zone, weekly working intervals, holidays and extra working days
//! (调休), over a range of years, optionally layered over a base calendar.
//!
//! A calendar is data (JSON, `"format": 1`), checked and compiled once; its arithmetic lives in
//! [`crate::calendar::working_time`]. See `docs/sla.md` for the counting rules.

pub(crate) mod error;
pub(crate) mod notice;
pub(crate) mod working_time;
pub(crate) mod zone;

pub use error::{CalendarError, InvalidCalendar};

use crate::error::Located;
use crate::support::ids::bad_document_id;
use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::calendar::working_time::Prefix;

/// The calendar format this library reads.
pub const CALENDAR_FORMAT: u64 = 1;
/// Most years one calendar may cover.
pub const MAX_CALENDAR_YEARS: i64 = 200;
pub(crate) const DAY_MS: i64 = 86_400_000;

/// A calendar document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    /// Version of the calendar format; must be 1.
    pub format: u64,
    /// Calendar id, as SLA rules name it.
    pub id: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// A loaded calendar this one adds to: its holidays and working days are kept, this one's
    /// are added on top (and win on the same date); time zone, years and week are inherited
    /// unless given here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// IANA name (`Asia/Shanghai`) or fixed offset (`+08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The years whose holidays the calendar knows; results outside are provisional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<YearRange>,
    /// Working intervals per weekday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<Week>,
    /// Days off: single dates or ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<HolidayDef>,
    /// Extra working days, such as weekend days swapped for a holiday (调休).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub working_days: Vec<WorkingDayDef>,
    /// Where the dates come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceDef>,
}

/// First and last year covered, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    /// First year.
    pub from: i16,
    /// Last year.
    pub to: i16,
}

/// Working intervals (`["09:00", "12:00"]`, local time, end exclusive; `"24:00"` ends a day)
/// for each weekday; a weekday left out has none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Week {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<[String; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<[String; 2]>,
}

impl Week {
    fn days(&self) -> [(&'static str, &[[String; 2]]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// A holiday: `date`, or `from` and `to` (inclusive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct HolidayDef {
    /// Name, such as `春节`.
    pub name: String,
    /// A single date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// First date of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last date of a range, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// An extra working day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct WorkingDayDef {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Why, such as `春节调休`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its working intervals; Monday's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<Vec<[String; 2]>>,
}

/// A citation for the dates of one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// The year it covers.
    pub year: i16,
    /// The notice, by title and number.
    pub notice: String,
    /// Where it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Working intervals of one day, in milliseconds since local midnight.
pub(crate) type Intervals = Box<[(i64, i64)]>;

/// A compiled calendar.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub(crate) def: CalendarDef,
    pub(crate) tz: TimeZone,
    /// The span around the covered years in which `tz` keeps one offset.
    pub(crate) steady: zone::Steady,
    /// First and last covered day (days since 1970-01-01, local civil dates).
    pub(crate) first_day: i64,
    pub(crate) last_day: i64,
    pub(crate) week: [Intervals; 7],
    /// Holidays (no intervals) and extra working days, by day.
    pub(crate) special: BTreeMap<i64, Intervals>,
    /// Working milliseconds before each day.
    pub(crate) ms: Prefix,
    /// Working days before each day.
    pub(crate) days: Prefix,
}

impl Calendar {
    /// Checks a calendar document and compiles it; `base` is the calendar `extends` names.
    ///
    /// # Errors
    /// [`InvalidCalendar`] with every problem found.
    pub fn compile(def: CalendarDef, base: Option<&Calendar>) -> Result<Calendar, InvalidCalendar> {
        let mut errors = Vec::new();
        let calendar = compile_inner(&def, base, &mut errors);
        match calendar {
            Some(parts) if errors.is_empty() => Ok(parts.finish(def)),
            _ => Err(InvalidCalendar::new(errors)),
        }
    }

    /// The calendar id.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The document it was compiled from.
    pub fn definition(&self) -> &CalendarDef {
        &self.def
    }

    /// The years covered.
    pub fn years(&self) -> (i16, i16) {
        let year = |day: i64| civil(day).map_or(0, |d| d.year());
        (year(self.first_day), year(self.last_day))
    }

    /// The working intervals of a local day.
    pub(crate) fn intervals(&self, day: i64) -> &[(i64, i64)] {
        match self.special.get(&day) {
            Some(iv) => iv,
            None => self.week.get(weekday(day)).map_or(&[], |iv| iv),
        }
    }

    pub(crate) fn covers(&self, day: i64) -> bool {
        (self.first_day..=self.last_day).contains(&day)
    }
}

/// Monday = 0. Day 0 (1970-01-01) was a Thursday.
pub(crate) fn weekday(day: i64) -> usize {
    usize::try_from((day + 3).rem_euclid(7)).unwrap_or(0)
}

/// Days since 1970-01-01 of a civil date.
pub(crate) fn day_number(date: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    date.since((jiff::Unit::Day, epoch))
        .map_or(0, |span| i64::from(span.get_days()))
}

/// The civil date of a day number.
pub(crate) fn civil(day: i64) -> Option<Date> {
    let days = i32::try_from(day).ok()?;
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

struct Parts {
    tz: TimeZone,
    first_day: i64,
    last_day: i64,
    week: [Intervals; 7],
    special: BTreeMap<i64, Intervals>,
}

impl Parts {
    fn finish(self, def: CalendarDef) -> Calendar {
        let mut cal = Calendar {
            def,
            steady: zone::Steady::around(&self.tz, self.first_day),
            tz: self.tz,
            first_day: self.first_day,
            last_day: self.last_day,
            week: self.week,
            special: self.special,
            ms: Prefix::default(),
            days: Prefix::default(),
        };
        let (ms, days) = Prefix::build(&cal);
        cal.ms = ms;
        cal.days = days;
        cal
    }
}

/// `YYYY-MM-DD`, read here rather than by jiff's ISO 8601 parser, whose code and messages weighed
/// 24 KB of the WASM (before compression). jiff still decides which days exist.
pub(crate) fn parse_date(s: &str) -> Result<Date, CalendarError> {
    let bad = |reason: String| CalendarError::InvalidDate {
        value: s.to_owned(),
        reason,
    };
    let dashes = s.len() == 10 && s.get(4..5) == Some("-") && s.get(7..8) == Some("-");
    let part = |range| {
        if dashes {
            s.get(range).and_then(number::<i16>)
        } else {
            None
        }
    };
    // Two digits always fit an `i8`.
    let small = |v: Option<i16>| v.and_then(|v| i8::try_from(v).ok());
    let (Some(y), Some(m), Some(d)) = (part(0..4), small(part(5..7)), small(part(8..10))) else {
        return Err(bad("dates are `YYYY-MM-DD`".to_owned()));
    };
    if !(1..=12).contains(&m) {
        return Err(bad(format!("there is no month {m}")));
    }
    // Four digits and a month in 1..=12 always make a valid first day of the month.
    let first = Date::new(y, m, 1).map_err(|_| bad("dates are `YYYY-MM-DD`".to_owned()))?;
    let last = first.days_in_month();
    if !(1..=last).contains(&d) {
        return Err(bad(format!("`{y:04}-{m:02}` has days 1 to {last}")));
    }
    Ok(first.with().day(d).build().unwrap_or(first))
}

/// Digits only (no sign, no spaces), as a small number.
fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_intervals(list: &[[String; 2]]) -> Result<Intervals, CalendarError> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(list.len());
    for [a, b] in list {
        let bad = |reason| CalendarError::InvalidInterval {
            value: format!("{a}–{b}"),
            reason,
        };
        let start =
            time_of_day(a).ok_or_else(|| bad("times are `HH:MM`, from `00:00` to `24:00`"))?;
        let end =
            time_of_day(b).ok_or_else(|| bad("times are `HH:MM`, from `00:00` to `24:00`"))?;
        if start >= end {
            return Err(bad("an interval ends after it starts"));
        }
        if out.last().is_some_and(|&(_, prev_end)| start < prev_end) {
            return Err(bad("intervals are in order and do not overlap"));
        }
        out.push((start, end));
    }
    Ok(out.into_boxed_slice())
}

/// Milliseconds since midnight of `HH:MM` (or `24:00`).
fn time_of_day(s: &str) -> Option<i64> {
    if s == "24:00" {
        return Some(DAY_MS);
    }
    let (h, m) = hours_minutes(s)?;
    (h < 24).then_some((i64::from(h) * 60 + i64::from(m)) * 60_000)
}

/// Exactly `HH:MM`, minutes below 60: times of day and fixed offsets.
fn hours_minutes(s: &str) -> Option<(i32, i32)> {
    if s.len() != 5 || s.get(2..3) != Some(":") {
        return None;
    }
    let h = s.get(0..2).and_then(number)?;
    let m = s.get(3..5).and_then(number)?;
    (m < 60).then_some((h, m))
}

/// A time zone by IANA name or as a fixed offset (`+08:00`, `-05:30`, `+08`). Without the `tzdb`
/// feature (the npm package, where the whole database would be 40% of the download) the IANA
/// names known are those of China, compiled in one by one.
fn time_zone(name: &str) -> Option<TimeZone> {
    if let Some(tz) = fixed_offset(name) {
        return Some(tz);
    }
    #[cfg(feature = "tzdb")]
    {
        TimeZone::get(name).ok()
    }
    #[cfg(not(feature = "tzdb"))]
    {
        static SHANGHAI: TimeZone = jiff::tz::get!("Asia/Shanghai");
        static URUMQI: TimeZone = jiff::tz::get!("Asia/Urumqi");
        static HONG_KONG: TimeZone = jiff::tz::get!("Asia/Hong_Kong");
        static MACAU: TimeZone = jiff::tz::get!("Asia/Macau");
        static TAIPEI: TimeZone = jiff::tz::get!("Asia/Taipei");
        let known = match name {
            "Asia/Shanghai" | "PRC" => &SHANGHAI,
            "Asia/Urumqi" => &URUMQI,
            "Asia/Hong_Kong" => &HONG_KONG,
            "Asia/Macau" => &MACAU,
            "Asia/Taipei" => &TAIPEI,
            "UTC" | "Etc/UTC" => return Some(TimeZone::UTC),
            _ => return None,
        };
        Some(known.clone())
    }
}

/// `±HH:MM` or `±HH`, within jiff's offset range.
fn fixed_offset(name: &str) -> Option<TimeZone> {
    let sign = match name.get(0..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let (h, m) = match name.len() {
        3 => (name.get(1..3).and_then(number)?, 0),
        _ => hours_minutes(name.get(1..)?)?,
    };
    let offset = jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?;
    Some(TimeZone::fixed(offset))
}

/// Problems and their JSON Pointers, in document order.
type Errors = Vec<Located<CalendarError>>;

fn compile_inner(def: &CalendarDef, base: Option<&Calendar>, errors: &mut Errors) -> Option<Parts> {
    if def.format != CALENDAR_FORMAT {
        let found = def.format;
        errors.push(Located::new(
            CalendarError::UnsupportedFormat { found },
            "/format",
        ));
        return None;
    }
    if bad_document_id(&def.id).is_some() {
        let id = def.id.clone();
        errors.push(Located::new(CalendarError::InvalidId { id }, "/id"));
    }
    let tz = zone_of(def, base, errors);
    let years = years_of(def, base, errors);
    let week = week_of(def, base, errors);
    // The base's dates within this calendar's years; outside them this calendar knows nothing,
    // like any calendar beyond its years.
    let mut special: BTreeMap<i64, Intervals> = match (base, years) {
        (Some(b), Some((first, last))) => b
            .special
            .range(first..=last)
            .map(|(d, iv)| (*d, iv.clone()))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut days = OwnDays {
        years,
        own: BTreeMap::new(),
        special: &mut special,
    };
    days.holidays(def, errors);
    days.working_days(def, week.as_ref(), errors);
    let (tz, (first_day, last_day), week) = (tz?, years?, week?);
    Some(Parts {
        tz,
        first_day,
        last_day,
        week,
        special,
    })
}

/// The time zone: the calendar's own, or its base's.
fn zone_of(def: &CalendarDef, base: Option<&Calendar>, errors: &mut Errors) -> Option<TimeZone> {
    match (&def.time_zone, base) {
        (Some(name), _) => {
            let tz = time_zone(name);
            if tz.is_none() {
                let name = name.clone();
                errors.push(Located::new(
                    CalendarError::UnknownTimeZone { name },
                    "/time_zone",
                ));
            }
            tz
        }
        (None, Some(b)) => Some(b.tz.clone()),
        (None, None) => {
            let key = "time_zone";
            errors.push(Located::new(
                CalendarError::MissingKey { key },
                String::new(),
            ));
            None
        }
    }
}

/// The first and last day of the years covered: the calendar's own, or its base's.
fn years_of(def: &CalendarDef, base: Option<&Calendar>, errors: &mut Errors) -> Option<(i64, i64)> {
    match (def.years, base) {
        (Some(y), _) => {
            if y.from > y.to
                || i64::from(y.to) - i64::from(y.from) >= MAX_CALENDAR_YEARS
                || y.from < -9998
                || y.to > 9998
            {
                let (from, to) = (y.from, y.to);
                errors.push(Located::new(
                    CalendarError::InvalidYears { from, to },
                    "/years",
                ));
                None
            } else {
                let first = Date::new(y.from, 1, 1).ok().map(day_number);
                let last = Date::new(y.to, 12, 31).ok().map(day_number);
                first.zip(last)
            }
        }
        (None, Some(b)) => Some((b.first_day, b.last_day)),
        (None, None) => {
            errors.push(Located::new(
                CalendarError::MissingKey { key: "years" },
                String::new(),
            ));
            None
        }
    }
}

/// The working intervals of each weekday: the calendar's own, or its base's.
fn week_of(
    def: &CalendarDef,
    base: Option<&Calendar>,
    errors: &mut Errors,
) -> Option<[Intervals; 7]> {
    match (&def.week, base) {
        (Some(w), _) => {
            let mut out: [Intervals; 7] = Default::default();
            let mut ok = true;
            for (slot, (name, list)) in out.iter_mut().zip(w.days()) {
                match parse_intervals(list) {
                    Ok(iv) => *slot = iv,
                    Err(e) => {
                        errors.push(Located::new(e, format!("/week/{name}")));
                        ok = false;
                    }
                }
            }
            if ok && out.iter().all(|d| d.is_empty()) {
                errors.push(Located::new(CalendarError::NoWorkingTime, "/week"));
                ok = false;
            }
            ok.then_some(out)
        }
        (None, Some(b)) => Some(b.week.clone()),
        (None, None) => {
            errors.push(Located::new(
                CalendarError::MissingKey { key: "week" },
                String::new(),
            ));
            None
        }
    }
}

/// The days a calendar sets itself (holidays and 调休 working days) over those it inherits:
/// each day at most once, within the years.
struct OwnDays<'a> {
    years: Option<(i64, i64)>,
    own: BTreeMap<i64, ()>,
    special: &'a mut BTreeMap<i64, Intervals>,
}

impl OwnDays<'_> {
    fn in_years(&self, day: i64) -> bool {
        self.years.is_some_and(|(f, l)| (f..=l).contains(&day))
    }

    /// Holidays: a date or a range of at most a year, each day without working time.
    fn holidays(&mut self, def: &CalendarDef, errors: &mut Errors) {
        for (i, h) in def.holidays.iter().enumerate() {
            let path = format!("/holidays/{i}");
            let (from, to) = match (&h.date, &h.from, &h.to) {
                (Some(d), None, None) => (d, d),
                (None, Some(f), Some(t)) => (f, t),
                _ => {
                    let reason = "give `date`, or `from` and `to`".to_owned();
                    let value = h.name.clone();
                    errors.push(Located::new(
                        CalendarError::InvalidDate { value, reason },
                        path,
                    ));
                    continue;
                }
            };
            let (f, t) = match (parse_date(from), parse_date(to)) {
                (Ok(f), Ok(t)) => (day_number(f), day_number(t)),
                (Err(e), _) | (_, Err(e)) => {
                    errors.push(Located::new(e, path));
                    continue;
                }
            };
            if f > t || t - f > 366 {
                let reason = "a range runs forward and spans at most a year".to_owned();
                let value = format!("{from}..{to}");
                errors.push(Located::new(
                    CalendarError::InvalidDate { value, reason },
                    path,
                ));
                continue;
            }
            for day in f..=t {
                if !self.in_years(day) {
                    let date = show(day);
                    errors.push(Located::new(
                        CalendarError::DateOutsideYears { date },
                        path.clone(),
                    ));
                    break;
                }
                if self.own.insert(day, ()).is_some() {
                    let date = show(day);
                    errors.push(Located::new(
                        CalendarError::ConflictingDay { date },
                        path.clone(),
                    ));
                }
                self.special.insert(day, Box::new([]));
            }
        }
    }

    /// Working days (调休): a date with its intervals, or Monday's.
    fn working_days(
        &mut self,
        def: &CalendarDef,
        week: Option<&[Intervals; 7]>,
        errors: &mut Errors,
    ) {
        for (i, w) in def.working_days.iter().enumerate() {
            let path = format!("/working_days/{i}/date");
            let day = match parse_date(&w.date) {
                Ok(d) => day_number(d),
                Err(e) => {
                    errors.push(Located::new(e, path));
                    continue;
                }
            };
            if !self.in_years(day) {
                let date = w.date.clone();
                errors.push(Located::new(CalendarError::DateOutsideYears { date }, path));
                continue;
            }
            if self.own.insert(day, ()).is_some() {
                let date = w.date.clone();
                errors.push(Located::new(CalendarError::ConflictingDay { date }, path));
                continue;
            }
            let path = format!("/working_days/{i}/intervals");
            match working_day_intervals(&w.date, w.intervals.as_deref(), week) {
                Ok(intervals) => {
                    self.special.insert(day, intervals);
                }
                Err(e) => errors.push(Located::new(e, path)),
            }
        }
    }
}

/// A working day's intervals: as given, or Monday's; never none.
fn working_day_intervals(
    date: &str,
    given: Option<&[[String; 2]]>,
    week: Option<&[Intervals; 7]>,
) -> Result<Intervals, CalendarError> {
    match given {
        Some(list) => match parse_intervals(list)? {
            iv if !iv.is_empty() => Ok(iv),
            _ => Err(CalendarError::InvalidInterval {
                value: "[]".into(),
                reason: "a working day has working time",
            }),
        },
        None => match week.map(|w| w[0].clone()) {
            Some(mon) if !mon.is_empty() => Ok(mon),
            _ => Err(CalendarError::InvalidInterval {
                value: date.to_owned(),
                reason: "Monday has no working time to copy: give `intervals`",
            }),
        },
    }
}

/// A day number as `YYYY-MM-DD`.
pub(crate) fn show(day: i64) -> String {
    civil(day).map_or_else(|| day.to_string(), |d| d.to_string())
}

//! Arithmetic on a business calendar, on UTC millisecond instants.
//!
//! Working time is counted on the local wall clock of the calendar's time zone. Two prefix
//! sums over the covered days (working milliseconds and working days before each day) make
//! every operation a binary search plus a walk through one day's intervals, whatever the span;
//! outside the covered years the weekly pattern is extrapolated and results are provisional.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::{weekday, Calendar, CalendarError, DAY_MS};

/// A monotone count per day (working ms, or 1 per working day) with its prefix sum over the
/// covered days and the weekly pattern beyond them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Prefix {
    first_day: i64,
    /// `cum[i]`: total of days `first_day .. first_day + i`.
    cum: Vec<i64>,
    /// Per weekday (Monday = 0) outside the covered days.
    week: [i64; 7],
    week_total: i64,
}

impl Prefix {
    /// The working-ms and working-day prefixes of a calendar.
    pub(crate) fn build(cal: &Calendar) -> (Prefix, Prefix) {
        let n = usize::try_from(cal.last_day - cal.first_day + 1).unwrap_or(0);
        let mut ms = Prefix {
            first_day: cal.first_day,
            cum: Vec::with_capacity(n + 1),
            ..Prefix::default()
        };
        let mut days = ms.clone();
        let (mut total_ms, mut total_days) = (0, 0);
        ms.cum.push(0);
        days.cum.push(0);
        for day in cal.first_day..=cal.last_day {
            let v = day_ms(cal.intervals(day));
            total_ms += v;
            total_days += i64::from(v > 0);
            ms.cum.push(total_ms);
            days.cum.push(total_days);
        }
        for (i, iv) in cal.week.iter().enumerate() {
            if let (Some(m), Some(d)) = (ms.week.get_mut(i), days.week.get_mut(i)) {
                *m = day_ms(iv);
                *d = i64::from(*m > 0);
            }
        }
        ms.week_total = ms.week.iter().sum();
        days.week_total = days.week.iter().sum();
        (ms, days)
    }

    fn last_day(&self) -> i64 {
        self.first_day + self.cum.len() as i64 - 1
    }

    fn table_total(&self) -> i64 {
        self.cum.last().copied().unwrap_or(0)
    }

    fn weekly(&self, day: i64) -> i64 {
        self.week.get(weekday(day)).copied().unwrap_or(0)
    }

    /// The weekly-pattern total of days `a .. b`, `a <= b`.
    fn pattern(&self, a: i64, b: i64) -> i64 {
        let weeks = (b - a) / 7;
        let mut total = weeks * self.week_total;
        for day in a + weeks * 7..b {
            total += self.weekly(day);
        }
        total
    }

    /// The total of days from the first covered day up to `day` (negative before it).
    pub(crate) fn before(&self, day: i64) -> i64 {
        let last = self.last_day();
        if day < self.first_day {
            -self.pattern(day, self.first_day)
        } else if day <= last {
            let i = usize::try_from(day - self.first_day).unwrap_or(0);
            self.cum.get(i).copied().unwrap_or(0)
        } else {
            self.table_total() + self.pattern(last, day)
        }
    }

    /// The first day whose end brings the total to at least `target`.
    pub(crate) fn find(&self, target: i64) -> i64 {
        if target > 0 && target <= self.table_total() {
            let rest = self.cum.get(1..).unwrap_or(&[]);
            return self.first_day + rest.partition_point(|&v| v < target) as i64;
        }
        // Outside the table: step back (or forward) whole weeks of the pattern, then walk.
        let (base, base_value) = if target > 0 {
            (self.last_day(), self.table_total())
        } else {
            let weeks = -target / self.week_total + 1;
            (self.first_day - 7 * weeks, -weeks * self.week_total)
        };
        let t = target - base_value;
        let weeks = (t - 1) / self.week_total;
        let mut day = base + 7 * weeks;
        let mut rest = t - weeks * self.week_total;
        loop {
            let v = self.weekly(day);
            if rest <= v {
                return day;
            }
            rest -= v;
            day += 1;
        }
    }
}

fn day_ms(intervals: &[(i64, i64)]) -> i64 {
    intervals.iter().map(|(s, e)| e - s).sum()
}

/// How a duration is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duration {
    /// Exact elapsed time, in milliseconds.
    Calendar(i64),
    /// 日: the start day is not counted; ends at 24:00 local of the Nth day. With
    /// `roll_forward`, a last day that is not a working day moves to the next working day.
    NaturalDays {
        /// N.
        days: i64,
        /// 民法典 art. 203.
        roll_forward: bool,
    },
    /// 工作日: the start day is not counted; ends at the close of the Nth working day.
    WorkingDays(i64),
    /// Working time inside working intervals, in milliseconds.
    WorkingTime(i64),
}

/// A duration as written in JSON: one unit (hours and minutes may be combined, as may
/// working hours and working minutes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct DurationDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub natural_days: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub roll_forward: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_minutes: Option<u32>,
}

impl DurationDef {
    /// The duration it describes, or why it describes none.
    ///
    /// # Errors
    /// A reason when no unit, or units of different bases, are given, or `roll_forward` is set
    /// on something other than `natural_days`.
    pub fn duration(&self) -> Result<Duration, &'static str> {
        let ms = |h: Option<u32>, m: Option<u32>| {
            i64::from(h.unwrap_or(0)) * 3_600_000 + i64::from(m.unwrap_or(0)) * 60_000
        };
        let calendar = self.hours.is_some() || self.minutes.is_some();
        let working = self.working_hours.is_some() || self.working_minutes.is_some();
        let kinds = [
            calendar,
            self.natural_days.is_some(),
            self.working_days.is_some(),
            working,
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err("give one unit: hours/minutes, natural_days, working_days, or working_hours/working_minutes");
        }
        if self.roll_forward && self.natural_days.is_none() {
            return Err("`roll_forward` applies to `natural_days` only");
        }
        Ok(match (self.natural_days, self.working_days) {
            (Some(days), _) => Duration::NaturalDays {
                days: i64::from(days),
                roll_forward: self.roll_forward,
            },
            (_, Some(days)) => Duration::WorkingDays(i64::from(days)),
            _ if calendar => Duration::Calendar(ms(self.hours, self.minutes)),
            _ => Duration::WorkingTime(ms(self.working_hours, self.working_minutes)),
        })
    }
}

impl Duration {
    /// The JSON form, in the largest whole unit (hours rather than minutes where exact).
    pub fn to_def(self) -> DurationDef {
        let split = |ms: i64| {
            let minutes = u32::try_from(ms / 60_000).unwrap_or(u32::MAX);
            if minutes % 60 == 0 {
                (Some(minutes / 60), None)
            } else {
                (None, Some(minutes))
            }
        };
        let mut def = DurationDef::default();
        match self {
            Duration::Calendar(ms) => (def.hours, def.minutes) = split(ms),
            Duration::WorkingTime(ms) => (def.working_hours, def.working_minutes) = split(ms),
            Duration::NaturalDays { days, roll_forward } => {
                def.natural_days = u32::try_from(days).ok();
                def.roll_forward = roll_forward;
            }
            Duration::WorkingDays(days) => def.working_days = u32::try_from(days).ok(),
        }
        def
    }

    /// Whether time is measured in working time (else in elapsed time).
    pub fn is_working(self) -> bool {
        matches!(self, Duration::WorkingDays(_) | Duration::WorkingTime(_))
    }

    /// The name of the counting basis.
    pub fn basis(self) -> &'static str {
        match self {
            Duration::Calendar(_) => "calendar",
            Duration::NaturalDays { .. } => "natural_days",
            Duration::WorkingDays(_) => "working_days",
            Duration::WorkingTime(_) => "working_time",
        }
    }
}

/// An instant computed on a calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Computed {
    /// The instant, UTC milliseconds.
    pub at: i64,
    /// True when the computation used days outside the calendar's years: holidays there are
    /// not known yet, so the result may change when the calendar is extended.
    pub provisional: bool,
}

/// Working and elapsed time between two instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct Between {
    /// Elapsed milliseconds, `to - from`.
    pub calendar_ms: i64,
    /// Working milliseconds from `from` to `to` (negative when `to` is earlier).
    pub working_ms: i64,
    /// Working days after `from`'s day, up to and including `to`'s day (start day not counted).
    pub working_days: i64,
    /// Whether a day outside the calendar's years was involved.
    pub provisional: bool,
}

impl Calendar {
    fn local(&self, at: i64) -> Result<(i64, i64), CalendarError> {
        let local = match self.steady.local(at) {
            Some(local) => local,
            None => {
                let ts = Timestamp::from_millisecond(at)
                    .map_err(|_| CalendarError::OutOfRange { at })?;
                at + i64::from(self.tz.to_offset(ts).seconds()) * 1000
            }
        };
        Ok((local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS)))
    }

    fn instant(&self, day: i64, ms_of_day: i64) -> Result<i64, CalendarError> {
        let wall = day * DAY_MS + ms_of_day;
        if let Some(at) = self.steady.instant(wall) {
            return Ok(at);
        }
        let out = || CalendarError::OutOfRange { at: wall };
        let civil = Timestamp::from_millisecond(wall)
            .map_err(|_| out())?
            .to_zoned_datetime(TimeZone::UTC)
            .datetime();
        let ts = self
            .tz
            .to_ambiguous_timestamp(civil)
            .compatible()
            .map_err(|_| out())?;
        Ok(ts.as_millisecond())
    }

    /// Working milliseconds from the start of the first covered day to `at`.
    fn offset(&self, at: i64) -> Result<(i64, i64), CalendarError> {
        let (day, ms) = self.local(at)?;
        let within: i64 = self
            .intervals(day)
            .iter()
            .map(|&(s, e)| ms.clamp(s, e) - s)
            .sum();
        Ok((self.ms.before(day) + within, day))
    }

    /// The earliest instant at which the working offset reaches `target`.
    fn at_offset(&self, target: i64) -> Result<(i64, i64), CalendarError> {
        let day = self.ms.find(target);
        let mut rest = target - self.ms.before(day);
        let intervals = self.intervals(day);
        let mut ms_of_day = intervals.first().map_or(0, |iv| iv.0);
        for &(s, e) in intervals {
            if rest <= e - s {
                ms_of_day = s + rest;
                break;
            }
            rest -= e - s;
        }
        Ok((self.instant(day, ms_of_day)?, day))
    }

    /// Whether `at` is inside a working interval.
    ///
    /// # Errors
    /// `calendar.out_of_range`.
    pub fn is_working(&self, at: i64) -> Result<bool, CalendarError> {
        let (day, ms) = self.local(at)?;
        Ok(self.intervals(day).iter().any(|&(s, e)| s <= ms && ms < e))
    }

    /// `at` itself if it is working time, else the start of the next working interval.
    ///
    /// # Errors
    /// `calendar.out_of_range`.
    pub fn next_working(&self, at: i64) -> Result<Computed, CalendarError> {
        if self.is_working(at)? {
            let (day, _) = self.local(at)?;
            return Ok(Computed {
                at,
                provisional: !self.covers(day),
            });
        }
        let (offset, from) = self.offset(at)?;
        let (t, day) = self.at_offset(offset + 1)?;
        Ok(Computed {
            at: t - 1,
            provisional: !self.covers(from) || !self.covers(day),
        })
    }

    /// Working and elapsed time from `from` to `to`.
    ///
    /// # Errors
    /// `calendar.out_of_range`.
    pub fn between(&self, from: i64, to: i64) -> Result<Between, CalendarError> {
        let (a, day_a) = self.offset(from)?;
        let (b, day_b) = self.offset(to)?;
        Ok(Between {
            calendar_ms: to - from,
            working_ms: b - a,
            working_days: self.days.before(day_b + 1) - self.days.before(day_a + 1),
            provisional: !self.covers(day_a) || !self.covers(day_b),
        })
    }

    /// The earliest instant `working_ms` of working time after (or, when negative, before) `at`.
    pub(crate) fn add_working(&self, at: i64, working_ms: i64) -> Result<Computed, CalendarError> {
        if working_ms == 0 {
            return Ok(Computed {
                at,
                provisional: !self.covers(self.local(at)?.0),
            });
        }
        let (offset, from) = self.offset(at)?;
        let (t, day) = self.at_offset(offset + working_ms)?;
        Ok(Computed {
            at: t,
            provisional: !self.covers(from) || !self.covers(day),
        })
    }

    /// The deadline `duration` after `at`, counted as the duration's basis says.
    ///
    /// # Errors
    /// `calendar.out_of_range` when an instant falls outside the years -9999 to 9999.
    pub fn add(&self, at: i64, duration: Duration) -> Result<Computed, CalendarError> {
        let (start, _) = self.local(at)?;
        let done = |t: i64, last: i64| Computed {
            at: t,
            provisional: !self.covers(start) || !self.covers(last),
        };
        match duration {
            Duration::Calendar(ms) => {
                let t = at.checked_add(ms).ok_or(CalendarError::OutOfRange { at })?;
                self.local(t)?;
                Ok(done(t, start))
            }
            Duration::WorkingTime(ms) => self.add_working(at, ms),
            Duration::NaturalDays { days, roll_forward } => {
                let mut end = self.instant(start + days + 1, 0)?;
                if roll_forward {
                    end = self.roll_forward(end)?;
                }
                Ok(done(end, self.local(end - 1)?.0))
            }
            Duration::WorkingDays(0) => Ok(done(at, start)),
            Duration::WorkingDays(n) => {
                let last = self.days.find(self.days.before(start + 1) + n);
                let close = self.intervals(last).last().map_or(DAY_MS, |iv| iv.1);
                Ok(done(self.instant(last, close)?, last))
            }
        }
    }

    /// The instant `duration` before `at`: for working days, the close of business of the Nth
    /// working day before `at`'s day; for natural days, the same local time N days earlier.
    ///
    /// # Errors
    /// `calendar.out_of_range`.
    pub fn sub(&self, at: i64, duration: Duration) -> Result<i64, CalendarError> {
        let (day, ms_of_day) = self.local(at)?;
        match duration {
            Duration::Calendar(ms) => Ok(at - ms),
            Duration::WorkingTime(ms) => Ok(self.add_working(at, -ms)?.at),
            Duration::NaturalDays { days, .. } => self.instant(day - days, ms_of_day),
            Duration::WorkingDays(0) => Ok(at),
            Duration::WorkingDays(n) => {
                let last = self.days.find(self.days.before(day) - n + 1);
                let close = self.intervals(last).last().map_or(DAY_MS, |iv| iv.1);
                self.instant(last, close)
            }
        }
    }

    /// `at` moved by `ms` on the local wall clock (not in elapsed time): across a DST change the
    /// local time of day is kept.
    pub(crate) fn shift_wall(&self, at: i64, ms: i64) -> Result<i64, CalendarError> {
        if ms == 0 {
            return Ok(at);
        }
        let (day, ms_of_day) = self.local(at)?;
        let wall = day * DAY_MS + ms_of_day + ms;
        self.instant(wall.div_euclid(DAY_MS), wall.rem_euclid(DAY_MS))
    }

    /// Local wall-clock milliseconds from `a` to `b`.
    pub(crate) fn wall_between(&self, a: i64, b: i64) -> Result<i64, CalendarError> {
        let (da, ma) = self.local(a)?;
        let (db, mb) = self.local(b)?;
        Ok((db - da) * DAY_MS + mb - ma)
    }

    /// Whether the local day of `at` is inside the covered years.
    pub(crate) fn covers_instant(&self, at: i64) -> Result<bool, CalendarError> {
        Ok(self.covers(self.local(at)?.0))
    }

    /// A period ending at `at` (local midnight) whose last day is not a working day ends
    /// instead at the end of the next working day (民法典 art. 203).
    pub(crate) fn roll_forward(&self, at: i64) -> Result<i64, CalendarError> {
        let (last, _) = self.local(at - 1)?;
        if !self.intervals(last).is_empty() {
            return Ok(at);
        }
        let next = self.days.find(self.days.before(last + 1) + 1);
        self.instant(next + 1, 0)
    }

    /// Renders an instant in the calendar's time zone, RFC 3339 with offset.
    ///
    /// # Errors
    /// `calendar.out_of_range`.
    pub fn local_string(&self, at: i64) -> Result<String, CalendarError> {
        let ts = Timestamp::from_millisecond(at).map_err(|_| CalendarError::OutOfRange { at })?;
        // Formatted by hand: jiff's strftime engine would add 13 KB to the WASM download for
        // one fixed pattern (`%Y-%m-%dT%H:%M:%S%:z`).
        let zoned = ts.to_zoned_datetime(self.tz.clone());
        let t = zoned.datetime();
        let offset = zoned.offset().seconds();
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.abs();
        let (oh, om, os) = (abs / 3600, abs / 60 % 60, abs % 60);
        // Local mean time before 1901 has offsets in seconds, which `%:z` writes out too.
        let os = if os == 0 {
            String::new()
        } else {
            format!(":{os:02}")
        };
        Ok(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{oh:02}:{om:02}{os}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ))
    }
}

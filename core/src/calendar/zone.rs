//! The calendar's time zone around its covered years, where instants and local times are
//! converted for every deadline.
//!
//! Most zones a calendar uses change their offset rarely (China's last change was in 1991), so
//! around the covered years the conversion is an addition. [`Steady`] records the span in
//! which the offset holds; outside it, jiff searches the zone's transitions as before. The
//! answers are the same either way: the span is where the zone itself says nothing changes.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::calendar::DAY_MS;

/// A span of instants `[from, until)` in which the zone's offset is `offset_ms`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Steady {
    from: i64,
    until: i64,
    offset_ms: i64,
}

impl Steady {
    /// The span without a transition that holds the start of the calendar's first covered
    /// day (`first_day`, days since 1970-01-01 on the local calendar), from a day before it.
    pub(crate) fn around(tz: &TimeZone, first_day: i64) -> Steady {
        let from = first_day.saturating_sub(1).saturating_mul(DAY_MS);
        let none = Steady {
            from: 0,
            until: 0,
            offset_ms: 0,
        };
        let Ok(probe) = Timestamp::from_millisecond(from) else {
            return none;
        };
        // Transitions after `probe`, strictly: the offset at `probe` holds until the first.
        // Beyond the last instant jiff represents, conversions fail, so the span ends there.
        let until = tz
            .following(probe)
            .next()
            .map_or(i64::MAX, |t| t.timestamp().as_millisecond())
            .min(Timestamp::MAX.as_millisecond());
        Steady {
            from,
            until,
            offset_ms: i64::from(tz.to_offset(probe).seconds()) * 1000,
        }
    }

    /// The local wall-clock time of instant `at`, when `at` is in the span.
    pub(crate) fn local(&self, at: i64) -> Option<i64> {
        (self.from..self.until)
            .contains(&at)
            .then(|| at + self.offset_ms)
    }

    /// The one instant showing local wall-clock time `wall`, when it is well inside the span:
    /// two days from either end, farther than any offset change moves a wall clock, so no
    /// instant outside the span shows the same time (no gap, no fold to choose in).
    pub(crate) fn instant(&self, wall: i64) -> Option<i64> {
        let at = wall.checked_sub(self.offset_ms)?;
        let inner = self.from.saturating_add(2 * DAY_MS)..self.until.saturating_sub(2 * DAY_MS);
        inner.contains(&at).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use jiff::civil::DateTime;
    use jiff::tz::TimeZone;
    use jiff::Timestamp;
    use proptest::prelude::*;

    use super::Steady;
    use crate::calendar::DAY_MS;

    /// Shanghai kept summer time from 1986 to 1991: a calendar starting in 1985 has a span
    /// that ends at the first change, and conversions on both sides of every change.
    fn shanghai() -> TimeZone {
        crate::calendar::time_zone("Asia/Shanghai").unwrap()
    }

    const Y1985: i64 = 5_479; // 1985-01-01, days since 1970-01-01
    const Y1993: i64 = 8_401;

    fn jiff_local(tz: &TimeZone, at: i64) -> i64 {
        at + i64::from(
            tz.to_offset(Timestamp::from_millisecond(at).unwrap())
                .seconds(),
        ) * 1000
    }

    fn jiff_instant(tz: &TimeZone, wall: i64) -> i64 {
        let civil: DateTime = Timestamp::from_millisecond(wall)
            .unwrap()
            .to_zoned_datetime(TimeZone::UTC)
            .datetime();
        let at = tz.to_ambiguous_timestamp(civil).compatible().unwrap();
        at.as_millisecond()
    }

    #[test]
    fn the_span_ends_at_the_zones_next_change() {
        let tz = shanghai();
        let steady = Steady::around(&tz, Y1985);
        // 1986-05-04 02:00 +08:00, the first change to summer time.
        assert_eq!(steady.until, 515_527_200_000);
        assert_eq!(steady.offset_ms, 8 * 3_600_000);
        let after = Steady::around(&tz, 8_036); // 1992
        assert_eq!(after.until, Timestamp::MAX.as_millisecond());
        assert_eq!(after.local(1_767_225_600_000), Some(1_767_254_400_000));
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: if cfg!(miri) { 4 } else { 2_000 },
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Wherever the span answers, it answers what the zone's transitions say.
        #[test]
        fn the_span_agrees_with_the_zone(
            first in Y1985..Y1993,
            at in (Y1985 - 3) * DAY_MS..(Y1993 + 3) * DAY_MS,
        ) {
            let tz = shanghai();
            let steady = Steady::around(&tz, first);
            if let Some(local) = steady.local(at) {
                prop_assert_eq!(local, jiff_local(&tz, at));
            }
            if let Some(instant) = steady.instant(at) {
                prop_assert_eq!(instant, jiff_instant(&tz, at));
            }
        }
    }
}

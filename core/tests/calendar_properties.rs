//! Calendar invariants on the mainland China calendar, across and beyond its covered years.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use civicflow::{Calendar, CalendarDef, Duration};
use proptest::prelude::*;

fn cn() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        let def: CalendarDef =
            serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
        Calendar::compile(def, None).unwrap()
    })
}

/// Instants from 2018 to 2029: before, inside and after the covered years.
fn instant() -> impl Strategy<Value = i64> {
    1_514_764_800_000i64..1_861_920_000_000i64
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0i64..2_000_000_000).prop_map(Duration::Calendar),
        (0i64..400, any::<bool>())
            .prop_map(|(days, roll_forward)| Duration::NaturalDays { days, roll_forward }),
        (0i64..300).prop_map(Duration::WorkingDays),
        (0i64..300 * 25_200_000).prop_map(Duration::WorkingTime),
    ]
}

fn scaled(d: Duration, extra: i64) -> Duration {
    match d {
        Duration::Calendar(ms) => Duration::Calendar(ms + extra * 1000),
        Duration::NaturalDays { days, roll_forward } => Duration::NaturalDays {
            days: days + extra,
            roll_forward,
        },
        Duration::WorkingDays(n) => Duration::WorkingDays(n + extra),
        Duration::WorkingTime(ms) => Duration::WorkingTime(ms + extra * 1000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn working_time_added_is_working_time_between(a in instant(), ms in 0i64..400 * 25_200_000) {
        let cal = cn();
        let r = cal.add(a, Duration::WorkingTime(ms)).unwrap();
        prop_assert!(r.at >= a);
        prop_assert_eq!(cal.between(a, r.at).unwrap().working_ms, ms);
    }

    #[test]
    fn more_never_gives_an_earlier_deadline(a in instant(), d in duration(), extra in 0i64..50) {
        let cal = cn();
        let short = cal.add(a, d).unwrap().at;
        let long = cal.add(a, scaled(d, extra)).unwrap().at;
        prop_assert!(short <= long, "{d:?} +{extra}: {short} > {long}");
        prop_assert!(short >= a);
    }

    #[test]
    fn starting_later_never_gives_an_earlier_deadline(a in instant(), later in 0i64..864_000_000, d in duration()) {
        let cal = cn();
        prop_assert!(cal.add(a, d).unwrap().at <= cal.add(a + later, d).unwrap().at);
    }

    #[test]
    fn working_days_end_at_a_close_of_business(a in instant(), n in 1i64..300) {
        let cal = cn();
        let end = cal.add(a, Duration::WorkingDays(n)).unwrap().at;
        // Just before the deadline is working time; the deadline itself is not.
        prop_assert!(cal.is_working(end - 1).unwrap());
        prop_assert!(!cal.is_working(end).unwrap());
        prop_assert_eq!(cal.between(a, end).unwrap().working_days, n);
    }

    #[test]
    fn next_working_is_working_and_nothing_is_skipped(a in instant()) {
        let cal = cn();
        let next = cal.next_working(a).unwrap().at;
        prop_assert!(next >= a);
        prop_assert!(cal.is_working(next).unwrap());
        prop_assert_eq!(cal.between(a, next).unwrap().working_ms, 0);
    }
}

proptest! {
    /// `local_string` formats by hand; jiff's strftime is the reference, over the whole range of
    /// instants a case may hold, in zones with and without daylight saving and negative offsets.
    #[test]
    fn local_strings_match_jiff(at in civicflow::MIN_INSTANT..=civicflow::MAX_INSTANT, zone in 0usize..4) {
        let (name, tz) = [
            ("Asia/Shanghai", jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()),
            ("America/St_Johns", jiff::tz::TimeZone::get("America/St_Johns").unwrap()),
            ("-05:30", jiff::tz::TimeZone::fixed(jiff::tz::offset(-5) - jiff::SignedDuration::from_mins(30))),
            ("UTC", jiff::tz::TimeZone::UTC),
        ][zone].clone();
        let def: CalendarDef = serde_json::from_value(serde_json::json!({
            "format": 1, "id": "t", "time_zone": name,
            "years": {"from": 2024, "to": 2024}, "week": {"mon": [["09:00", "17:00"]]},
        })).unwrap();
        let cal = Calendar::compile(def, None).unwrap();
        let expected = jiff::Timestamp::from_millisecond(at).unwrap().to_zoned_datetime(tz)
            .strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        prop_assert_eq!(cal.local_string(at).unwrap(), expected);
    }
}

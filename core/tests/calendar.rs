//! Calendar arithmetic on the mainland China calendar: exact deadlines worked out by hand from
//! the State Council notices, across Spring Festival 2025 and 2026 and National Day 2025.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use civicflow::{Calendar, CalendarDef, Duration};

fn cn() -> Calendar {
    let def: CalendarDef =
        serde_json::from_str(include_str!("../../calendars/cn-mainland.json")).unwrap();
    Calendar::compile(def, None).unwrap()
}

/// UTC ms of a local time in China (+08:00), `YYYY-MM-DDTHH:MM`.
fn t(local: &str) -> i64 {
    let ts: jiff::Timestamp = format!("{local}:00+08:00").parse().unwrap();
    ts.as_millisecond()
}

const H: i64 = 3_600_000;

fn add(start: &str, d: Duration) -> (String, bool) {
    let cal = cn();
    let r = cal.add(t(start), d).unwrap();
    (cal.local_string(r.at).unwrap(), r.provisional)
}

fn assert_deadline(start: &str, d: Duration, expected: &str) {
    let (got, provisional) = add(start, d);
    assert_eq!(got, format!("{expected}:00+08:00"), "{start} + {d:?}");
    assert!(!provisional);
}

#[test]
fn spring_festival_2025() {
    // 1/26 (Sun) is a swapped working day, 1/28–2/4 off, 2/8 (Sat) a working day.
    assert_deadline(
        "2025-01-27T10:00",
        Duration::WorkingDays(5),
        "2025-02-10T17:30",
    );
    assert_deadline(
        "2025-01-27T10:00",
        Duration::NaturalDays {
            days: 15,
            roll_forward: false,
        },
        "2025-02-12T00:00",
    );
    assert_deadline(
        "2025-01-27T10:00",
        Duration::NaturalDays {
            days: 3,
            roll_forward: false,
        },
        "2025-01-31T00:00",
    );
    assert_deadline(
        "2025-01-27T10:00",
        Duration::NaturalDays {
            days: 3,
            roll_forward: true,
        },
        "2025-02-06T00:00",
    );
    assert_deadline(
        "2025-01-27T10:00",
        Duration::WorkingTime(8 * H),
        "2025-02-05T11:00",
    );
    assert_deadline(
        "2025-01-25T12:00",
        Duration::WorkingDays(1),
        "2025-01-26T17:30",
    );
    assert_deadline(
        "2025-02-07T17:00",
        Duration::WorkingTime(H),
        "2025-02-08T09:30",
    );
}

#[test]
fn spring_festival_2026() {
    // 2/14 (Sat) and 2/28 (Sat) are working days, 2/15–2/23 off.
    assert_deadline(
        "2026-02-13T16:00",
        Duration::WorkingDays(3),
        "2026-02-25T17:30",
    );
    assert_deadline(
        "2026-02-13T16:00",
        Duration::WorkingTime(4 * H),
        "2026-02-14T11:30",
    );
    assert_deadline(
        "2026-02-13T16:00",
        Duration::NaturalDays {
            days: 7,
            roll_forward: true,
        },
        "2026-02-25T00:00",
    );
    assert_deadline(
        "2026-02-13T16:00",
        Duration::WorkingDays(10),
        "2026-03-05T17:30",
    );
    assert_deadline(
        "2026-02-13T16:00",
        Duration::Calendar(48 * H),
        "2026-02-15T16:00",
    );
}

#[test]
fn national_day_2025() {
    // 9/28 (Sun) working, 10/1–10/8 off, 10/11 (Sat) working.
    assert_deadline(
        "2025-09-30T17:00",
        Duration::WorkingDays(5),
        "2025-10-14T17:30",
    );
    assert_deadline(
        "2025-09-30T17:00",
        Duration::WorkingTime(45 * 60_000),
        "2025-10-09T09:15",
    );
    assert_deadline(
        "2025-09-27T10:00",
        Duration::WorkingDays(1),
        "2025-09-28T17:30",
    );
}

#[test]
fn a_deadline_ends_at_the_close_of_business_not_the_next_morning() {
    // Exactly one working day of hours from Friday 09:00 ends Friday 17:30.
    assert_deadline(
        "2025-03-07T09:00",
        Duration::WorkingTime(7 * H),
        "2025-03-07T17:30",
    );
    // Starting outside working hours counts from the next opening.
    assert_deadline(
        "2025-03-07T20:00",
        Duration::WorkingTime(H),
        "2025-03-10T10:00",
    );
    assert_deadline(
        "2025-03-08T12:00",
        Duration::WorkingTime(30 * 60_000),
        "2025-03-10T09:30",
    );
}

#[test]
fn beyond_the_covered_years_results_are_provisional() {
    let (got, provisional) = add("2026-12-30T10:00", Duration::WorkingDays(5));
    // The weekly pattern is assumed for 2027, whose holidays are not known yet.
    assert_eq!(got, "2027-01-06T17:30:00+08:00");
    assert!(provisional);
    let (_, provisional) = add("2019-12-20T10:00", Duration::WorkingDays(1));
    assert!(provisional);
}

#[test]
fn between_and_working_time() {
    let cal = cn();
    let b = cal
        .between(t("2025-01-27T10:00"), t("2025-02-05T11:00"))
        .unwrap();
    assert_eq!(b.working_ms, 8 * H);
    assert_eq!(b.working_days, 1);
    assert_eq!(b.calendar_ms, t("2025-02-05T11:00") - t("2025-01-27T10:00"));
    assert!(!b.provisional);
    let back = cal
        .between(t("2025-02-05T11:00"), t("2025-01-27T10:00"))
        .unwrap();
    assert_eq!(back.working_ms, -8 * H);
    assert!(
        cal.is_working(t("2026-02-14T10:00")).unwrap(),
        "swapped Saturday"
    );
    assert!(
        !cal.is_working(t("2026-02-16T10:00")).unwrap(),
        "Spring Festival"
    );
    assert!(
        !cal.is_working(t("2025-03-07T12:30")).unwrap(),
        "lunch break"
    );
    let next = cal.next_working(t("2025-03-07T12:30")).unwrap();
    assert_eq!(
        cal.local_string(next.at).unwrap(),
        "2025-03-07T13:30:00+08:00"
    );
    let next = cal.next_working(t("2026-02-14T18:00")).unwrap();
    assert_eq!(
        cal.local_string(next.at).unwrap(),
        "2026-02-24T09:00:00+08:00"
    );
}

#[test]
fn a_long_span_costs_a_lookup_not_a_loop() {
    // 250 working days from early 2020 and 2,500 into the provisional future both resolve.
    let (got, provisional) = add("2020-01-02T09:00", Duration::WorkingDays(250));
    assert!(!provisional);
    assert!(got.starts_with("2021-01-"), "{got}");
    let (got, provisional) = add("2020-01-02T09:00", Duration::WorkingDays(2500));
    assert!(provisional);
    assert!(got.starts_with("2029-"), "{got}");
}

/// A one-year calendar in `time_zone` with the given holiday dates and Monday interval.
fn small(time_zone: &str, dates: &[&str], monday: [&str; 2]) -> Result<Calendar, Vec<String>> {
    let holidays: Vec<_> = dates
        .iter()
        .map(|d| serde_json::json!({"name": "h", "date": d}))
        .collect();
    let def: CalendarDef = serde_json::from_value(serde_json::json!({
        "format": 1, "id": "t", "time_zone": time_zone,
        "years": {"from": 2024, "to": 2024},
        "week": {"mon": [monday]},
        "holidays": holidays,
    }))
    .unwrap();
    Calendar::compile(def, None).map_err(|e| e.details("").into_iter().map(|d| d.message).collect())
}

#[test]
fn dates_are_exactly_yyyy_mm_dd_and_exist() {
    assert!(small("UTC", &["2024-02-29", "2024-12-31"], ["09:00", "17:00"]).is_ok());
    for (date, why) in [
        ("2024-02-30", "`2024-02` has days 1 to 29"),
        ("2024-04-31", "`2024-04` has days 1 to 30"),
        ("2024-04-00", "`2024-04` has days 1 to 30"),
        ("2024-13-01", "there is no month 13"),
        ("2024-00-10", "there is no month 0"),
        ("2024-2-01", "dates are `YYYY-MM-DD`"),
        ("20240201", "dates are `YYYY-MM-DD`"),
        ("2024-02-01T00:00", "dates are `YYYY-MM-DD`"),
        ("+024-02-01", "dates are `YYYY-MM-DD`"),
        ("2024-+2-01", "dates are `YYYY-MM-DD`"),
        ("２０２4-02-01", "dates are `YYYY-MM-DD`"),
        ("", "dates are `YYYY-MM-DD`"),
    ] {
        let errors = small("UTC", &[date], ["09:00", "17:00"]).unwrap_err();
        assert_eq!(errors, [format!("invalid date `{date}`: {why}")], "{date}");
    }
}

#[test]
fn times_of_day_are_hh_mm() {
    assert!(small("UTC", &[], ["00:00", "24:00"]).is_ok());
    for bad in ["9:00", "09:60", "25:00", "09-00", "09:00:00", "+9:00"] {
        let errors = small("UTC", &[], [bad, "24:00"]).unwrap_err();
        assert_eq!(
            errors,
            [format!(
                "invalid working interval `{bad}–24:00`: times are `HH:MM`, from `00:00` to `24:00`"
            )],
            "{bad}"
        );
    }
}

#[test]
fn fixed_offsets_and_known_names_are_time_zones() {
    let at = t("2024-01-01T09:00"); // a Monday
    for (zone, local) in [
        ("+08:00", "2024-01-01T09:00:00+08:00"),
        ("+08", "2024-01-01T09:00:00+08:00"),
        ("-05:30", "2023-12-31T19:30:00-05:30"),
        ("+00:00", "2024-01-01T01:00:00+00:00"),
        ("UTC", "2024-01-01T01:00:00+00:00"),
        ("Asia/Shanghai", "2024-01-01T09:00:00+08:00"),
        ("PRC", "2024-01-01T09:00:00+08:00"),
    ] {
        let cal = small(zone, &[], ["09:00", "17:00"]).unwrap();
        assert_eq!(cal.local_string(at).unwrap(), local, "{zone}");
    }
    for bad in [
        "+8:00",
        "08:00",
        "+08:60",
        "+08:00:00",
        "+26:00",
        "Mars/Olympus",
        "",
    ] {
        let errors = small(bad, &[], ["09:00", "17:00"]).unwrap_err();
        assert_eq!(errors, [format!("unknown time zone `{bad}`")], "{bad}");
    }
}

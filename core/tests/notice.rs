//! The notice reader on the State Council's holiday notices for 2020 to 2026
//! (`tests/calendar/notices/`, sources in its `SOURCES.md`): each year read gives exactly the
//! entries of `calendars/cn-mainland.json`, the years merged one by one give the calendar, and
//! altered texts are refused with the line at fault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use civicflow::{read_notice, CalendarDef, HolidayDef, NoticeYear};

const CALENDAR: &str = include_str!("../../calendars/cn-mainland.json");

fn notice(year: i16) -> String {
    let read = |name: &str| {
        let path = format!(
            "{}/../tests/calendar/notices/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    };
    if year == 2020 {
        // The Spring Festival extension follows its year's notice.
        format!("{}\n{}", read("2020"), read("2020-extension"))
    } else {
        read(&year.to_string())
    }
}

fn shipped() -> CalendarDef {
    serde_json::from_str(CALENDAR).unwrap()
}

/// The shipped calendar's week and time zone, knowing `year` alone and no holiday yet.
fn empty_from(year: i16) -> CalendarDef {
    CalendarDef {
        years: Some(civicflow::YearRange {
            from: year,
            to: year,
        }),
        holidays: Vec::new(),
        working_days: Vec::new(),
        sources: Vec::new(),
        ..shipped()
    }
}

fn last_day(h: &HolidayDef) -> &str {
    h.date.as_deref().or(h.to.as_deref()).unwrap()
}

fn codes_and_lines(text: &str) -> Vec<(String, String)> {
    let errors = read_notice(text, None).unwrap_err().errors;
    errors
        .iter()
        .map(|e| {
            let message = e.error.to_string();
            let line = message.split(':').next().unwrap().to_owned();
            (e.error.code().to_owned(), line)
        })
        .collect()
}

#[test]
fn each_year_read_is_the_shipped_calendar_year() {
    let calendar = shipped();
    for year in 2020..=2026 {
        let read = read_notice(&notice(year), None).unwrap();
        assert_eq!(read.year, year);
        let prefix = year.to_string();
        let holidays: Vec<&HolidayDef> = calendar
            .holidays
            .iter()
            .filter(|h| last_day(h).starts_with(&prefix))
            .collect();
        assert_eq!(read.holidays.iter().collect::<Vec<_>>(), holidays, "{year}");
        let working: Vec<_> = calendar
            .working_days
            .iter()
            .filter(|w| w.date.starts_with(&prefix))
            .collect();
        assert_eq!(
            read.working_days.iter().collect::<Vec<_>>(),
            working,
            "{year}"
        );
        let cited = calendar.sources.iter().find(|s| s.year == year).unwrap();
        let title = read.source.notice.split('（').next().unwrap();
        assert!(
            cited.notice.starts_with(title),
            "{year}: {}",
            read.source.notice
        );
        // The issuer and nothing else is ignored (the extension's two points on schools and pay).
        let ignored: Vec<&str> = read.ignored.iter().map(|l| l.text.as_str()).collect();
        let expected = if year == 2020 { 4 } else { 1 };
        assert_eq!(ignored.len(), expected, "{year}: {ignored:?}");
        assert_eq!(ignored[0], "国务院办公厅");
    }
}

#[test]
fn the_years_merged_one_by_one_are_the_shipped_calendar() {
    let shipped = shipped();
    let mut calendar = empty_from(2020);
    for year in 2020..=2026 {
        let read: NoticeYear = read_notice(&notice(year), None).unwrap();
        calendar = read.merged_into(&calendar).unwrap();
        // A year merged again changes nothing.
        assert_eq!(read.merged_into(&calendar).unwrap(), calendar);
    }
    assert_eq!(calendar.years, shipped.years);
    assert_eq!(calendar.holidays, shipped.holidays);
    assert_eq!(calendar.working_days, shipped.working_days);
    civicflow::Calendar::compile(calendar, None).unwrap();
}

#[test]
fn a_year_that_does_not_join_the_calendar_is_refused() {
    let read = read_notice(&notice(2026), None).unwrap();
    let mut calendar = shipped();
    calendar.years = Some(civicflow::YearRange {
        from: 2020,
        to: 2024,
    });
    let error = read.merged_into(&calendar).unwrap_err();
    assert_eq!(error.code(), "notice.year_gap");
    assert_eq!(
        error.to_string(),
        "2026 does not join the calendar's years 2020 to 2024"
    );
}

#[test]
fn altered_texts_are_refused_with_the_line_at_fault() {
    let text = notice(2026);
    let cases: &[(&str, &str, &str, &str)] = &[
        ("（周四）至3日", "（周五）至3日", "notice.weekday", "line 2"),
        ("共9天", "共8天", "notice.day_count", "line 3"),
        (
            "1月4日（周日）上班",
            "1月4日（周日）上斑",
            "notice.unreadable",
            "line 2",
        ),
        (
            "5月9日（周六）上班",
            "5月8日（周五）上班",
            "notice.not_weekend",
            "line 5",
        ),
        (
            "2月15日（农历",
            "2月15号（农历",
            "notice.unreadable",
            "line 3",
        ),
        ("三、清明节", "三.清明节", "notice.unreadable", "line 4"),
        (
            "至21日（周日）",
            "至18日（周四）",
            "notice.unreadable",
            "line 6",
        ),
        (
            "1月4日（周日）上班",
            "1月3日（周六）上班",
            "notice.overlap",
            "line 2",
        ),
        (
            "9月20日（周日）、",
            "9月20日（周日）；",
            "notice.unreadable",
            "line 8",
        ),
        (
            "放假，共3天。\n四",
            "休息，共3天。\n四",
            "notice.unreadable",
            "line 4",
        ),
    ];
    for (from, to, code, line) in cases {
        assert!(text.contains(from), "{from}");
        let changed = text.replacen(from, to, 1);
        let got = codes_and_lines(&changed);
        assert_eq!(
            got,
            vec![((*code).to_owned(), (*line).to_owned())],
            "{from} → {to}"
        );
    }
    // Every problem at once, in line order.
    let changed = text
        .replace("共9天", "共8天")
        .replace("（周四）至7日", "（周五）至7日");
    let got = codes_and_lines(&changed);
    assert_eq!(
        got,
        [("notice.day_count", "line 3"), ("notice.weekday", "line 8")]
            .map(|(c, l)| (c.to_owned(), l.to_owned()))
    );
    // The title read for another year moves every weekday.
    let got = codes_and_lines(&text.replacen("2026年", "2027年", 1));
    let moved =
        |(code, _): &(String, String)| code == "notice.weekday" || code == "notice.not_weekend";
    assert!(got.len() > 5 && got.iter().all(moved), "{got:?}");
}

#[test]
fn the_year_comes_from_the_title_or_the_request() {
    let text = notice(2025);
    let body: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    let error = read_notice(&body, None).unwrap_err();
    assert_eq!(error.errors[0].error.code(), "notice.year");
    let (untitled, titled) = (
        read_notice(&body, Some(2025)).unwrap(),
        read_notice(&text, None).unwrap(),
    );
    assert_eq!(untitled.holidays, titled.holidays);
    assert_eq!(untitled.working_days, titled.working_days);
    let error = read_notice(&text, Some(2024)).unwrap_err();
    assert_eq!(
        error.errors[0].error.to_string(),
        "line 1: the notice is for 2025, not 2024"
    );
}

#[test]
fn an_extension_needs_its_years_notice_before_it() {
    let read = |name: &str| {
        let path = format!(
            "{}/../tests/calendar/notices/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    };
    let got = codes_and_lines(&read("2020-extension"));
    assert_eq!(
        got,
        vec![("notice.unknown_holiday".to_owned(), "line 2".to_owned())]
    );
}

#[test]
fn pasted_pages_read_the_same() {
    // Web pages often give the punctuation half-width, with the addressees before the items
    // and a closing paragraph after them: the same year, those lines ignored.
    let text = notice(2026);
    let page = format!(
        "国办发明电〔2025〕7号\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n  {}\n节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。",
        text.replace('：', ":").replace('，', ",").replace('（', "(").replace('）', ")")
    );
    let read = read_notice(&page, None).unwrap();
    let plain = read_notice(&text, None).unwrap();
    assert_eq!(read.holidays, plain.holidays);
    assert_eq!(read.working_days, plain.working_days);
    assert_eq!(read.ignored.len(), 3, "{:?}", read.ignored);
    assert_eq!(
        read.source.notice,
        "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号，2025-11-04）"
    );
}

// Texts in the notices' wording that the real ones do not cover: a make-up day in the
// December before (the 2019 notice had one for its 元旦), an extension that would shorten,
// days set in an extension's other points, a year that overflows.
const Y2018: &str = "国务院办公厅关于2018年部分节假日安排的通知\n一、国庆节：10月1日至7日放假调休，共7天。9月29日（星期六）、9月30日（星期日）上班。";
const Y2019: &str = "国务院办公厅关于2019年部分节假日安排的通知\n一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。";

#[test]
fn a_make_up_day_in_the_december_before_stays_with_its_year() {
    let mut calendar = empty_from(2018);
    let (y2018, y2019) = (
        read_notice(Y2018, None).unwrap(),
        read_notice(Y2019, None).unwrap(),
    );
    assert_eq!(y2019.working_days[0].date, "2018-12-29");
    calendar = y2018.merged_into(&calendar).unwrap();
    calendar = y2019.merged_into(&calendar).unwrap();
    // 2018 put in again keeps 2019's make-up day of 2018-12-29.
    assert_eq!(y2018.merged_into(&calendar).unwrap(), calendar);
    let days: Vec<&str> = calendar
        .working_days
        .iter()
        .map(|w| w.date.as_str())
        .collect();
    assert_eq!(days, ["2018-09-29", "2018-09-30", "2018-12-29"]);
    // A date without a year or month takes both from the date before it.
    let two = Y2019.replace(
        "2018年12月29日（星期六）上班",
        "2018年12月22日（星期六）、29日（星期六）上班",
    );
    let read = read_notice(&two, None).unwrap();
    let days: Vec<&str> = read.working_days.iter().map(|w| w.date.as_str()).collect();
    assert_eq!(days, ["2018-12-22", "2018-12-29"]);
}

#[test]
fn an_extension_only_lengthens_and_says_so_in_its_wording() {
    let base = notice(2020);
    let shorter = base.replace(
        "延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）",
        "延长2020年春节假期至1月27日（农历正月初三，星期一），1月28日（星期二）",
    );
    assert_eq!(
        codes_and_lines(&shorter),
        vec![("notice.unreadable".to_owned(), "line 12".to_owned())]
    );
    let reworded = base.replace("一、延长2020年春节假期至", "一、2020年春节假期延长至");
    assert_eq!(
        codes_and_lines(&reworded),
        vec![("notice.unreadable".to_owned(), "line 12".to_owned())]
    );
}

#[test]
fn a_year_far_away_is_refused_not_overflowed() {
    let error = read_notice("一、元旦：2020年1月1日放假，共1天。", Some(-31000)).unwrap_err();
    assert_eq!(error.errors[0].error.code(), "notice.unreadable");
}

#[test]
fn a_line_setting_days_already_set_is_reported_once_in_line_order() {
    let text = notice(2026);
    let mut lines: Vec<&str> = text.lines().collect();
    let spring = lines[2];
    lines.insert(3, spring);
    let doubled = lines
        .join("\n")
        .replace("（周六）至6日（周一）放假", "（周五）至6日（周一）放假");
    assert_eq!(
        codes_and_lines(&doubled),
        [("notice.overlap", "line 4"), ("notice.weekday", "line 5")]
            .map(|(c, l)| (c.to_owned(), l.to_owned()))
    );
}

#[test]
fn a_preamble_citing_the_holiday_regulation_is_ignored() {
    let text = notice(2025).replacen(
        "\n",
        "\n根据2024年11月修订的《全国年节及纪念日放假办法》，自2025年1月1日起施行。\n",
        1,
    );
    let read = read_notice(&text, None).unwrap();
    assert_eq!(read.ignored[0].line, 2);
}

#[test]
fn a_citation_of_fewer_notices_is_replaced() {
    let read = read_notice(&notice(2020), None).unwrap();
    let mut calendar = shipped();
    let only_the_year =
        "国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号，2019-11-21）";
    calendar.sources[0].notice = only_the_year.to_owned();
    let merged = read.merged_into(&calendar).unwrap();
    assert!(
        merged.sources[0].notice.contains("延长2020年春节假期"),
        "{}",
        merged.sources[0].notice
    );
}

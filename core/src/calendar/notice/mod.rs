//! Reading the State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知)
//! into a calendar year, so that next year's holidays are pasted, not typed.
//!
//! The notices keep one wording: a title with the year, one numbered line per holiday
//! (`一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。`), the issuer and the
//! date. The reader takes each numbered line's holiday range and make-up working days (上班), and
//! checks what the text states twice: a weekday in brackets against its date, `共N天` against the
//! range, a working day against the weekend. An extension notice (国务院办公厅关于延长2020年春节假期
//! 的通知) pasted after its year's notice moves the holiday's end. A line it cannot read is
//! reported with its number, never skipped; lines that set no day (the addressees, the closing
//! paragraph, the issuer) are listed as ignored.
//!
//! ```
//! let text = "国务院办公厅关于2026年部分节假日安排的通知\n\
//!             一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。";
//! let year = civicflow::read_notice(text, None).unwrap();
//! assert_eq!(year.year, 2026);
//! assert_eq!(year.holidays[0].to.as_deref(), Some("2026-01-03"));
//! assert_eq!(year.working_days[0].name, "元旦调休");
//!
//! let changed = text.replace("（周日）", "（周六）");
//! let error = civicflow::read_notice(&changed, None).unwrap_err();
//! assert_eq!(error.errors[0].error.to_string(), "line 2: 2026-01-04 is a 周日, not a 周六");
//! ```

mod error;
mod merge;
mod scan;

pub use error::{InvalidNotice, NoticeError};

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use crate::calendar::{day_number, HolidayDef, SourceDef, WorkingDayDef};
use crate::error::Located;
use scan::{normalise, weekday_name, weekday_of, Cursor};

/// What a notice sets for its year, in the calendar document's own entries.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct NoticeYear {
    /// The year the notice arranges.
    pub year: i16,
    /// Its holidays, by first day; named as the notice names them (`国庆节、中秋节`).
    pub holidays: Vec<HolidayDef>,
    /// Its make-up working days, by date, each named after its holiday (`春节调休`).
    pub working_days: Vec<WorkingDayDef>,
    /// The citation: each title with its document number and date, when the text has them.
    pub source: SourceDef,
    /// The lines that set no day, as given.
    pub ignored: Vec<NoticeLine>,
}

/// A line of the text, numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
pub struct NoticeLine {
    /// Its number.
    pub line: usize,
    /// Its text.
    pub text: String,
}

/// Reads the text of a holiday notice (or of a notice followed by its extension) for `year`,
/// or for the year its title gives when `year` is `None`.
///
/// # Errors
/// Every problem at once, each naming its line: `notice.unreadable`, `notice.weekday`,
/// `notice.day_count`, `notice.not_weekend`, `notice.overlap`, `notice.unknown_holiday`,
/// `notice.year`, `notice.empty`.
pub fn read_notice(text: &str, year: Option<i16>) -> Result<NoticeYear, InvalidNotice> {
    let mut reader = Reader {
        asked: year,
        ..Reader::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let line = normalise(raw);
        if !line.is_empty() {
            reader.line(i + 1, &line, raw.trim());
        }
    }
    reader.finish()
}

struct Holiday {
    name: String,
    from: Date,
    to: Date,
    line: usize,
}

struct Working {
    name: String,
    date: Date,
    line: usize,
}

/// One notice of the text: its title, document number and date.
struct Notice {
    title: String,
    extension: bool,
    number: Option<String>,
    date: Option<Date>,
}

#[derive(Default)]
struct Reader {
    asked: Option<i16>,
    year: Option<i16>,
    notices: Vec<Notice>,
    /// A document number seen before its title.
    number: Option<String>,
    holidays: Vec<Holiday>,
    working: Vec<Working>,
    ignored: Vec<NoticeLine>,
    errors: Vec<NoticeError>,
}

const NUMERALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

impl Reader {
    fn line(&mut self, n: usize, line: &str, raw: &str) {
        if let Some(title) = line.strip_prefix("国务院办公厅关于") {
            if let Some(title) = title.strip_suffix("的通知") {
                return self.title(n, line, title);
            }
        }
        let numbered = line.trim_start_matches(NUMERALS);
        if numbered.len() < line.len() {
            if let Some(item) = numbered.strip_prefix('、') {
                return self.item(n, item, raw);
            }
        }
        let mut c = Cursor::new(line);
        if let (Ok(date), true) = (c.date(0, None), c.at_end()) {
            if line.contains('年') {
                if let Some(notice) = self.notices.last_mut() {
                    notice.date = Some(date);
                    return;
                }
            }
        }
        if line.contains('〔') && line.ends_with('号') && line.chars().count() < 30 {
            // gov.cn puts the number above the title, reprints below it.
            match self.notices.last_mut() {
                Some(notice) if notice.number.is_none() => notice.number = Some(line.to_owned()),
                _ => self.number = Some(line.to_owned()),
            }
            return;
        }
        // A day set outside a numbered line would be lost: refuse it rather than ignore it.
        if sets_days(line) {
            return self.unreadable(n, line, "a numbered line such as `一、元旦：...`");
        }
        self.ignored.push(NoticeLine {
            line: n,
            text: raw.to_owned(),
        });
    }

    fn title(&mut self, n: usize, line: &str, title: &str) {
        let extension = title.starts_with("延长");
        let mut c = Cursor::new(title.trim_start_matches("延长"));
        let year = match (c.number(), c.eat("年")) {
            (Some(y), true) => i16::try_from(y).ok(),
            _ => None,
        };
        let Some(year) = year else {
            return self.unreadable(
                n,
                line,
                "a title with the year: `国务院办公厅关于2027年...`",
            );
        };
        match (self.year, self.asked) {
            (Some(first), _) if first != year => self.errors.push(NoticeError::Year {
                reason: format!("line {n}: a notice for {year} after one for {first}"),
            }),
            (None, Some(asked)) if asked != year => self.errors.push(NoticeError::Year {
                reason: format!("line {n}: the notice is for {year}, not {asked}"),
            }),
            _ => {}
        }
        self.year.get_or_insert(year);
        self.notices.push(Notice {
            title: line.to_owned(),
            extension,
            number: self.number.take(),
            date: None,
        });
    }

    fn item(&mut self, n: usize, item: &str, raw: &str) {
        let Some(year) = self.year.or(self.asked) else {
            // Once: every later line lacks the same year.
            if !self
                .errors
                .iter()
                .any(|e| matches!(e, NoticeError::Year { .. }))
            {
                self.errors.push(NoticeError::Year {
                    reason: format!(
                        "line {n}: the year is not known: start with the notice's title or give `year`"
                    ),
                });
            }
            return;
        };
        if self.notices.last().is_some_and(|notice| notice.extension) {
            return match item.strip_prefix("延长") {
                Some(rest) => self.extension(n, rest),
                None if sets_days(item) => {
                    self.unreadable(n, item, "`延长YYYY年...假期至...`, the extension's wording")
                }
                // The extension's other points (schools, pay) set no day.
                None => self.ignored.push(NoticeLine {
                    line: n,
                    text: raw.to_owned(),
                }),
            };
        }
        let Some((name, body)) = item.split_once('：') else {
            return self.unreadable(n, item, "a holiday's name and `：`");
        };
        if name.is_empty() || name.chars().any(|c| c.is_ascii_digit()) {
            return self.unreadable(n, name, "a holiday's name such as `春节`");
        }
        let (mut ranges, before) = (0, self.errors.len());
        for sentence in body.split('。').filter(|s| !s.is_empty()) {
            if let Some(days) = sentence.strip_suffix("上班") {
                self.working_days(n, name, year, days);
            } else if sentence.contains("放假") && ranges == 0 {
                ranges += 1;
                self.range(n, name, year, sentence);
            } else if !sentence.starts_with("鼓励") {
                self.unreadable(
                    n,
                    sentence,
                    "one `...放假...` sentence, `...上班` or `鼓励...`",
                );
            }
        }
        // A line already reported is not reported again for the range it lacks.
        if ranges == 0 && self.errors.len() == before {
            self.unreadable(n, item, "a holiday range: `1月1日至3日放假...`");
        }
    }

    fn range(&mut self, n: usize, name: &str, year: i16, sentence: &str) {
        let mut c = Cursor::new(sentence);
        let Some(from) = self.dated(n, &mut c, year, None) else {
            return;
        };
        let to = if c.eat("至") {
            match self.dated(n, &mut c, from.year(), Some(from.month())) {
                Some(to) => to,
                None => return,
            }
        } else {
            from
        };
        if !c.eat("放假") {
            return self.unreadable(n, c.rest(), "`放假` after the dates");
        }
        c.eat("调休");
        let mut stated = None;
        while !c.at_end() {
            if c.eat("，") || c.eat("不调休") || c.eat("与周末连休") {
                continue;
            }
            let total = c.eat("共");
            match (c.number(), c.eat("天")) {
                (Some(days), true) => stated = Some(days),
                _ if total => return self.unreadable(n, c.rest(), "`共N天`"),
                _ => return self.unreadable(n, c.rest(), "`，共N天`, `不调休` or `与周末连休`"),
            }
        }
        let counted = day_number(to) - day_number(from) + 1;
        if counted < 1 {
            return self.unreadable(n, sentence, "a range that ends on or after its first day");
        }
        if let Some(stated) = stated.filter(|s| i64::from(*s) != counted) {
            self.errors.push(NoticeError::DayCount {
                line: n,
                stated,
                counted,
            });
        }
        // In date order, whatever the order of the lines.
        let at = self.holidays.partition_point(|h| h.from <= from);
        let holiday = Holiday {
            name: name.to_owned(),
            from,
            to,
            line: n,
        };
        self.holidays.insert(at, holiday);
    }

    fn working_days(&mut self, n: usize, name: &str, year: i16, days: &str) {
        let mut c = Cursor::new(days);
        // A date without a year or month is in those of the date before it.
        let (mut year, mut month) = (year, None);
        loop {
            let Some(date) = self.dated(n, &mut c, year, month) else {
                return;
            };
            (year, month) = (date.year(), Some(date.month()));
            if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                self.errors.push(NoticeError::NotWeekend {
                    line: n,
                    date: date.to_string(),
                });
            }
            let at = self.working.partition_point(|w| w.date <= date);
            let working = Working {
                name: format!("{name}调休"),
                date,
                line: n,
            };
            self.working.insert(at, working);
            if c.eat("、") {
                continue;
            }
            if !c.at_end() {
                self.unreadable(n, c.rest(), "`、` between dates, then `上班`");
            }
            return;
        }
    }

    /// `延长2020年春节假期至2月2日（...），2月3日（...）起正常上班`, after `延长`.
    fn extension(&mut self, n: usize, rest: &str) {
        let rest = rest.trim_end_matches('。');
        let mut c = Cursor::new(rest);
        let year = match (c.number(), c.eat("年")) {
            (Some(y), true) => i16::try_from(y).unwrap_or(0),
            _ => return self.unreadable(n, rest, "`延长YYYY年...假期至...`"),
        };
        let Some(name) = c.until("假期至") else {
            return self.unreadable(n, rest, "`...假期至` and the new last day");
        };
        let Some(end) = self.dated(n, &mut c, year, None) else {
            return;
        };
        c.eat("，");
        let Some(back) = self.dated(n, &mut c, year, Some(end.month())) else {
            return;
        };
        if !c.eat("起正常上班") || !c.at_end() {
            return self.unreadable(n, c.rest(), "`起正常上班` after the day work resumes");
        }
        if day_number(back) != day_number(end) + 1 {
            return self.unreadable(n, rest, "work resuming the day after the holiday ends");
        }
        let Some(holiday) = self
            .holidays
            .iter_mut()
            .rev()
            .find(|h| h.name == name && h.from.year() == year)
        else {
            return self.errors.push(NoticeError::UnknownHoliday {
                line: n,
                name: name.to_owned(),
            });
        };
        if end <= holiday.to {
            return self.unreadable(n, rest, "a last day after the holiday's present last day");
        }
        holiday.to = end;
        let (from, to) = (holiday.from, end);
        // Make-up days inside the longer holiday are no longer worked.
        self.working.retain(|w| w.date < from || w.date > to);
    }

    /// A date and the weekday in brackets after it, checked; `None` once reported.
    fn dated(
        &mut self,
        n: usize,
        c: &mut Cursor<'_>,
        year: i16,
        month: Option<i8>,
    ) -> Option<Date> {
        let at = c.rest();
        let date = match c.date(year, month) {
            Ok(date) => date,
            Err(reason) => {
                self.unreadable(n, at, reason);
                return None;
            }
        };
        if (i32::from(date.year()) - i32::from(year)).abs() > 1 {
            self.unreadable(n, at, "a date within a year of the notice's");
            return None;
        }
        match c.bracket() {
            Ok(Some(label)) if weekday_of(label) != Some(date.weekday()) => {
                self.errors.push(NoticeError::Weekday {
                    line: n,
                    date: date.to_string(),
                    stated: label.to_owned(),
                    actual: weekday_name(date.weekday()),
                });
            }
            Ok(_) => {}
            Err(reason) => self.unreadable(n, c.rest(), reason),
        }
        Some(date)
    }

    fn unreadable(&mut self, line: usize, text: &str, reason: &'static str) {
        let text: String = text.chars().take(40).collect();
        self.errors
            .push(NoticeError::Unreadable { line, text, reason });
    }

    fn finish(mut self) -> Result<NoticeYear, InvalidNotice> {
        self.check_overlaps();
        let year = self.year.or(self.asked);
        if self.errors.is_empty() && self.holidays.is_empty() {
            self.errors.push(NoticeError::Empty);
        }
        let Some(year) = year.filter(|_| self.errors.is_empty()) else {
            let located = self.errors.into_iter().map(|e| Located::new(e, "/text"));
            return Err(InvalidNotice::new(located.collect()));
        };
        Ok(NoticeYear {
            year,
            holidays: self.holidays.iter().map(holiday_def).collect(),
            working_days: self
                .working
                .iter()
                .map(|w| WorkingDayDef {
                    date: w.date.to_string(),
                    name: w.name.clone(),
                    intervals: None,
                })
                .collect(),
            source: SourceDef {
                year,
                notice: citation(&self.notices),
                url: None,
            },
            ignored: self.ignored,
        })
    }

    /// Every day set once: no two holidays share a day, no working day falls on a holiday.
    /// Each line that sets a day already set is reported once, among the other problems in
    /// line order.
    fn check_overlaps(&mut self) {
        // A notice sets some 40 days: a list is enough.
        let mut days: Vec<i64> = Vec::new();
        let holidays = self.holidays.iter().flat_map(|h| {
            (day_number(h.from)..=day_number(h.to)).map(move |d| (d, h.line, h.from))
        });
        let working = self
            .working
            .iter()
            .map(|w| (day_number(w.date), w.line, w.date));
        let mut reported: Vec<usize> = Vec::new();
        for (day, line, first) in holidays.chain(working).collect::<Vec<_>>() {
            if !days.contains(&day) {
                days.push(day);
                continue;
            }
            if reported.contains(&line) {
                continue;
            }
            reported.push(line);
            let date = crate::calendar::civil(day).unwrap_or(first);
            let at = self.errors.partition_point(|e| e.line() <= line);
            let error = NoticeError::Overlap {
                line,
                date: date.to_string(),
            };
            self.errors.insert(at, error);
        }
    }
}

/// Whether a line names a day (`1月1日`) with `放假` or `上班`: a line that sets days. The
/// regulation's name, 放假办法, which a preamble may cite with its date in force, is not one.
fn sets_days(line: &str) -> bool {
    let line = line.replace("放假办法", "");
    let dated = line.contains('月') && line.contains('日');
    dated
        && line.chars().any(|c| c.is_ascii_digit())
        && (line.contains("放假") || line.contains("上班"))
}

fn holiday_def(h: &Holiday) -> HolidayDef {
    let (date, from, to) = if h.from == h.to {
        (Some(h.from.to_string()), None, None)
    } else {
        (None, Some(h.from.to_string()), Some(h.to.to_string()))
    };
    HolidayDef {
        name: h.name.clone(),
        date,
        from,
        to,
    }
}

/// `title（number，YYYY-MM-DD）` for each notice, joined by `；`.
fn citation(notices: &[Notice]) -> String {
    let cite = |n: &Notice| {
        let details: Vec<String> = n
            .number
            .iter()
            .cloned()
            .chain(n.date.map(|d| d.to_string()))
            .collect();
        if details.is_empty() {
            n.title.clone()
        } else {
            format!("{}（{}）", n.title, details.join("，"))
        }
    };
    notices.iter().map(cite).collect::<Vec<_>>().join("；")
}

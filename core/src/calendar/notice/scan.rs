//! A cursor over one sentence of a notice: dates (`2022年12月31日`, `1月4日`, `3日`), the
//! brackets after them (`（周四）`, `（农历腊月二十八、周日）`), numbers and fixed words.

use jiff::civil::{Date, Weekday};

/// A date as a sentence gives it, with what it inherits from the date before.
pub(super) struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor { rest: text }
    }

    pub(super) fn rest(&self) -> &'a str {
        self.rest
    }

    pub(super) fn at_end(&self) -> bool {
        self.rest.is_empty()
    }

    /// Consumes `word` if the text continues with it.
    pub(super) fn eat(&mut self, word: &str) -> bool {
        match self.rest.strip_prefix(word) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Consumes a run of ASCII digits (at most 4) and gives its value.
    pub(super) fn number(&mut self) -> Option<u32> {
        let len = self
            .rest
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
            .min(4);
        if len == 0 {
            return None;
        }
        let (digits, rest) = self.rest.split_at(len);
        self.rest = rest;
        digits.parse().ok()
    }

    /// Consumes everything up to `word` (not included) and `word` itself.
    pub(super) fn until(&mut self, word: &str) -> Option<&'a str> {
        let at = self.rest.find(word)?;
        let (before, rest) = self.rest.split_at(at);
        self.rest = rest.get(word.len()..).unwrap_or("");
        Some(before)
    }

    /// A date: `[YYYY年][M月]D日`; the year and month left out are `year` and `month`.
    pub(super) fn date(&mut self, year: i16, month: Option<i8>) -> Result<Date, &'static str> {
        let (mut y, mut m) = (i64::from(year), month.map(i64::from));
        let mut n = self.number().ok_or("a date such as `1月1日`")?;
        if self.eat("年") {
            y = i64::from(n);
            n = self.number().ok_or("a month after the year")?;
        }
        if self.eat("月") {
            m = Some(i64::from(n));
            n = self.number().ok_or("a day after the month")?;
        }
        if !self.eat("日") {
            return Err("`日` after the day");
        }
        let m = m.ok_or("a month: `1月4日`, not `4日`")?;
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(n)) else {
            return Err("a date that exists");
        };
        Date::new(y, m, d).map_err(|_| "a date that exists")
    }

    /// The bracket after a date, if there is one: its weekday, checked against `date` by the
    /// caller. Lunar dates (`农历...`) in it are passed over.
    pub(super) fn bracket(&mut self) -> Result<Option<&'a str>, &'static str> {
        if !self.eat("（") {
            return Ok(None);
        }
        let inside = self.until("）").ok_or("a closing `）`")?;
        let mut weekday = None;
        for part in inside.split(['、', '，']) {
            if part.starts_with("农历") {
                continue;
            }
            if weekday_of(part).is_none() || weekday.is_some() {
                return Err(
                    "a weekday (`周四`, `星期日`) or a lunar date (`农历除夕`) in brackets",
                );
            }
            weekday = Some(part);
        }
        Ok(weekday)
    }
}

/// The weekday a label such as `周四` or `星期日` names.
pub(super) fn weekday_of(label: &str) -> Option<Weekday> {
    let day = label
        .strip_prefix("星期")
        .or_else(|| label.strip_prefix('周'))?;
    Some(match day {
        "一" => Weekday::Monday,
        "二" => Weekday::Tuesday,
        "三" => Weekday::Wednesday,
        "四" => Weekday::Thursday,
        "五" => Weekday::Friday,
        "六" => Weekday::Saturday,
        "日" | "天" => Weekday::Sunday,
        _ => return None,
    })
}

/// The weekday's name as the notices write it.
pub(super) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "周一",
        Weekday::Tuesday => "周二",
        Weekday::Wednesday => "周三",
        Weekday::Thursday => "周四",
        Weekday::Friday => "周五",
        Weekday::Saturday => "周六",
        Weekday::Sunday => "周日",
    }
}

/// The text with the half-width punctuation web pages often turn the notice's into
/// (`:` `,` `(` `)` `;`) put back, and spaces removed: the reader sees one form.
pub(super) fn normalise(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            ':' => '：',
            ',' => '，',
            '(' => '（',
            ')' => '）',
            ';' => '；',
            c => c,
        })
        .collect()
}

//! Masking personal data for public views, with rules that fit Chinese data: names keep the
//! surname (张**, compound surnames as 欧阳**), mobile numbers keep the first 3 and last 4 digits
//! (138****5678), ID numbers the first 3 and last 4 characters, addresses are cut after the
//! township (街道/镇/乡), else the county (区/县/旗), else the city (市), e-mail keeps the first
//! letter of the mailbox. See `docs/disclosure.md`.
//!
//! [`Protector`] applies them to free text: every personal value of the case is masked wherever
//! it appears, and every digit run that shares five digits with a personal number, so that no
//! five consecutive digits of a citizen's phone or ID number ever reach a public view.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// What replaces a value that is withheld entirely.
pub const REDACTED: &str = "***";

/// The shortest digit sequence treated as identifying: no public text keeps this many
/// consecutive digits of a personal number.
pub const DIGIT_WINDOW: usize = 5;

/// In `scrub` fields, runs with at least this many digits are masked whoever's number they are
/// (amounts of money too: `10000000元` becomes `****0000元`).
pub const PHONE_LIKE_DIGITS: usize = 7;

/// Two-character surnames (复姓), kept whole when a name is masked.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "太史", "申屠", "澹台",
    "公冶", "濮阳", "淳于", "单于", "钟离", "闻人", "赫连", "万俟", "拓跋", "司空", "东郭", "左丘",
    "谷梁", "公羊", "梁丘", "乐正", "第五", "羊舌", "微生", "仲孙", "叔孙", "漆雕", "段干", "亓官",
];

/// How a personal field is shown in public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mask {
    /// Withheld: `***`.
    #[default]
    Redact,
    /// A person's name: the surname and `**`.
    Name,
    /// A phone number: first 3 and last 4 digits of 11 or more, last 4 of 7 to 10, none of
    /// fewer.
    Phone,
    /// An ID number (身份证号): first 3 and last 4 characters.
    IdNumber,
    /// An address: kept up to the township, else the county, else the city.
    Address,
    /// An e-mail address: the mailbox's first character, `***@`, the domain.
    Email,
    /// Keep this many characters at the start and at the end, `*` for each one between.
    Keep {
        /// Characters kept at the start.
        start: u8,
        /// Characters kept at the end.
        end: u8,
    },
}

/// The most characters a custom mask may keep at either end.
pub const MAX_KEEP: u8 = 16;

impl Mask {
    /// The mask's name in definitions (`keep` for a custom mask).
    pub fn name(self) -> &'static str {
        match self {
            Mask::Redact => "redact",
            Mask::Name => "name",
            Mask::Phone => "phone",
            Mask::IdNumber => "id_number",
            Mask::Address => "address",
            Mask::Email => "email",
            Mask::Keep { .. } => "keep",
        }
    }

    /// Masks one value.
    pub fn apply(self, value: &str) -> String {
        let value = value.trim();
        if value.is_empty() {
            return String::new();
        }
        match self {
            Mask::Redact => REDACTED.to_owned(),
            Mask::Name => name(value),
            Mask::Phone => phone(value),
            Mask::IdNumber => keep(value, 3, 4),
            Mask::Address => address(value),
            Mask::Email => email(value),
            Mask::Keep { start, end } => keep(value, usize::from(start), usize::from(end)),
        }
    }
}

impl Serialize for Mask {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match *self {
            Mask::Keep { start, end } => {
                let mut s = serializer.serialize_struct("Keep", 2)?;
                s.serialize_field("keep_start", &start)?;
                s.serialize_field("keep_end", &end)?;
                s.end()
            }
            other => serializer.serialize_str(other.name()),
        }
    }
}

impl<'de> Deserialize<'de> for Mask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Keep {
            keep_start: u8,
            keep_end: u8,
        }
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Mask;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "one of \"redact\", \"name\", \"phone\", \"id_number\", \"address\", \"email\", \
                     or {\"keep_start\": n, \"keep_end\": n}",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Mask, E> {
                Ok(match s {
                    "redact" => Mask::Redact,
                    "name" => Mask::Name,
                    "phone" => Mask::Phone,
                    "id_number" => Mask::IdNumber,
                    "address" => Mask::Address,
                    "email" => Mask::Email,
                    _ => return Err(E::invalid_value(de::Unexpected::Str(s), &self)),
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Mask, A::Error> {
                let k = Keep::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Mask::Keep {
                    start: k.keep_start,
                    end: k.keep_end,
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn name(value: &str) -> String {
    let compound = COMPOUND_SURNAMES
        .iter()
        .find(|s| value.starts_with(**s) && value.len() > s.len());
    let surname = match compound {
        Some(s) => (*s).to_owned(),
        None => value.chars().take(1).collect(),
    };
    // Always two stars: the length of the given name is not shown either.
    format!("{surname}**")
}

fn phone(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter_map(ascii_digit).collect();
    if digits.is_empty() {
        return REDACTED.to_owned();
    }
    mask_digits(&digits)
}

/// The digits of a number kept in public: first 3 and last 4 of 11 or more (a mobile number
/// with or without country code, an ID number), the last 4 of 7 to 10, none of fewer. Never
/// five in a row.
fn mask_digits(digits: &[char]) -> String {
    let (start, end) = match digits.len() {
        11.. => (3, 4),
        7..=10 => (0, 4),
        _ => (0, 0),
    };
    keep_ends(digits, start, end)
}

fn keep(value: &str, start: usize, end: usize) -> String {
    keep_ends(&value.chars().collect::<Vec<_>>(), start, end)
}

/// The first `start` and last `end` characters, a `*` for each one between; all `*` when
/// that would keep them all.
fn keep_ends(chars: &[char], start: usize, end: usize) -> String {
    let n = chars.len();
    if start + end >= n {
        return "*".repeat(n);
    }
    let mut out = String::with_capacity(n + 2 * (n - start - end));
    out.extend(chars.iter().take(start));
    out.extend(std::iter::repeat_n('*', n - start - end));
    out.extend(chars.iter().skip(n - end));
    out
}

fn address(value: &str) -> String {
    // The first township-level marker, else county-level, else city-level: the address is
    // kept up to and including it. Markers inside common words (小区, 超市, 镇江, ...) are not.
    let tiers: [&[&str]; 3] = [&["街道", "镇", "乡"], &["区", "县", "旗"], &["市"]];
    for markers in tiers {
        let cut = markers
            .iter()
            .filter_map(|m| {
                value
                    .match_indices(m)
                    .find(|(at, _)| is_marker(value, *at, m))
                    .map(|(at, _)| at + m.len())
            })
            .min();
        if let Some(cut) = cut {
            let kept = value.get(..cut).unwrap_or_default();
            return format!("{kept}{REDACTED}");
        }
    }
    REDACTED.to_owned()
}

/// Whether the marker at byte `at` ends an administrative name rather than sits inside a
/// common word: 小区 and 社区 are not districts, 超市 and 市场 not cities, 镇江 is a city.
fn is_marker(value: &str, at: usize, marker: &str) -> bool {
    let before = value.get(..at).and_then(|b| b.chars().next_back());
    let after = value
        .get(at + marker.len()..)
        .and_then(|a| a.chars().next());
    let (not_before, not_after): (&str, &str) = match marker {
        "镇" => ("", "江"),
        "乡" => ("", "村下"),
        "区" => ("小社园景校厂营矿", ""),
        "旗" => ("", "舰杆帜"),
        "市" => ("超菜夜集门街城", "场"),
        _ => ("", ""),
    };
    before.is_some()
        && !before.is_some_and(|c| not_before.contains(c))
        && !after.is_some_and(|c| not_after.contains(c))
}

fn email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{REDACTED}@{domain}")
        }
        _ => REDACTED.to_owned(),
    }
}

/// An ASCII or full-width digit, as ASCII.
fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// Masks the personal data of one case in free text.
#[derive(Clone, Debug, Default)]
pub struct Protector {
    /// Personal values and what replaces them, longest first.
    values: Vec<(String, String)>,
    /// The digits (as ASCII) of every personal value with at least [`DIGIT_WINDOW`] of them.
    numbers: Vec<String>,
    /// Withhold personal values entirely instead of masking them (an accusation).
    withhold: bool,
}

impl Protector {
    /// A protector that masks values with their masks, or withholds them entirely.
    pub fn new(withhold: bool) -> Self {
        Protector {
            withhold,
            ..Protector::default()
        }
    }

    /// Adds a personal value and its mask.
    pub fn add(&mut self, value: &str, mask: Mask) {
        let value = value.trim();
        // Each number written in the value on its own, dates aside: a date in a note is not a
        // number that identifies anyone.
        let chars: Vec<char> = value.chars().collect();
        for (_, run) in runs(&chars) {
            let digits: String = run.digits.iter().filter(|d| d.is_ascii_digit()).collect();
            if digits.len() >= self.window() && !run.date_like() {
                self.numbers.push(digits);
            }
        }
        // One character is no identity and would mask every occurrence of a common letter.
        if value.chars().nth(1).is_some() {
            let masked = if self.withhold {
                REDACTED.to_owned()
            } else {
                mask.apply(value)
            };
            // A value its mask shows whole (an address that is only a township) is no more
            // than the mask allows wherever it is quoted.
            if !masked.contains(value) {
                // Kept longest first (in characters), so that a value inside a longer one is
                // replaced after it.
                let key = |v: &str| (std::cmp::Reverse(v.chars().count()), v.to_owned());
                let at = self.values.partition_point(|(v, _)| key(v) < key(value));
                self.values.insert(at, (value.to_owned(), masked));
            }
        }
    }

    /// Consecutive digits of a personal number that identify it: five, or four in an
    /// accusation, where even a phone's last four can point at the complainant.
    fn window(&self) -> usize {
        if self.withhold {
            DIGIT_WINDOW - 1
        } else {
            DIGIT_WINDOW
        }
    }

    /// The text with every personal value masked; with `scrub`, also every run of
    /// [`PHONE_LIKE_DIGITS`] digits or more that is not a date, and every e-mail address,
    /// whoever's.
    pub fn protect(&self, text: &str, scrub: bool) -> String {
        let mut out = text.to_owned();
        for (value, masked) in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), masked);
            }
        }
        out = self.digit_runs(&out, scrub);
        if scrub {
            out = emails(&out);
        }
        // Masking one value next to another can rebuild a value across the seam; the text is
        // then withheld rather than published with it.
        if self.values.iter().any(|(v, _)| out.contains(v.as_str())) {
            return REDACTED.to_owned();
        }
        out
    }

    /// Masks digit runs (digits joined by single spaces or hyphens) that share
    /// [`DIGIT_WINDOW`] digits with a personal number, and with `scrub` every run of
    /// [`PHONE_LIKE_DIGITS`] or more that is not a date.
    fn digit_runs(&self, text: &str, scrub: bool) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (start, run) in runs(&chars) {
            out.extend(chars.get(copied..start).unwrap_or_default());
            let hit = self.shares_window(&run.digits);
            let phone_like = scrub && run.digits.len() >= PHONE_LIKE_DIGITS && !run.date_like();
            if hit || phone_like {
                if self.withhold && hit {
                    out.extend(std::iter::repeat_n('*', run.digits.len()));
                } else {
                    out.push_str(&mask_digits(&run.digits));
                }
            } else {
                out.extend(chars.get(start..run.end).unwrap_or_default());
            }
            copied = run.end;
        }
        out.extend(chars.get(copied..).unwrap_or_default());
        out
    }

    fn shares_window(&self, digits: &[char]) -> bool {
        let run: String = digits.iter().filter(|c| c.is_ascii_digit()).collect();
        let w = self.window();
        run.len() >= w
            && (0..=run.len() - w).any(|k| {
                let window = run.get(k..k + w).unwrap_or_default();
                self.numbers.iter().any(|n| n.contains(window))
            })
    }
}

/// Every maximal digit run of the text, with the index it starts at, in order.
fn runs(chars: &[char]) -> impl Iterator<Item = (usize, Run)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let rest = chars.get(from..)?;
        let start = from + rest.iter().position(|&c| ascii_digit(c).is_some())?;
        let run = Run::at(chars, start);
        from = run.end;
        Some((start, run))
    })
}

/// A maximal run of digits starting at a digit.
struct Run {
    /// Its digits as ASCII, with a final ID check character `X` kept.
    digits: Vec<char>,
    /// Digits per group between separators.
    groups: Vec<usize>,
    /// Index just past it.
    end: usize,
}

impl Run {
    fn at(chars: &[char], start: usize) -> Run {
        let mut run = Run {
            digits: Vec::new(),
            groups: vec![0],
            end: start,
        };
        let mut i = start;
        loop {
            match chars.get(i).copied().and_then(ascii_digit) {
                Some(d) => {
                    run.digits.push(d);
                    if let Some(g) = run.groups.last_mut() {
                        *g += 1;
                    }
                    i += 1;
                    run.end = i;
                }
                None => {
                    let sep = matches!(chars.get(i), Some(' ' | '-'));
                    let next = chars.get(i + 1).copied().and_then(ascii_digit);
                    if sep && next.is_some() {
                        run.groups.push(0);
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
        }
        // An 18-character ID number ends in a check character that may be X.
        if run.digits.len() == 17 && matches!(chars.get(run.end), Some('X' | 'x')) {
            run.digits.push('X');
            run.end += 1;
        }
        run
    }

    /// `2024-11-25` or `2024-11-25 10`: a year of this era, then groups of at most two digits.
    fn date_like(&self) -> bool {
        let year = self.digits.first() == Some(&'1') && self.digits.get(1) == Some(&'9')
            || self.digits.first() == Some(&'2') && self.digits.get(1) == Some(&'0');
        year && self.groups.first() == Some(&4) && self.groups.iter().skip(1).all(|&g| g <= 2)
    }
}

/// Masks the mailbox of every e-mail address in the text.
fn emails(text: &str) -> String {
    let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !local(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while chars.get(j).copied().is_some_and(local) {
            j += 1;
        }
        let mut k = j + 1;
        while chars.get(k).copied().is_some_and(domain) {
            k += 1;
        }
        let host: String = chars.get(j + 1..k).unwrap_or_default().iter().collect();
        let is_email = chars.get(j) == Some(&'@') && host.contains('.') && !host.starts_with('.');
        if is_email {
            out.extend(chars.get(i).copied());
            out.push_str(REDACTED);
            out.push('@');
            out.push_str(&host);
            i = k;
        } else {
            out.extend(chars.get(i..j).unwrap_or_default());
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        assert_eq!(Mask::Name.apply("张三"), "张**");
        assert_eq!(Mask::Name.apply("张小明"), "张**");
        assert_eq!(Mask::Name.apply("欧阳娜娜"), "欧阳**");
        assert_eq!(Mask::Name.apply("欧阳"), "欧**");
        assert_eq!(Mask::Name.apply("阿依古丽·买买提"), "阿**");
        assert_eq!(Mask::Phone.apply("13812345678"), "138****5678");
        assert_eq!(Mask::Phone.apply("+86 138-1234-5678"), "861******5678");
        assert_eq!(Mask::Phone.apply("6512 3456"), "****3456");
        assert_eq!(Mask::Phone.apply("110"), "***");
        assert_eq!(Mask::Phone.apply("无"), "***");
        assert_eq!(
            Mask::IdNumber.apply("11010519900307123X"),
            "110***********123X"
        );
        assert_eq!(
            Mask::Address.apply("北京市朝阳区望京街道阜通东大街6号"),
            "北京市朝阳区望京街道***"
        );
        assert_eq!(
            Mask::Address.apply("青山县青山镇河西村3组"),
            "青山县青山镇***"
        );
        assert_eq!(
            Mask::Address.apply("上海市浦东新区张江路88号"),
            "上海市浦东新区***"
        );
        assert_eq!(Mask::Address.apply("苏州市人民路1号"), "苏州市***");
        assert_eq!(Mask::Address.apply("人民路1号"), "***");
        assert_eq!(
            Mask::Address.apply("苏州市人民路88号阳光小区3栋"),
            "苏州市***"
        );
        assert_eq!(Mask::Address.apply("人民路88号华联超市旁"), "***");
        assert_eq!(
            Mask::Address.apply("镇江市京口区正东路1号"),
            "镇江市京口区***"
        );
        assert_eq!(Mask::Address.apply("开发区苏宁旗舰店"), "开发区***");
        assert_eq!(Mask::Email.apply("zhangsan@example.cn"), "z***@example.cn");
        assert_eq!(Mask::Email.apply("not an address"), "***");
        assert_eq!(
            Mask::Keep { start: 1, end: 2 }.apply("粤B12345"),
            "粤****45"
        );
        assert_eq!(Mask::Keep { start: 4, end: 4 }.apply("1234567"), "*******");
        assert_eq!(Mask::Redact.apply("anything"), "***");
        assert_eq!(Mask::Name.apply("  "), "");
    }

    #[test]
    fn free_text_loses_names_numbers_and_mail() {
        let mut p = Protector::new(false);
        p.add("张三", Mask::Name);
        p.add("13812345678", Mask::Phone);
        let text =
            "张三反映：电话138-1234-5678，邻居电话13998765432，邮箱zs@qq.com，2024-11-25 10:30";
        assert_eq!(
            p.protect(text, true),
            "张**反映：电话138****5678，邻居电话139****5432，邮箱z***@qq.com，2024-11-25 10:30"
        );
        // Without scrub only the case's own values are masked.
        assert_eq!(
            p.protect("回电12345678，邻居13998765432", false),
            "回电****5678，邻居13998765432"
        );
        assert_eq!(p.protect("拨打12345热线", false), "拨打*****热线");
        assert_eq!(p.protect("拨打12346热线", false), "拨打12346热线");
    }

    #[test]
    fn accusations_withhold_everything() {
        let mut p = Protector::new(true);
        p.add("李四", Mask::Name);
        p.add("13812345678", Mask::Phone);
        assert_eq!(p.protect("李四，13812345678", false), "***，***");
        assert_eq!(p.protect("李四，138 1234 5678", false), "***，***********");
        assert_eq!(
            p.protect("尾号5678，即138****5678", false),
            "尾号****，即138********"
        );
    }

    #[test]
    fn each_number_of_a_value_counts_alone_and_whole_masks_do_not_withhold() {
        let mut p = Protector::new(false);
        p.add("2026-03-01 20:00约谈", Mask::Redact);
        p.add("青山县青山镇", Mask::Address);
        assert_eq!(
            p.protect("2026-03-01 20:00起不亮，已转青山县青山镇政府", false),
            "2026-03-01 20:00起不亮，已转青山县青山镇政府"
        );
    }

    #[test]
    fn full_width_digits_and_id_check_letter() {
        let mut p = Protector::new(false);
        p.add("11010519900307123X", Mask::IdNumber);
        assert_eq!(
            p.protect("身份证１１０１０５１９９００３０７１２３x", false),
            "身份证110***********123X"
        );
    }

    #[test]
    fn masks_read_and_write_their_definition_form() {
        for text in [
            r#""name""#,
            r#""id_number""#,
            r#"{"keep_start":1,"keep_end":2}"#,
        ] {
            let mask: Mask = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&mask).unwrap(), text);
        }
        assert!(serde_json::from_str::<Mask>(r#""nickname""#).is_err());
        assert!(serde_json::from_str::<Mask>(r#"{"keep_start":1}"#).is_err());
    }
}

//! Printing helpers the demos share: times in China Standard Time, columns that line up with
//! Chinese text, transition titles.

use civicflow::Engine;
use jiff::tz::{self, TimeZone};
use jiff::Timestamp;
use unicode_width::UnicodeWidthStr;

/// `MM-DD HH:MM` in UTC+8.
pub fn clock(at: i64) -> String {
    let tz = TimeZone::fixed(tz::offset(8));
    Timestamp::from_millisecond(at)
        .map(|t| t.to_zoned_datetime(tz).strftime("%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// Pads to a display width: Chinese characters take two terminal columns.
pub fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// One indented table row of `(text, width)` cells.
pub fn row(cells: &[(&str, usize)]) -> String {
    let line: Vec<String> = cells.iter().map(|(s, w)| pad(s, *w)).collect();
    format!("  {}", line.join(" ").trim_end())
}

/// A transition's Chinese title, from the workflow definition.
pub fn title(engine: &Engine, workflow: &str, transition: &str) -> String {
    engine
        .workflow(workflow, None)
        .and_then(|w| {
            w.definition()
                .transitions
                .iter()
                .find(|t| t.id == transition)
        })
        .and_then(|t| t.title.clone())
        .unwrap_or_default()
}

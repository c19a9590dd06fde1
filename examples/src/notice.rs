//! Next year's holidays from the State Council's notice, pasted into a text file:
//!
//! ```text
//! cargo run -p civicflow-examples --bin notice -- notice.txt calendars/cn-mainland.json
//! ```
//!
//! reads the notice (`civicflow::read_notice`), puts its year into the calendar file
//! (`NoticeYear::merged_into`), checks that the result loads, and writes the file back in its own
//! layout, one entry per line. Without a calendar file it prints what the notice sets. A line it
//! cannot read is printed with its number, and nothing is written. Hosts then load the file with
//! `load_calendar` under the same id: no release needed (`docs/sla.md`, "Adding a year").

use std::process::ExitCode;

use civicflow::{read_notice, Calendar, CalendarDef};
use serde::Serialize;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(notice), calendar) = (args.first(), args.get(1)) else {
        eprintln!("usage: notice <notice.txt> [calendar.json]");
        return ExitCode::from(2);
    };
    match run(notice, calendar.map(String::as_str)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(notice: &str, calendar: Option<&str>) -> Result<(), Vec<String>> {
    let text = std::fs::read_to_string(notice).map_err(|e| vec![format!("{notice}: {e}")])?;
    let year = read_notice(&text, None).map_err(|e| {
        e.errors
            .iter()
            .map(|l| format!("{notice}: {}", l.error))
            .collect::<Vec<_>>()
    })?;
    for line in &year.ignored {
        println!("ignored, line {}: {}", line.line, line.text);
    }
    println!(
        "{}: {} holidays, {} working days ({})",
        year.year,
        year.holidays.len(),
        year.working_days.len(),
        year.source.notice
    );
    let Some(path) = calendar else {
        let json = serde_json::to_string_pretty(&year).map_err(|e| vec![e.to_string()])?;
        println!("{json}");
        return Ok(());
    };
    let document = std::fs::read_to_string(path).map_err(|e| vec![format!("{path}: {e}")])?;
    let current: CalendarDef =
        serde_json::from_str(&document).map_err(|e| vec![format!("{path}: {e}")])?;
    let merged = year
        .merged_into(&current)
        .map_err(|e| vec![format!("{path}: {e}")])?;
    if merged.extends.is_none() {
        Calendar::compile(merged.clone(), None).map_err(|e| {
            let errors = e.errors.iter();
            errors
                .map(|l| format!("{path}{}: {}", l.path, l.error))
                .collect::<Vec<_>>()
        })?;
    }
    std::fs::write(path, layout(&merged).map_err(|e| vec![e])?)
        .map_err(|e| vec![format!("{path}: {e}")])?;
    println!("{path}: years {:?}", merged.years.map(|y| (y.from, y.to)));
    Ok(())
}

/// The calendar files' layout: each key on its own line, and each entry of a list on its own
/// line, written `{"key": value, ...}` in the document's order, so that a new year shows in a
/// diff as its new lines.
fn layout(def: &CalendarDef) -> Result<String, String> {
    let mut lines = vec![
        format!("  \"format\": {}", def.format),
        format!("  \"id\": {}", one_line(&def.id)?),
    ];
    if !def.title.is_empty() {
        lines.push(format!("  \"title\": {}", one_line(&def.title)?));
    }
    let optional = [
        ("extends", def.extends.as_ref().map(one_line)),
        ("time_zone", def.time_zone.as_ref().map(one_line)),
        ("years", def.years.as_ref().map(one_line)),
        ("week", def.week.as_ref().map(one_line)),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            lines.push(format!("  \"{key}\": {}", value?));
        }
    }
    let lists = [
        ("sources", list(&def.sources)?),
        ("holidays", list(&def.holidays)?),
        ("working_days", list(&def.working_days)?),
    ];
    for (key, items) in lists {
        if !items.is_empty() {
            lines.push(format!("  \"{key}\": [\n{}\n  ]", items.join(",\n")));
        }
    }
    Ok(format!("{{\n{}\n}}\n", lines.join(",\n")))
}

fn list<T: Serialize>(items: &[T]) -> Result<Vec<String>, String> {
    items
        .iter()
        .map(|i| one_line(i).map(|s| format!("    {s}")))
        .collect()
}

/// JSON on one line with a space after each `:` and `,`.
fn one_line<T: Serialize>(value: &T) -> Result<String, String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    value.serialize(&mut ser).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(writer, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `, ` before every entry of a list or object but the first.
fn separator<W: ?Sized + std::io::Write>(writer: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        writer.write_all(b", ")
    }
}

//! The yearly update path with the example command: a notice pasted into a file and put into
//! the calendar file gives, line for line, the calendar the repository ships.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const CALENDAR: &str = include_str!("../../calendars/cn-mainland.json");

fn notices(year: &str) -> String {
    format!(
        "{}/../tests/calendar/notices/{year}.txt",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_notice"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_shipped_calendar_without_2026_and_the_2026_notice_give_the_shipped_calendar() {
    let dir = std::env::temp_dir().join(format!("civicflow-notice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cn-mainland.json");
    // The file as it was before 2026's notice: its 2026 lines gone, its years ending in 2025.
    let before: Vec<&str> = CALENDAR
        .lines()
        .filter(|l| !l.contains("\"2026-") && !l.contains("\"year\": 2026"))
        .collect();
    let before = before.join("\n").replace("\"to\": 2026}", "\"to\": 2025}") + "\n";
    let before = before
        .replace("},\n  ],", "}\n  ],")
        .replace("},\n  ]\n", "}\n  ]\n");
    std::fs::write(&path, &before).unwrap();

    let out = run(&[&notices("2026"), path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::read_to_string(&path).unwrap();
    // Line for line, but for the citation: the text gives the date, the shipped file also
    // says who published it.
    let cited = "（2025-11-04）\"}";
    let shipped = CALENDAR.replace("（2025-11-04，新华社受权发布）\"}", cited);
    assert_eq!(after, shipped);

    // Put in again, nothing changes.
    let out = run(&[&notices("2026"), path.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), after);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_altered_notice_writes_nothing_and_names_its_line() {
    let dir = std::env::temp_dir().join(format!("civicflow-notice-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (text, calendar) = (dir.join("2026.txt"), dir.join("cn-mainland.json"));
    let notice = std::fs::read_to_string(notices("2026")).unwrap();
    std::fs::write(&text, notice.replace("共9天", "共8天")).unwrap();
    std::fs::write(&calendar, CALENDAR).unwrap();
    let out = run(&[text.to_str().unwrap(), calendar.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3: the text says 8 days, the dates give 9"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&calendar).unwrap(), CALENDAR);
    std::fs::remove_dir_all(&dir).unwrap();
}
